"""The opportunity map, read-only: reference data per region and cercle (no person in it), so
analysts read it as staff do. A regional officer reads their region's lines."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES
from ddr.reintegration.profiles.models import Opportunity


class OpportunitySerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cercle = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    trade = serializers.SlugRelatedField(slug_field="code", read_only=True)
    trade_name = serializers.CharField(source="trade.name", read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "region",
            "cercle",
            "trade",
            "trade_name",
            "demand",
            "provider",
            "capacity",
            "partners",
            "source",
            "studied_on",
        ]


class OpportunityViewSet(viewsets.ReadOnlyModelViewSet):
    """Lines of the opportunity map: a trade's demand in a region (no cercle: the whole region)
    or one of its cercles, its training provider and places, partners, and the study it comes
    from. Filters: `region__code`, `trade__code`, `demand`."""

    allowed_roles = ALL_ROLES
    serializer_class = OpportunitySerializer
    filterset_fields = ["region__code", "trade__code", "demand"]
    request: AuthenticatedRequest

    def get_queryset(self) -> Any:
        return (
            Opportunity.objects.for_user(self.request.user)
            .select_related("region", "cercle", "trade")
            .order_by("region__code", "cercle__name", "trade__code", "id")
        )
