"""API plumbing shared by every app: error format and its documentation in the schema."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.permissions import ALL_ROLES
from core.errors import Refused
from core.models import Cercle, Region
from core.suppression import for_analyst, pseudonym_for

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
    """A service's refusal and a model's validation error become 400s with field errors, never
    500s: the refusal's message under the field it names (`core.errors.Refused`)."""
    if isinstance(exc, Refused):
        exc = exceptions.ValidationError({exc.field: [str(exc)]})
    elif isinstance(exc, DjangoValidationError):
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


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to a record the requesting user may see: another region's is 'does not exist'."""

    def get_queryset(self) -> Any:
        queryset: Any = super().get_queryset()
        return queryset.for_user(self.context["request"].user)


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "nullable": True,
        "description": "Person id; pseudonym for analysts.",
    }
)
class PersonRef(serializers.Field):
    """Who: the record's id for staff. Analysts do not read these row-per-person endpoints; should
    one ever be opened to them, they get a pseudonym of this endpoint's own (`purpose`), which
    joins with no other endpoint's."""

    def __init__(self, *, purpose: str, **kwargs: Any) -> None:
        self.purpose = purpose
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, person_id: int | None) -> Any:
        if person_id is None:
            return None
        if for_analyst(self.context["request"].user):
            return pseudonym_for(person_id, self.purpose)
        return person_id


# Field classes whose representation of a model's column is the column's value (None stays None).
_AS_IS = (serializers.CharField, serializers.ChoiceField, serializers.IntegerField, serializers.BooleanField)


class PlainRows:
    """For a ModelSerializer listing many rows: the columns that need no conversion are read
    straight off each row. DRF's own path (get_attribute, then to_representation, per cell) cost
    more than the page's query at 50 rows; every other field (declared, related, dates...) keeps
    it, so the output is the same, and the schema is still the declared fields'."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, attname, field in self._plan():
            if attname is not None:
                data[name] = getattr(instance, attname)
            else:
                attribute = field.get_attribute(instance)
                data[name] = None if attribute is None else field.to_representation(attribute)
        return data

    def _plan(self) -> list[tuple[str, str | None, Any]]:
        """Each readable field, in order, with the model attribute that holds it as is (or None)."""
        if not hasattr(self, "_plain_plan"):
            model = self.Meta.model  # type: ignore[attr-defined]
            columns = {f.name: f for f in model._meta.concrete_fields}
            plan: list[tuple[str, str | None, Any]] = []
            for field in self._readable_fields:  # type: ignore[attr-defined]
                column = columns.get(field.source)
                attname = None
                if column is not None and type(field) in _AS_IS and not column.is_relation:
                    attname = column.attname
                elif (
                    column is not None
                    and column.many_to_one
                    and type(field) is serializers.PrimaryKeyRelatedField
                    and field.pk_field is None
                ):
                    attname = column.attname  # the key, without reading the row it names
                plan.append((field.field_name, attname, field))
            self._plain_plan = plan
        return self._plain_plan
