"""API plumbing shared by every app: error format and its documentation in the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.permissions import ALL_ROLES

from .models import Cercle, Region

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` for the whole request, or one list of messages per field.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: field errors, or `detail`.",
    "401": "Not authenticated: missing, invalid or expired token or session.",
    "403": "Authenticated, but this role may not do this.",
    "404": "No such record, or not visible to this user.",
    "429": "Too many requests.",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Model validation errors become 400s with field errors, never 500s."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return drf_exception_handler(exc, context)


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular hook: every operation documents its error responses."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, path_item in result.get("paths", {}).items():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            codes = ["400", "401", "403", "429"] + (["404"] if "{" in path else [])
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result


# Reference data endpoints.


class CercleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cercle
        fields = ["id", "name"]


class RegionSerializer(serializers.ModelSerializer):
    cercles = CercleSerializer(many=True, read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "cercles"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = RegionSerializer
    queryset = Region.objects.prefetch_related("cercles").order_by("name")


class DashboardSerializer(serializers.Serializer):
    funnel = serializers.ListField(
        child=serializers.ListField(), help_text="[step, count]; count null when suppressed"
    )
    pathways = serializers.DictField(help_text="pathway -> region -> count (null when suppressed)")
    pathway_by_sex = serializers.DictField()
    quotas = serializers.ListField(child=serializers.ListField())
    sites = serializers.DictField(child=serializers.IntegerField())
    integration_targets = serializers.ListField(child=serializers.ListField())
    units = serializers.DictField(child=serializers.IntegerField())
    cvr = serializers.DictField()
    duplicates = serializers.DictField()
    suppressed = serializers.BooleanField()


class DashboardView(APIView):
    """Every figure of the dashboard, filtered like the page (`region`, `from`, `to`). For analysts,
    counts below 5 are suppressed, and so is one more cell wherever a suppressed one could be
    derived from the others."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        responses=DashboardSerializer,
        parameters=[
            OpenApiParameter("region", str, description="Region code"),
            OpenApiParameter("from", str, description="Registered from (YYYY-MM-DD)"),
            OpenApiParameter("to", str, description="Registered until (YYYY-MM-DD)"),
        ],
    )
    def get(self, request: Any) -> Response:
        from dataclasses import asdict

        from .dashboard import figures

        params = {}
        for name, key in (("from", "start"), ("to", "end")):
            value = request.query_params.get(name, "")
            if value:
                try:
                    params[key] = dt.date.fromisoformat(value)
                except ValueError as exc:
                    raise exceptions.ValidationError({name: ["YYYY-MM-DD"]}) from exc
        board = figures(request.user, region=request.query_params.get("region", "")[:16], **params)
        data = asdict(board)
        data["cvr"]["budget_usd"] = str(data["cvr"]["budget_usd"])
        data.pop("notes", None)
        return Response(DashboardSerializer(data).data)
