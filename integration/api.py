"""Integration API: units with their one-third figures, memberships (pseudonymised for analysts),
compliance history, cohort progress and targets, desertion counts (suppressed below 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES, CASE_ROLES
from core.api import PersonRef
from core.suppression import HIDDEN_GROUPS, for_analyst, is_period_end, visible
from ddr.registration.selectors import Scope
from integration import selectors, services
from integration.models import Cohort, ComplianceCheck, IntegrationTarget, Membership, Unit


class UnitSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    strength = serializers.SerializerMethodField()
    command = serializers.SerializerMethodField()
    one_third_deviations = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "location",
            "parent_structure",
            "established",
            "dissolved",
            "authorised_strength",
            "strength",
            "command",
            "one_third_deviations",
        ]

    def _thirds(self, unit: Unit) -> Any:
        return self.context.get("thirds", {}).get(unit.pk)

    def get_strength(self, unit: Unit) -> dict[str, int]:
        t = self._thirds(unit)
        return t.strength if t else {}

    def get_command(self, unit: Unit) -> dict[str, int]:
        t = self._thirds(unit)
        return t.command if t else {}

    def get_one_third_deviations(self, unit: Unit) -> list[str]:
        t = self._thirds(unit)
        return [d.code for d in t.deviations] if t else []


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units with today's strength and command positions by party, and the one-third deviations.
    Analysts: at the end of last month, sums of the visible cells of (unit, party, role)."""

    allowed_roles = ALL_ROLES
    serializer_class = UnitSerializer
    filterset_fields = ["kind", "region__code"]

    def get_queryset(self) -> Any:
        return Unit.objects.for_user(self.request.user).select_related("region").order_by("id")

    def get_serializer_context(self) -> dict[str, Any]:
        # Every unit's figures in one grouped query, whatever the page size.
        if for_analyst(self.request.user):
            measured = services.thirds(self.get_queryset(), services.analyst_day(), suppressed=True)
        else:
            measured = services.thirds(self.get_queryset())
        return {**super().get_serializer_context(), "thirds": measured}


class MembershipSerializer(serializers.ModelSerializer):
    person = PersonRef(source="combatant_id", purpose="unit-memberships")

    class Meta:
        model = Membership
        fields = ["id", "unit", "person", "party", "role", "rank", "start", "end", "leaving"]


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """Who served where and when, for case staff. Analysts read counts (`integration/desertions/`,
    units' strength): a row per member, joined on anything, would name a unit's commanders."""

    allowed_roles = CASE_ROLES
    serializer_class = MembershipSerializer
    filterset_fields = ["unit", "party", "role", "leaving"]

    def get_queryset(self) -> Any:
        return Membership.objects.for_user(self.request.user).order_by("id")


class ComplianceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplianceCheck
        fields = ["unit", "day", "strength", "command", "deviations", "compliant"]

    def to_representation(self, check: ComplianceCheck) -> dict[str, Any]:
        data = super().to_representation(check)
        if for_analyst(self.context["request"].user):
            shown = services.visible_check(check)
            data |= {
                "strength": shown.strength,
                "command": shown.command,
                "deviations": [d.code for d in shown.deviations],
                "compliant": not shown.deviations,
            }
        return data


class ComplianceViewSet(viewsets.ReadOnlyModelViewSet):
    """The one-third rule as measured each day by the worker. Analysts read the checks of the
    last day of each period of their grain (`DDR_ANALYST_PERIOD_MONTHS`; a day-to-day difference
    is who joined or left), their figures sums
    of visible cells (party, command | rank and file) and judged again on those."""

    allowed_roles = ALL_ROLES
    serializer_class = ComplianceSerializer
    filterset_fields = ["unit"]

    def get_queryset(self) -> Any:
        checks = ComplianceCheck.objects.filter(unit__in=Unit.objects.for_user(self.request.user))
        if for_analyst(self.request.user):
            checks = checks.filter(day__in=period_ends(checks))
        elif "compliant" in self.request.query_params:  # staff: the stored verdict
            checks = checks.filter(compliant=self.request.query_params["compliant"].lower() in ("true", "1"))
        return checks.order_by("-day", "unit")


def period_ends(checks: Any) -> list[dt.date]:
    return [day for day in checks.values_list("day", flat=True).distinct() if is_period_end(day)]


class CohortProgressSerializer(serializers.Serializer):
    cohort = serializers.CharField()
    candidates = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    reported = serializers.DictField(child=serializers.IntegerField(allow_null=True))


class TargetSerializer(serializers.Serializer):
    name = serializers.CharField()
    structure = serializers.CharField()
    number = serializers.IntegerField()
    military_number = serializers.IntegerField(allow_null=True)
    civil_number = serializers.IntegerField(allow_null=True)
    start = serializers.DateField()
    deadline = serializers.DateField()
    reference = serializers.CharField(help_text="Where the target comes from (the report's passage).")
    integrated = serializers.IntegerField(help_text=HIDDEN_GROUPS)


class PathwayProgressSerializer(serializers.Serializer):
    structure = serializers.CharField(help_text="A pathway into the State, or `state` for all of them.")
    reached = serializers.IntegerField(help_text=HIDDEN_GROUPS)
    target = serializers.CharField(allow_null=True, help_text="The name of the target in force.")
    number = serializers.IntegerField(allow_null=True)
    deadline = serializers.DateField(allow_null=True)
    military = serializers.IntegerField(allow_null=True)
    military_number = serializers.IntegerField(allow_null=True)
    civil = serializers.IntegerField(allow_null=True)
    civil_number = serializers.IntegerField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    cohorts = CohortProgressSerializer(many=True)
    targets = TargetSerializer(many=True)
    pathways = PathwayProgressSerializer(many=True)


class IntegrationProgressView(APIView):
    """Each cohort's candidates by step, progress against the targets, and every pathway into the
    State against its target in force (people whose pathway it is and who reached it; a regional
    officer counts their region). For analysts, every count is a sum of visible base cells
    (`core.suppression`): groups below 5 are left out. No names, whoever reads."""

    allowed_roles = ALL_ROLES

    @extend_schema(responses=ProgressSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        hide = for_analyst(user)
        scope = Scope(user)
        cohorts = Cohort.objects.for_user(user).order_by("name")
        steps = services.cohort_counts(cohorts, suppressed=hide)

        def reported(n: int | None) -> int | None:
            return visible(n) if hide and n is not None else n

        data = {
            "cohorts": [
                {
                    "cohort": c.name,
                    "candidates": steps.get(c.pk, {}),
                    "reported": {
                        "registered": reported(c.reported_registered),
                        "biometric": reported(c.reported_biometric),
                        "fit": reported(c.reported_fit),
                        "unfit": reported(c.reported_unfit),
                    },
                }
                for c in cohorts
            ],
            "targets": [
                {
                    "name": p.target.name,
                    "structure": p.target.structure,
                    "number": p.target.number,
                    "military_number": p.target.military_number,
                    "civil_number": p.target.civil_number,
                    "start": p.target.start,
                    "deadline": p.target.deadline,
                    "reference": p.target.source,
                    "integrated": p.integrated,
                }
                for p in services.target_progress(
                    IntegrationTarget.objects.all(),
                    suppressed=hide,
                    register=scope.register if hide else None,
                )
            ],
            "pathways": [
                {
                    "structure": row.structure,
                    "reached": row.reached,
                    "target": row.target.name if row.target else None,
                    "number": row.target.number if row.target else None,
                    "deadline": row.target.deadline if row.target else None,
                    "military": row.military,
                    "military_number": row.target.military_number if row.target else None,
                    "civil": row.civil,
                    "civil_number": row.target.civil_number if row.target else None,
                }
                for row in selectors.pathway_progress(scope)
            ],
        }
        return Response(ProgressSerializer(data).data)


class DesertionCountSerializer(serializers.Serializer):
    unit = serializers.CharField()
    party = serializers.CharField()
    count = serializers.IntegerField(help_text=HIDDEN_GROUPS)


class DesertionCountsView(APIView):
    """Desertions per unit and party between two dates. For analysts, whole periods of their grain
    only (`DDR_ANALYST_PERIOD_MONTHS`), and every count a sum of the (unit, party, period) cells
    of 5 or more (`core.suppression`)."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        responses=DesertionCountSerializer(many=True),
        parameters=[
            OpenApiParameter("from", str, description="YYYY-MM-DD"),
            OpenApiParameter("to", str, description="YYYY-MM-DD"),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        period: dict[str, dt.date | None] = {}
        for param in ("from", "to"):
            value = request.query_params.get(param, "")
            try:
                period[param] = dt.date.fromisoformat(value) if value else None
            except ValueError as exc:
                raise serializers.ValidationError({param: ["YYYY-MM-DD"]}) from exc
        rows = services.desertion_counts(request.user, start=period["from"], end=period["to"])
        data = [{"unit": r["unit__name"], "party": r["party"], "count": r["n"]} for r in rows]
        return Response(DesertionCountSerializer(data, many=True).data)


class StatePathwayCountSerializer(serializers.Serializer):
    structure = serializers.CharField()
    step = serializers.CharField()
    count = serializers.IntegerField(help_text=HIDDEN_GROUPS)


class StatePathwayCountsView(APIView):
    """People in each pathway into the State (recall of ex-MDSF, civil service, territorial
    police, other security forces, defectors' recruitment) by structure and step, among those the
    reader may see. Counts only, never a name; for analysts, cells below 5 are left out
    (`core.suppression`), so a structure's total is the sum of its visible steps."""

    allowed_roles = ALL_ROLES

    @extend_schema(responses=StatePathwayCountSerializer(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        base = services.state_base(request.user)
        data = [
            {"structure": structure, "step": step, "count": n}
            for (structure, step), n in sorted(base.cells.items())
        ]
        return Response(StatePathwayCountSerializer(data, many=True).data)
