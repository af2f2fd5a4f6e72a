"""The register of decisions and the roadmaps over the API: read-only, for every role that reads
them in the browser (nothing in them identifies a person)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from accounts.permissions import GOVERNANCE_READ_ROLES
from core.models import Decision
from programme.governance.models import Roadmap, RoadmapAction


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    class Meta:
        model = Decision
        fields = ["id", "body", "taken_on", "reference", "title", "text"]


class DecisionViewSet(viewsets.ReadOnlyModelViewSet[Decision]):
    allowed_roles = GOVERNANCE_READ_ROLES
    serializer_class = DecisionSerializer
    queryset = Decision.objects.all()
    filterset_fields = ["body"]


class ActionSerializer(serializers.ModelSerializer[RoadmapAction]):
    class Meta:
        model = RoadmapAction
        fields = [
            "number",
            "theme",
            "text",
            "responsible",
            "deadline_text",
            "deadline",
            "status",
            "done_on",
            "evidence",
            "overdue",
        ]


class RoadmapSerializer(serializers.ModelSerializer[Roadmap]):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Roadmap
        fields = ["id", "title", "adopted_on", "decision", "actions"]


class RoadmapViewSet(viewsets.ReadOnlyModelViewSet[Roadmap]):
    allowed_roles = GOVERNANCE_READ_ROLES
    serializer_class = RoadmapSerializer
    queryset = Roadmap.objects.prefetch_related("actions")
