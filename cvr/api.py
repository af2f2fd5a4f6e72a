from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from accounts.permissions import ALL_ROLES

from .models import Project


class ProjectSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    partner = serializers.StringRelatedField()

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "status",
            "region",
            "partner",
            "budget_usd",
            "start",
            "end",
            "beneficiaries_ex_combatants",
            "beneficiaries_community",
            "beneficiaries_women",
        ]


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = ProjectSerializer
    filterset_fields = ["kind", "status", "region__code"]

    def get_queryset(self) -> Any:
        return Project.objects.for_user(self.request.user).select_related("region", "partner").order_by("id")
