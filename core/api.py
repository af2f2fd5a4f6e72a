"""API plumbing shared by every app: error format and its documentation in the schema."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.permissions import ALL_ROLES
from core.errors import Refused
from core.models import Cercle, Region
from core.pagination import counted_from
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


class CodeField(serializers.SlugRelatedField):
    """A related row named by its code (a region, an armed group). A code holding a NUL character
    names nothing: refused as unknown (400), where PostgreSQL, asked to compare it, fails (500)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


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
# Field classes whose representation needs no request: converted from the column's value alone.
_CONVERTED = (
    serializers.BigIntegerField,  # type: ignore[attr-defined]  # an int, or a string if settings say so
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
)

# One step of a row plan: the output's key, where its value is read (a model attribute, or a
# `values()` lookup; '' for DRF's own path), and the field that converts it (None: as is).
Step = tuple[str, str, Any]


class PlainRows:
    """For a ModelSerializer listing many rows. DRF's own path (every field built for each request,
    a model instance per row, get_attribute then to_representation per cell) cost several times the
    page's query at 50 rows. Two shorter paths, with DRF's output and the declared schema:

    - rows read as `values()` dicts (`PlainListMixin`): each key comes from one lookup (a column, a
      related row's column, or the lookup named in `row_lookups` for a computed field), converted
      by a field built once per class; no model instance, no field built per request;
    - model instances: the plain columns are read straight off each row, every other field keeps
      DRF's path."""

    row_lookups: dict[str, str] = {}  # a computed field's value, as a `values()` lookup (to-one only)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, dict):
            row: dict[str, Any] = {}
            for name, lookup, field in self.values_plan() or ():
                value = instance[lookup]
                row[name] = value if value is None or field is None else field.to_representation(value)
            return row
        data: dict[str, Any] = {}
        for name, attname, field in self._plan():
            if attname:
                data[name] = getattr(instance, attname)
            else:
                attribute = field.get_attribute(instance)
                data[name] = None if attribute is None else field.to_representation(attribute)
        return data

    @classmethod
    def values_plan(cls) -> list[Step] | None:
        """Each field as a `values()` lookup and its converter, built once per class; None when a
        field cannot be read that way (the model path is taken)."""
        if "_values_plan" not in cls.__dict__:
            cls._values_plan = cls._build_values_plan()  # type: ignore[attr-defined]
        return cls.__dict__["_values_plan"]  # type: ignore[no-any-return]

    @classmethod
    def _build_values_plan(cls) -> list[Step] | None:
        template = cls()  # its fields are built once here; none of those kept needs a request
        columns = {f.name: f for f in cls.Meta.model._meta.concrete_fields}  # type: ignore[attr-defined]
        plan: list[Step] = []
        for field in template._readable_fields:  # type: ignore[attr-defined]
            name, column = field.field_name, columns.get(field.source)
            if name in cls.row_lookups:
                plan.append((name, cls.row_lookups[name], None))
            elif column is None:
                return None
            elif attname := _as_is(field, column):
                plan.append((name, attname, None))
            elif not column.is_relation and type(field) in _CONVERTED:
                plan.append((name, column.attname, field))
            elif column.many_to_one and type(field) is serializers.SlugRelatedField:
                plan.append((name, f"{column.name}__{field.slug_field}", None))
            else:
                return None
        return plan

    def _plan(self) -> list[Step]:
        """Each readable field, in order, with the model attribute that holds it as is (or '')."""
        if not hasattr(self, "_plain_plan"):
            model = self.Meta.model  # type: ignore[attr-defined]
            columns = {f.name: f for f in model._meta.concrete_fields}
            plan: list[Step] = []
            for field in self._readable_fields:  # type: ignore[attr-defined]
                column = columns.get(field.source)
                plan.append((field.field_name, _as_is(field, column) if column else "", field))
            self._plain_plan = plan
        return self._plain_plan


def _as_is(field: Any, column: Any) -> str:
    """The model attribute whose value is the field's representation as it is (a plain column, or
    a foreign key's id without reading the row it names), or ''."""
    if not column.is_relation and type(field) in _AS_IS:
        return str(column.attname)
    if column.many_to_one and type(field) is serializers.PrimaryKeyRelatedField and field.pk_field is None:
        return str(column.attname)
    return ""


class PlainListMixin:
    """For a list endpoint whose serializer is `PlainRows`: the page is read as `values()` dicts
    (the serializer's `values_plan`), filtered, ordered and paginated as before."""

    def paginate_queryset(self, queryset: Any) -> Any:
        serializer = self.get_serializer_class()  # type: ignore[attr-defined]
        # The plan is the class's, built without a request: only for a list of a PlainRows class.
        listing = self.action == "list" and issubclass(serializer, PlainRows)  # type: ignore[attr-defined]
        plan = serializer.values_plan() if listing else None
        if plan is not None:
            rows = queryset.values(*dict.fromkeys(lookup for _, lookup, _ in plan))
            queryset = counted_from(rows, queryset)
        return super().paginate_queryset(queryset)  # type: ignore[misc]


class AskedFiltersBackend(DjangoFilterBackend):  # type: ignore[misc]
    """django-filter, building only the filters the query names. django-filter deep-copies every
    filter of the set, then every form field, for each request: most of a filtered page's Python.
    A filter the query does not name filters nothing (no value), so leaving it out changes no
    result; a filter set whose filters act without a value must not use this backend."""

    def get_filterset_class(self, view: Any, queryset: Any = None) -> Any:
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is None or getattr(view, "swagger_fake_view", False):
            return filterset_class  # the schema documents every filter
        if getattr(getattr(view.request, "accepted_renderer", None), "format", "") == "api":
            return filterset_class  # the browsable API's filter form offers every filter
        asked = frozenset(
            name
            for name in filterset_class.base_filters
            if any(param == name or param.startswith(f"{name}_") for param in view.request.query_params)
        )
        return _with_filters(filterset_class, asked)


@functools.lru_cache(maxsize=512)
def _with_filters(filterset_class: Any, names: frozenset[str]) -> Any:
    """The filter set with only `names` among its filters (made once for each combination)."""
    narrowed = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
    filters = {name: f for name, f in filterset_class.base_filters.items() if name in names}
    narrowed.base_filters = filters  # type: ignore[attr-defined]
    return narrowed
