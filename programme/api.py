"""The dashboard through the API: every figure of the page, for analysts small counts suppressed."""

from __future__ import annotations

import datetime as dt
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
from ddr.registration.selectors import Scope
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
    units = serializers.DictField(child=serializers.IntegerField())
    cvr = serializers.DictField()
    duplicates = serializers.DictField(help_text=f"movement -> open pairs and held lists; {HIDDEN_GROUPS}")
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



