from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from accounts.permissions import ALL_ROLES

from .models import Site


class SiteSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    proposed_by = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "region",
            "proposed_by",
            "capacity",
            "places_for_women",
            "latitude",
            "longitude",
        ]


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = SiteSerializer
    filterset_fields = ["kind", "status", "region__code"]

    def get_queryset(self) -> Any:
        return Site.objects.for_user(self.request.user).select_related("region", "proposed_by").order_by("id")
