from __future__ import annotations

from typing import Any

from django.db.models import Count
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import ALL_ROLES, CASE_ROLES
from core.exports import IdentifyingListMixin

from .filters import PersonFilter
from .models import ArmedGroup, Category, Coalition, CoalitionMembership, Combatant, SubmittedList


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
        fields = ["id", "code", "name", "kind", "split_from", "listed_for_child_recruitment", "coalitions"]


class CoalitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Coalition
        fields = ["id", "code", "name", "signatory"]


# The decision and the screening outcomes: for staff, and pseudonymised for analysts.
DECISION_FIELDS = [
    "pathway",
    "pathway_reason",
    "pathway_ruleset",
    "waitlist_position",
    "age_verified",
    "medical_status",
    "vetting_status",
]


@extend_schema_field({"type": "integer", "nullable": True, "minimum": 1})
class WaitlistPositionField(serializers.ReadOnlyField):
    """The place on the pathway's waiting list (1 = next in), or null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", **kwargs)

    def to_representation(self, person: Combatant) -> int | None:
        place = getattr(person, "waiting_place", None)
        return place.position if place else None


class PersonSerializer(serializers.ModelSerializer):
    """Commission staff: the full record within their scope."""

    waitlist_position = WaitlistPositionField()

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    movement = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Combatant
        fields = [
            "id",
            "registration_number",
            "given_name",
            "family_name",
            "sex",
            "birth_date",
            "birth_year",
            "birth_year_approximate",
            "region",
            "movement",
            "category",
            "status",
            "has_weapon",
            "registered_at",
            *DECISION_FIELDS,
        ]


class PseudonymisedPersonSerializer(serializers.ModelSerializer):
    """Analysts: no name, document, exact birth date or registration number; a keyed pseudonym."""

    waitlist_position = WaitlistPositionField()

    pseudonym = serializers.CharField(read_only=True)
    birth_year = serializers.SerializerMethodField()
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    movement = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Combatant
        fields = [
            "pseudonym",
            "sex",
            "birth_year",
            "region",
            "movement",
            "category",
            "status",
            "has_weapon",
            *DECISION_FIELDS,
        ]

    def get_birth_year(self, person: Combatant) -> int | None:
        return person.birth_date.year if person.birth_date else person.birth_year


class PseudonymisedPersonFilter(PersonFilter):
    """Analysts filter, but never search by name or document number."""

    q = None  # type: ignore[assignment]


@extend_schema_view(
    list=extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="PersonForRole",
            resource_type_field_name=None,
            serializers=[PersonSerializer, PseudonymisedPersonSerializer],
        )
    ),
)
class PersonViewSet(IdentifyingListMixin, viewsets.ReadOnlyModelViewSet):
    """Registered people. Analysts receive pseudonymised records and cannot open one by id.
    For staff the list names people: it is logged like an export, throttled, and read beyond its
    first page (or in bulk) only with a stated purpose (`purpose` or the `X-Purpose` header)."""

    export_name = "api:people"

    allowed_roles = ALL_ROLES
    ordering_fields = ["registered_at", "birth_year"]
    ordering = ["id"]

    @property
    def filterset_class(self) -> Any:  # read by django-filter's backend for each request
        request = getattr(self, "request", None)
        analyst = getattr(getattr(request, "user", None), "is_analyst", False)
        return PseudonymisedPersonFilter if analyst else PersonFilter

    def get_queryset(self) -> Any:
        return (
            Combatant.objects.for_user(self.request.user)
            .select_related("region", "movement", "waiting_place")
            .order_by("id")
        )

    def get_serializer_class(self) -> Any:
        user: Any = self.request.user
        return PseudonymisedPersonSerializer if user.is_analyst else PersonSerializer

    @extend_schema(responses=PersonSerializer)
    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # An id lookup would tie a pseudonym back to a database id: analysts use the list.
        if request.user.is_analyst or request.user.role not in CASE_ROLES:
            from rest_framework.exceptions import NotFound

            raise NotFound
        return super().retrieve(request, *args, **kwargs)


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
            "sha256",
            "row_count",
        ]


class SubmittedListViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists as submitted by movements (metadata; entries are read through people with ?list=)."""

    allowed_roles = ALL_ROLES
    serializer_class = SubmittedListSerializer
    filterset_fields = ["status", "submitted_to", "movement__code"]
    queryset = SubmittedList.objects.select_related("movement").order_by("id")


# --- aggregates ---------------------------------------------------------------------------

SUPPRESS_BELOW = 5
DIMENSIONS = {"pathway": "pathway", "region": "region__code", "movement": "movement__code", "sex": "sex"}


class PathwayCountSerializer(serializers.Serializer):
    pathway = serializers.CharField(required=False)
    region = serializers.CharField(required=False)
    movement = serializers.CharField(required=False)
    sex = serializers.CharField(required=False)
    count = serializers.IntegerField(allow_null=True, help_text="null when suppressed")
    suppressed = serializers.BooleanField(help_text="For analysts, counts below 5 are not given.")


class ListIntegritySerializer(serializers.Serializer):
    indicator = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="null when suppressed")
    share = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(help_text="For analysts, counts below 5 are not given.")


class ListIntegrityView(APIView):
    """The integrity of lists as aggregates (per list with `list`, per movement with `movement`,
    or all): probable duplicates inside, people registered elsewhere or on another movement's
    list, weapon serials declared twice, documents issued just before registration, minors.
    For analysts, any count below 5 is suppressed, with its share."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        parameters=[
            OpenApiParameter("list", int, description="One submitted list."),
            OpenApiParameter("movement", str, description="A movement's code: all its lists."),
        ],
        responses=ListIntegritySerializer(many=True),
    )
    def get(self, request: Any) -> Response:
        from .dedup import list_integrity

        lists = SubmittedList.objects.all()
        if raw := request.query_params.get("list"):
            if not raw.isdigit() or not lists.filter(pk=raw).exists():
                raise ValidationError({"list": ["Unknown list."]})
            lists = lists.filter(pk=raw)
        if code := request.query_params.get("movement"):
            if not ArmedGroup.objects.filter(code=code).exists():
                raise ValidationError({"movement": ["Unknown movement."]})
            lists = lists.filter(movement__code=code)
        report = list_integrity(lists)
        suppress = request.user.is_analyst
        result = []
        for key, count in report["counts"].items():
            hidden = suppress and count < SUPPRESS_BELOW
            share = report["shares"].get(key)
            result.append(
                {
                    "indicator": key,
                    "count": None if hidden else count,
                    "share": None if hidden else share,
                    "suppressed": hidden,
                }
            )
        return Response(result)


class PathwayCountsView(APIView):
    """People per pathway, grouped by any of pathway, region, movement and sex (`by`).

    Children are never counted here. For analysts, any count below 5 is suppressed."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "by",
                str,
                description="Comma-separated: pathway, region, movement, sex (default: pathway).",
            )
        ],
        responses=PathwayCountSerializer(many=True),
    )
    def get(self, request: Any) -> Response:
        names = [n.strip() for n in request.query_params.get("by", "pathway").split(",") if n.strip()]
        unknown = [n for n in names if n not in DIMENSIONS]
        if unknown or not names:
            raise ValidationError({"by": [f"Unknown grouping: {', '.join(unknown) or '(empty)'}."]})
        columns = [DIMENSIONS[n] for n in names]
        people = (
            Combatant.objects.for_user(request.user)
            .exclude(category=Category.CHILD)
            .exclude(status=Combatant.Status.MERGED)  # one person, counted by the record kept
        )
        rows = people.values(*columns).annotate(count=Count("id")).order_by(*columns)
        suppress = request.user.is_analyst
        result = []
        for row in rows:
            hidden = suppress and row["count"] < SUPPRESS_BELOW
            item = {name: row[column] for name, column in zip(names, columns, strict=True)}
            item.update(count=None if hidden else row["count"], suppressed=hidden)
            result.append(item)
        return Response(result)
