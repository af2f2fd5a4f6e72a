from __future__ import annotations

from typing import Any

from django.db.models import Count
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.permissions import ALL_ROLES, RULESET_READ_ROLES
from core.models import Region
from core.suppression import HIDDEN_GROUPS, SUPPRESSED, for_analyst
from ddr.eligibility.models import RuleSet
from ddr.eligibility.selectors import requirement_table
from ddr.lists.models import ArmedGroup
from ddr.registration.models import Category, Combatant
from ddr.registration.selectors import Scope


class PathwayCountSerializer(serializers.Serializer):
    pathway = serializers.CharField(required=False)
    region = serializers.CharField(required=False)
    movement = serializers.CharField(required=False)
    sex = serializers.CharField(required=False)
    count = serializers.IntegerField(allow_null=True, help_text=HIDDEN_GROUPS)
    suppressed = serializers.BooleanField(help_text=SUPPRESSED)


class PathwayCountsView(APIView):
    """People per pathway, grouped by any of pathway, region, movement and sex (`by`).

    Children are never counted here. For analysts, every count is a sum of the register's base
    cells of 5 or more (`core.suppression`): groups smaller than 5 are left out, and a group
    with nothing left is not listed."""

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
    def get(self, request: AuthenticatedRequest) -> Response:
        names = [n.strip() for n in request.query_params.get("by", "pathway").split(",") if n.strip()]
        unknown = [n for n in names if n not in DIMENSIONS]
        if unknown or not names:
            raise ValidationError({"by": [f"Unknown grouping: {', '.join(unknown) or '(empty)'}."]})
        if for_analyst(request.user):
            return Response(self._visible(request.user, names))
        columns = [DIMENSIONS[n] for n in names]
        people = (
            Combatant.objects.for_user(request.user)
            .exclude(category=Category.CHILD)
            .exclude(status=Combatant.Status.MERGED)  # one person, counted by the record kept
        )
        rows = people.values(*columns).annotate(count=Count("id")).order_by(*columns)
        result = []
        for row in rows:
            item = {name: row[column] for name, column in zip(names, columns, strict=True)}
            item.update(count=row["count"], suppressed=False)
            result.append(item)
        return Response(result)

    def _visible(self, user: User, names: list[str]) -> list[dict[str, Any]]:
        """Analysts: margins of the register's base table (`ddr.registration.selectors.Scope.register`), the
        same cells as the dashboard's, so no grouping, filter or period isolates a small one."""
        columns = {"pathway": "pathway", "region": "region_id", "movement": "movement_id", "sex": "sex"}
        labels = {
            "region": dict(Region.objects.values_list("id", "code")),
            "movement": dict(ArmedGroup.objects.values_list("id", "code")),
        }
        counted = Scope(user).register.margin(*(columns[n] for n in names))
        result = []
        for key, count in counted.items():
            item: dict[str, Any] = {
                name: labels[name].get(value, value) if name in labels else value
                for name, value in zip(names, key, strict=True)
            }
            result.append({**item, "count": count, "suppressed": True})
        return sorted(result, key=lambda item: [str(item[n]) for n in names])


DIMENSIONS = {"pathway": "pathway", "region": "region__code", "movement": "movement__code", "sex": "sex"}




ASKED = ("weapon", "medical", "vetting", "age_verification")


class RequirementSerializer(serializers.Serializer):
    pathway = serializers.CharField()
    weapon = serializers.BooleanField()
    medical = serializers.BooleanField()
    vetting = serializers.BooleanField()
    age_verification = serializers.BooleanField()
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True)
    own = serializers.ListField(
        child=serializers.CharField(),
        help_text="The values the pathway's own line gives (the others follow the general fields).",
    )


class RuleSetSerializer(serializers.ModelSerializer):
    requirements = serializers.SerializerMethodField()

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "name",
            "version",
            "status",
            "effective_from",
            "effective_to",
            "min_age",
            "integration_requires_weapon",
            "medical_fitness_required",
            "vetting_required",
            "age_verification_required",
            "civilian_choice_respected",
            "category_pathways",
            "integration_fallback",
            "quotas",
            "priority",
            "requirements",
        ]
        read_only_fields = fields

    @extend_schema_field(RequirementSerializer(many=True))
    def get_requirements(self, ruleset: RuleSet) -> list[dict[str, Any]]:
        """Every pathway into the State with what it asks, each value resolved."""
        return [
            {
                "pathway": row.pathway,
                **{k: bool(getattr(row.needs, k)) for k in ASKED},
                "min_age": row.needs.min_age if row.needs.min_age is not None else ruleset.min_age,
                "max_age": row.needs.max_age,
                "own": list(row.own.as_dict()),
            }
            for row in requirement_table(ruleset)
        ]


class RuleSetViewSet(viewsets.ReadOnlyModelViewSet):
    """The versioned rule sets, read-only, with the requirements of each pathway into the State.
    Changed only through the rule-set screens (drafts, audited, activated with a recomputation)."""

    allowed_roles = RULESET_READ_ROLES
    serializer_class = RuleSetSerializer
    filterset_fields = ["status"]

    def get_queryset(self) -> Any:
        return RuleSet.objects.order_by("-effective_from", "-version")
