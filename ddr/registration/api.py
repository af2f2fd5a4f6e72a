from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers, viewsets
from rest_framework.filters import OrderingFilter

from accounts.permissions import CASE_ROLES
from core.api import AskedFiltersBackend, PlainListMixin, PlainRows
from core.exports import IdentifyingListMixin
from core.pagination import PageOrCursorPagination
from ddr.registration.filters import PersonFilter
from ddr.registration.models import Combatant

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


class PersonSerializer(PlainRows, serializers.ModelSerializer):
    """Commission staff: the full record within their scope."""

    row_lookups = {"waitlist_position": "waiting_place__position"}
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


class PersonViewSet(PlainListMixin, IdentifyingListMixin, viewsets.ReadOnlyModelViewSet):
    """Registered people, for case staff. Analysts read aggregates only (a register they could
    count, even pseudonymised, gives small cells away): 403. For staff the list names people: it is
    logged like an export, throttled, and read beyond its first page (or in bulk) only with a stated
    purpose (`purpose` or the `X-Purpose` header)."""

    export_name = "api:people"

    allowed_roles = CASE_ROLES
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    filter_backends = [AskedFiltersBackend, OrderingFilter]
    pagination_class = PageOrCursorPagination  # `?cursor=` for bulk readers: no count
    ordering_fields = ["registered_at", "birth_year"]
    # No default `ordering`: DRF's would undo the filter set's `sort`; the queryset is in id order.

    def get_queryset(self) -> Any:
        return (
            Combatant.objects.for_user(self.request.user)
            .select_related("region", "movement", "waiting_place")
            .order_by("id")
        )


# --- aggregates ---------------------------------------------------------------------------
