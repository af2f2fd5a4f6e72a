from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from accounts.permissions import ALL_ROLES

from .models import Unit


class UnitSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "location",
            "established",
            "dissolved",
            "authorised_strength",
        ]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = UnitSerializer
    filterset_fields = ["kind", "region__code"]

    def get_queryset(self) -> Any:
        return Unit.objects.for_user(self.request.user).select_related("region").order_by("id")
