"""The dashboard through the API: every figure of the page, for analysts small counts suppressed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES
from core.suppression import HIDDEN_GROUPS, SUPPRESSED
from ddr.models import Acceptance, Entitlement, Phase
from ddr.registration.selectors import Scope
from programme import reintegration
from programme.dashboard import PANELS, read_filters

DASHBOARD_FILTERS = [
    OpenApiParameter("region", str, description="Region code (see /api/regions/)"),
    OpenApiParameter("from", dt.date, description="Registered from (YYYY-MM-DD)"),
    OpenApiParameter("to", dt.date, description="Registered until (YYYY-MM-DD)"),
]


class DashboardSerializer(serializers.Serializer):
    funnel = serializers.ListField(child=serializers.ListField(), help_text=f"[step, count]; {HIDDEN_GROUPS}")
    pathways = serializers.DictField(help_text=f"pathway -> region -> count; {HIDDEN_GROUPS}")
    pathway_by_sex = serializers.DictField(help_text=f"pathway -> sex -> count; {HIDDEN_GROUPS}")
    pathway_by_movement = serializers.DictField(help_text=f"pathway -> movement -> count; {HIDDEN_GROUPS}")
    quotas = serializers.ListField(child=serializers.ListField(), help_text="[pathway, quota, places taken]")
    sites = serializers.DictField(child=serializers.IntegerField())
    integration_targets = serializers.ListField(
        child=serializers.ListField(), help_text="[target, number, done]"
    )
    pathway_progress = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each pathway into the State, then `state`: people who reached it (`reached`, "
        f"`military`, `civil`) against the target in force (`target`, `number`, ...); {HIDDEN_GROUPS}",
    )
    units = serializers.DictField(child=serializers.IntegerField())
    cvr = serializers.DictField()
    duplicates = serializers.DictField(help_text=f"movement -> open pairs and held lists; {HIDDEN_GROUPS}")
    reintegration = serializers.DictField(help_text="As /api/reintegration/summary/, without `suppressed`")
    suppressed = serializers.BooleanField()


class DashboardFigureSerializer(serializers.Serializer):
    figure = serializers.ChoiceField(choices=sorted(PANELS))
    suppressed = serializers.BooleanField(help_text=SUPPRESSED)
    # DRF's metaclass takes declared fields off the class: `.data` stays the serializer's output.
    data = serializers.JSONField(help_text="The figure, shaped as in /api/dashboard/")  # type: ignore[assignment]


def dashboard_scope(request: AuthenticatedRequest) -> Scope:
    """The reader and the filters of a dashboard request; a bad filter is a 400 naming it."""
    filters, errors = read_filters(request.query_params)
    if errors:
        raise exceptions.ValidationError(errors)
    scope = Scope(request.user, **filters)  # a period an analyst may not read: 400 on `period`
    if filters["region"] and not scope.region_id:
        errors["region"] = [str(_("Unknown region code."))]
    if errors:
        raise exceptions.ValidationError(errors)
    return scope


def _plain(value: Any) -> Any:
    """Decimals as strings, tuples as lists: what JSON carries without losing a cent."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class DashboardView(APIView):
    """Every figure of the dashboard, filtered like the page (`region`, `from`, `to`). For analysts,
    periods are whole periods of their grain (`DDR_ANALYST_PERIOD_MONTHS`: months, quarters or
    years) and every count is a sum of the cells of 5 or more of one base table
    (`core.suppression`): groups smaller than 5 are left out of every figure."""

    allowed_roles = ALL_ROLES

    @extend_schema(operation_id="dashboard", responses=DashboardSerializer, parameters=DASHBOARD_FILTERS)
    def get(self, request: AuthenticatedRequest) -> Response:
        scope = dashboard_scope(request)
        data = {name: _plain(panel(scope)) for name, panel in PANELS.items()}
        return Response(DashboardSerializer({**data, "suppressed": scope.analyst}).data)


class DashboardFigureView(APIView):
    """One figure of the dashboard, with the same filters and suppression as `/api/dashboard/`;
    it reads only what that figure needs."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        operation_id="dashboard_figure",
        responses=DashboardFigureSerializer,
        parameters=[
            OpenApiParameter("figure", str, OpenApiParameter.PATH, enum=sorted(PANELS)),
            *DASHBOARD_FILTERS,
        ],
    )
    def get(self, request: AuthenticatedRequest, figure: str) -> Response:
        if figure not in PANELS:
            raise exceptions.NotFound(_("No such figure."))
        scope = dashboard_scope(request)
        data = {"figure": figure, "suppressed": scope.analyst, "data": _plain(PANELS[figure](scope))}
        return Response(DashboardFigureSerializer(data).data)


# --- reinsertion and reintegration ----------------------------------------------------------

REINTEGRATION_FILTERS = [
    OpenApiParameter("region", str, description="Region code (see /api/regions/)"),
    OpenApiParameter(
        "from",
        dt.date,
        description="Enrolled from (YYYY-MM-DD); for analysts the first day of a period of their grain",
    ),
    OpenApiParameter(
        "to",
        dt.date,
        description="Enrolled until (YYYY-MM-DD); for analysts the last day of a period of their grain",
    ),
]
PERIOD = "First day of the analysts' period (DDR_ANALYST_PERIOD_MONTHS) of enrolment, YYYY-MM-DD"
AGE_BAND = "Age reached in the year of enrolment, from the birth year: 18-24, 25-34, 35-49, 50+ or unknown"


class _Row(serializers.Serializer):
    region = serializers.CharField(required=False, help_text="Region code")
    period = serializers.DateField(required=False, help_text=PERIOD)
    sex = serializers.ChoiceField(choices=["M", "F"], required=False)
    age_band = serializers.ChoiceField(
        choices=[band for band, _upper in reintegration.AGE_BANDS] + [reintegration.UNKNOWN],
        required=False,
        help_text=AGE_BAND,
    )
    people = serializers.IntegerField(help_text=HIDDEN_GROUPS)
    suppressed = serializers.BooleanField(help_text=SUPPRESSED)


class EnrolmentRowSerializer(_Row):
    phase = serializers.ChoiceField(choices=Phase.values, required=False)
    funding_source = serializers.CharField(required=False, help_text="Funding source code")
    outcome = serializers.ChoiceField(
        choices=[o for o, _label in reintegration.Outcome.choices],
        required=False,
        help_text="dropped: the enrolment was dropped; else the person's status (reinserted, reintegrated), "
        "else ongoing",
    )


class EntitlementRowSerializer(_Row):
    phase = serializers.ChoiceField(choices=Phase.values, required=False)
    funding_source = serializers.CharField(required=False, help_text="Funding source code")
    state = serializers.ChoiceField(choices=Entitlement.State.values, required=False)
    entitlements = serializers.IntegerField(help_text="Entitlements of the people counted (same cells)")
    amount_xof = serializers.IntegerField(
        help_text="Their amount in XOF, summed over the same cells as `people`: for analysts the money of "
        "a group smaller than 5 is left out with its people"
    )


class FollowUpRowSerializer(_Row):
    month = serializers.IntegerField(
        required=False, help_text="Follow-up planned this many months after enrolment"
    )
    activity_running = serializers.ChoiceField(choices=["yes", "no", reintegration.UNKNOWN], required=False)
    acceptance = serializers.ChoiceField(choices=[*Acceptance.values, reintegration.UNKNOWN], required=False)


def _by(request: AuthenticatedRequest, table: str, default: str) -> list[str]:
    """The `by` of a request: known dimensions of the table, each once; else a 400 naming them."""
    names = [n.strip() for n in request.query_params.get("by", default).split(",") if n.strip()]
    known = reintegration.DIMENSIONS[table]
    unknown = [n for n in names if n not in known]
    if unknown or not names or len(set(names)) != len(names):
        raise exceptions.ValidationError(
            {"by": [str(_("Group by one or more of: %(names)s.")) % {"names": ", ".join(known)}]}
        )
    return names


class _ReintegrationTableView(APIView):
    """Shared by the three tables: read `by` and the filters, answer the grouped rows."""

    allowed_roles = ALL_ROLES
    table = ""
    default = "region"

    def get(self, request: AuthenticatedRequest) -> Response:
        names = _by(request, self.table, self.default)
        scope = dashboard_scope(request)
        return Response(reintegration.grouped(scope, self.table, names))


def _table_schema(
    table: str, serializer: type[serializers.Serializer], what: str
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    return extend_schema(
        operation_id=f"reintegration_{table.replace('-', '_')}",
        summary=what,
        responses=serializer(many=True),
        parameters=[
            OpenApiParameter(
                "by",
                str,
                description=f"Comma-separated, each once: {', '.join(reintegration.DIMENSIONS[table])} "
                "(default: region).",
            ),
            *REINTEGRATION_FILTERS,
        ],
    )


class ReintegrationEnrolmentsView(_ReintegrationTableView):
    """People enrolled in reinsertion and reintegration packages, grouped by `by`, and what became
    of them (`outcome`). Never a row per person. For analysts every count is a sum of the cells
    of 5 people or more of one base table (region x period of enrolment x phase x funding source x
    sex x age band x outcome; `core.suppression`): smaller groups are left out, a group with
    nothing left is not listed. Children are never counted."""

    table = "enrolments"

    @_table_schema("enrolments", EnrolmentRowSerializer, "People enrolled, grouped")
    def get(self, request: AuthenticatedRequest) -> Response:
        return super().get(request)


class ReintegrationEntitlementsView(_ReintegrationTableView):
    """People with entitlements in each state (due, in a batch, paid, delivered, cancelled), the
    number of those entitlements and their amount in XOF, grouped by `by`. For analysts every
    figure is a sum over the cells of 5 people or more of one base table (region x period of
    enrolment x phase x funding source x sex x age band x state): a small group's money is left out
    with its people. Children are never counted."""

    table = "entitlements"

    @_table_schema("entitlements", EntitlementRowSerializer, "Entitlements and their amounts, grouped")
    def get(self, request: AuthenticatedRequest) -> Response:
        return super().get(request)


class ReintegrationFollowUpsView(_ReintegrationTableView):
    """People whose follow-up was done, by month after enrolment (3, 6, 12), activity running and
    social acceptance, grouped by `by`. For analysts every count is a sum of the cells of 5 people
    or more of one base table (region x period of enrolment x month x activity x acceptance x sex x
    age band). Children are never counted."""

    table = "follow-ups"

    @_table_schema("follow-ups", FollowUpRowSerializer, "Follow-up outcomes, grouped")
    def get(self, request: AuthenticatedRequest) -> Response:
        return super().get(request)


class PeriodFiguresSerializer(serializers.Serializer):
    period = serializers.DateField(help_text=PERIOD)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    enrolled = serializers.IntegerField(help_text=HIDDEN_GROUPS)
    ongoing = serializers.IntegerField()
    reinserted = serializers.IntegerField()
    reintegrated = serializers.IntegerField()
    dropped = serializers.IntegerField()


class FundingFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    envelope_xof = serializers.IntegerField(help_text="The source's envelope (not personal: whole)")
    committed_xof = serializers.IntegerField(help_text="Entitlements not cancelled; " + HIDDEN_GROUPS)
    disbursed_xof = serializers.IntegerField(help_text="Entitlements paid or delivered; " + HIDDEN_GROUPS)


class StateFiguresSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Entitlement.State.values)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    people = serializers.IntegerField(help_text=HIDDEN_GROUPS)
    entitlements = serializers.IntegerField()
    amount_xof = serializers.IntegerField()


class FollowUpFiguresSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    done = serializers.IntegerField(help_text=HIDDEN_GROUPS)
    activity_running = serializers.IntegerField()
    acceptance_good = serializers.IntegerField()
    acceptance_mixed = serializers.IntegerField()
    acceptance_poor = serializers.IntegerField()


class RegionFiguresSerializer(serializers.Serializer):
    region = serializers.CharField()
    enrolled = serializers.IntegerField(help_text=HIDDEN_GROUPS)
    ongoing = serializers.IntegerField()
    reinserted = serializers.IntegerField()
    reintegrated = serializers.IntegerField()
    dropped = serializers.IntegerField()


class ReintegrationSummarySerializer(serializers.Serializer):
    suppressed = serializers.BooleanField(help_text=SUPPRESSED)
    per_period = PeriodFiguresSerializer(
        many=True, help_text="People per period of enrolment and their outcome"
    )
    totals = serializers.DictField(child=serializers.IntegerField(), help_text="enrolled and each outcome")
    funding = FundingFiguresSerializer(many=True)
    entitlements = StateFiguresSerializer(many=True)
    follow_ups = FollowUpFiguresSerializer(many=True)
    by_region = RegionFiguresSerializer(many=True)
    by_sex_and_age = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()), help_text="age band -> sex -> enrolled"
    )


class ReintegrationSummaryView(APIView):
    """Reinsertion and reintegration at a glance, as on the dashboard: people enrolled per period
    of enrolment and what became of them, money committed and disbursed per funding source against
    its envelope, entitlements by state, follow-up outcomes by month, people by region, sex and age
    band. For analysts every figure is a sum of the cells of 5 people or more of its base table
    (`core.suppression`); amounts are left out with their people."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        operation_id="reintegration_summary",
        responses=ReintegrationSummarySerializer,
        parameters=REINTEGRATION_FILTERS,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        scope = dashboard_scope(request)
        data = {**reintegration.summary(scope), "suppressed": scope.analyst}
        return Response(ReintegrationSummarySerializer(data).data)
