from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from accounts.permissions import ALL_ROLES, CASE_ROLES

from .filters import PersonFilter
from .models import ArmedGroup, Coalition, CoalitionMembership, Combatant, SubmittedList


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


class PersonSerializer(serializers.ModelSerializer):
    """Commission staff: the full record within their scope."""

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
        ]


class PseudonymisedPersonSerializer(serializers.ModelSerializer):
    """Analysts: no name, document, exact birth date or registration number; a keyed pseudonym."""

    pseudonym = serializers.CharField(read_only=True)
    birth_year = serializers.SerializerMethodField()
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    movement = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Combatant
        fields = ["pseudonym", "sex", "birth_year", "region", "movement", "category", "status", "has_weapon"]

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
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """Registered people. Analysts receive pseudonymised records and cannot open one by id."""

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
            Combatant.objects.for_user(self.request.user).select_related("region", "movement").order_by("id")
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
