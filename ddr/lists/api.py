from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES, MASTER_DATA_EDIT_ROLES
from core.api import CodeField
from core.suppression import HIDDEN_GROUPS, SUPPRESSED, Base, for_analyst, visible
from ddr.lists import services
from ddr.lists.models import ArmedGroup, Coalition, CoalitionMembership, SubmittedList


class CoalitionMembershipSerializer(serializers.ModelSerializer):
    coalition = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CoalitionMembership
        fields = ["coalition", "start", "end", "note"]


class ArmedGroupSerializer(serializers.ModelSerializer):
    coalitions = CoalitionMembershipSerializer(source="coalition_memberships", many=True, read_only=True)
    split_from = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ArmedGroup
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "split_from",
            "signed_on",
            "listed_for_child_recruitment",
            "note",
            "coalitions",
        ]


class CoalitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Coalition
        fields = ["id", "code", "name", "signatory", "signed_on", "note"]


class ArmedGroupViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = ArmedGroupSerializer
    filterset_fields = ["kind", "listed_for_child_recruitment"]
    queryset = (
        ArmedGroup.objects.select_related("split_from")
        .prefetch_related("coalition_memberships__coalition")
        .order_by("code")
    )


class CoalitionViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = CoalitionSerializer
    queryset = Coalition.objects.order_by("code")


class CoalitionMembershipWriteSerializer(serializers.ModelSerializer):
    group = CodeField(queryset=ArmedGroup.objects.all())
    coalition = CodeField(queryset=Coalition.objects.all())
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    class Meta:
        model = CoalitionMembership
        fields = ["id", "group", "coalition", "start", "end", "note"]
        # The service checks the dates (end after start, one coalition at a time): no model
        # validators here, so that a refusal reads as the form's.
        validators: list[Any] = []


class MembershipViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Groups' memberships of coalitions, dated. POST records one, with the form's checks (it
    ends after it starts; the group is in one coalition at a time): 400 with the field otherwise."""

    allowed_roles = ALL_ROLES
    write_roles = MASTER_DATA_EDIT_ROLES
    serializer_class = CoalitionMembershipWriteSerializer
    filterset_fields = ["group", "coalition"]
    queryset = CoalitionMembership.objects.select_related("group", "coalition").order_by("id")

    # Narrower than DRF's Request: RolePermission lets only a signed-in User reach this.
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = CoalitionMembershipWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_save(membership=None, by=request.user, **data.validated_data)
        return Response(CoalitionMembershipWriteSerializer(membership).data, status=201)


class SubmittedListSerializer(serializers.ModelSerializer):
    movement = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SubmittedList
        fields = [
            "id",
            "title",
            "movement",
            "submitted_to",
            "submitted_on",
            "certified_by",
            "version",
            "previous",
            "status",
            "decision",
            "sha256",
            "row_count",
        ]

    def to_representation(self, submitted: SubmittedList) -> dict[str, Any]:
        data = super().to_representation(submitted)
        if for_analyst(self.context["request"].user):  # a list of 1 to 4 people is a small cell
            data["row_count"] = visible(data["row_count"])
        return data


class SubmittedListViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists as submitted by movements (metadata; entries are read through people with ?list=)."""

    allowed_roles = ALL_ROLES
    serializer_class = SubmittedListSerializer
    filterset_fields = ["status", "submitted_to", "movement__code"]
    queryset = SubmittedList.objects.select_related("movement").order_by("id")


class ListIntegritySerializer(serializers.Serializer):
    indicator = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text=HIDDEN_GROUPS)
    share = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(help_text=SUPPRESSED)


class ListIntegrityView(APIView):
    """The integrity of lists as aggregates (per list with `list`, per movement with `movement`,
    or all): probable duplicates inside, people registered elsewhere or on another movement's
    list, weapon serials declared twice, documents issued just before registration, minors.
    For analysts, per movement or overall only, every count a sum of the movements' counts of 5
    or more (`core.suppression`)."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        parameters=[
            OpenApiParameter("list", int, description="One submitted list."),
            OpenApiParameter("movement", str, description="A movement's code: all its lists."),
        ],
        responses=ListIntegritySerializer(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        from ddr.lists.selectors import list_integrity

        lists = SubmittedList.objects.all()
        if raw := request.query_params.get("list"):
            if not raw.isdecimal() or not lists.filter(pk=raw).exists():
                raise ValidationError({"list": ["Unknown list."]})
            lists = lists.filter(pk=raw)
        if code := request.query_params.get("movement"):
            if not ArmedGroup.objects.filter(code=code).exists():
                raise ValidationError({"movement": ["Unknown movement."]})
            lists = lists.filter(movement__code=code)
        if for_analyst(request.user):
            return Response(self._visible(request.query_params))
        report = list_integrity(lists)
        result = [
            {"indicator": key, "count": count, "share": report["shares"].get(key), "suppressed": False}
            for key, count in report["counts"].items()
        ]
        return Response(result)

    def _visible(self, params: Any) -> list[dict[str, Any]]:
        """Analysts: one base table, movement x indicator, small cells dropped; the national
        figure is the sum of the visible cells. One list is refused: a list minus its movement
        would isolate the rest."""
        from ddr.lists.selectors import list_integrity

        if params.get("list"):
            raise ValidationError(
                {"list": [_("Analysts read the integrity of lists per movement or overall, not per list.")]}
            )
        cells: dict[tuple, int] = {}
        for movement_id, code in ArmedGroup.objects.values_list("id", "code"):
            lists = SubmittedList.objects.filter(movement_id=movement_id)
            if lists.exists():
                cells |= {(code, k): n for k, n in list_integrity(lists)["counts"].items()}
        base = Base(["movement", "indicator"], cells)
        if code := params.get("movement"):
            base = base.where(movement=code)
        counts = {k: n for (k,), n in base.margin("indicator").items()}
        people = counts.get("people", 0)
        return [
            {
                "indicator": key,
                "count": counts.get(key, 0),
                "share": counts.get(key, 0) / people if people and key in SHARED else None,
                "suppressed": True,
            }
            for key in INDICATORS
        ]


# The indicators of `dedup.list_integrity`, and those given as a share of the people.
INDICATORS = [
    "people",
    "duplicates_inside",
    "registered_elsewhere",
    "other_movement",
    "weapons_declared_twice",
    "documents_just_before",
    "under_18",
]


SHARED = set(INDICATORS) - {"people", "weapons_declared_twice"}
