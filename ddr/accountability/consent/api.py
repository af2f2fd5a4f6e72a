"""Consent through the API: a person's answers (list and record, case staff, scoped like the
person), the texts, and for everyone the figures by language, outcome and text, analysts' small
cells dropped (`core.suppression`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.permissions import ALL_ROLES
from core.api import ScopedPrimaryKeyField
from core.exports import IdentifyingListMixin
from core.models import Region
from core.suppression import HIDDEN_GROUPS, SUPPRESSED, Base, for_analyst, small_cells_left_in_database
from ddr.accountability.consent import selectors, services
from ddr.accountability.consent.models import (
    ConsentKind,
    ConsentLanguage,
    ConsentRecord,
    ConsentText,
    Optional,
)
from ddr.registration.models import Category, Combatant

ROLES = selectors.CONSENT_ROLES


class ConsentTextSerializer(serializers.ModelSerializer[ConsentText]):
    class Meta:
        model = ConsentText
        fields = [
            "id",
            "kind",
            "language",
            "version",
            "title",
            "body",
            "translator",
            "active",
            "created_on",
            "activated_on",
            "retired_on",
        ]
        read_only_fields = fields


class ConsentRecordSerializer(serializers.ModelSerializer[ConsentRecord]):
    registration_number = serializers.CharField(source="combatant.registration_number", read_only=True)
    text_kind = serializers.CharField(source="text.kind", read_only=True)
    text_language = serializers.CharField(source="text.language", read_only=True)
    text_version = serializers.IntegerField(source="text.version", read_only=True)
    has_scan = serializers.SerializerMethodField()

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "combatant",
            "registration_number",
            "text",
            "text_kind",
            "text_language",
            "text_version",
            "language",
            "outcome",
            "recorded_on",
            "read_by",
            "recorded_by",
            "restores",
            "partner",
            "has_scan",
        ]
        read_only_fields = fields

    def get_has_scan(self, record: ConsentRecord) -> bool:
        return bool(record.scan)


class ConsentRecordCreateSerializer(serializers.Serializer[Any]):
    combatant = ScopedPrimaryKeyField(queryset=Combatant.objects.all())
    text = serializers.PrimaryKeyRelatedField(queryset=ConsentText.objects.all())
    language = serializers.ChoiceField(choices=ConsentLanguage.choices)
    outcome = serializers.ChoiceField(choices=ConsentRecord.Outcome.choices)
    recorded_on = serializers.DateField()
    read_by = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    scan = serializers.FileField(required=False, allow_null=True, default=None)
    restores = serializers.ChoiceField(choices=Optional.choices, required=False, allow_blank=True, default="")
    partner = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ConsentRecordViewSet(
    IdentifyingListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[ConsentRecord]
):
    """Consent records, for case staff (a regional officer: their region; a child's: child
    protection only); `?person=<id>` for one person. A record is created with the text version read
    (it must be active: else 400 on `text`), the language, the answer and optionally the scanned
    form (multipart; a PDF or an image only: else 400 on `scan`). Analysts: 403."""

    export_name = "api:consent-records"
    allowed_roles = ROLES
    write_roles = ROLES
    serializer_class = ConsentRecordSerializer

    def get_queryset(self) -> Any:
        records = (
            selectors.records_for(self.request.user)
            .select_related("combatant")
            .order_by("-recorded_on", "-id")
        )
        person = self.request.query_params.get("person", "")
        if self.action == "list" and person:
            if not person.isdigit():
                raise exceptions.ValidationError({"person": [_("A person's id (a number).")]})
            records = records.filter(combatant_id=int(person))
        return records

    @extend_schema(parameters=[OpenApiParameter("person", int, description="One person's id.")])
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ConsentRecordCreateSerializer, responses={201: ConsentRecordSerializer})
    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        data = ConsentRecordCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = values.pop("combatant")
        record = services.consent_record(person=person, by=request.user, **values)
        return Response(ConsentRecordSerializer(record).data, status=201)


class ConsentTextViewSet(viewsets.ReadOnlyModelViewSet[ConsentText]):
    """The texts read to people, every version (`?active=1`: the versions read now)."""

    allowed_roles = ROLES
    serializer_class = ConsentTextSerializer

    def get_queryset(self) -> Any:
        texts = ConsentText.objects.order_by("kind", "language", "-version")
        if self.request.query_params.get("active") in ("1", "true"):
            texts = texts.filter(active=True)
        return texts


# --- figures --------------------------------------------------------------------------------

COLUMNS = ["region_id", "kind", "language", "outcome"]
DIMENSIONS = ["region", "kind", "language", "outcome"]


class ConsentFigureSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(required=False, help_text="Region code")
    kind = serializers.ChoiceField(choices=ConsentKind.choices, required=False)
    language = serializers.ChoiceField(choices=ConsentLanguage.choices, required=False, help_text="Read in")
    outcome = serializers.ChoiceField(choices=ConsentRecord.Outcome.choices, required=False)
    records = serializers.IntegerField(help_text=HIDDEN_GROUPS)
    suppressed = serializers.BooleanField(help_text=SUPPRESSED)


def figures(user: Any, names: list[str]) -> list[dict[str, Any]]:
    """Consent records grouped by `names`: one grouped query over the base table region x text x
    language read in x answer (children and merged records never counted); for analysts the
    database drops cells under 5 and every figure is a sum of the cells left."""
    analyst = for_analyst(user)
    counted = (
        ConsentRecord.objects.for_user(user)
        .exclude(combatant__category=Category.CHILD)
        .exclude(combatant__status=Combatant.Status.MERGED)
        .values("combatant__region_id", "text__kind", "language", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    if analyst:
        counted = small_cells_left_in_database(counted)
    base = Base(
        COLUMNS,
        (
            ((r["combatant__region_id"], r["text__kind"], r["language"], r["outcome"]), r["n"])
            for r in counted
        ),
        exact=not analyst,
    )
    regions = dict(Region.objects.values_list("id", "code"))
    columns = ["region_id" if n == "region" else n for n in names]
    rows = []
    for key, n in base.margin(*columns).items():
        row: dict[str, Any] = {
            name: regions.get(value, value) if name == "region" else value
            for name, value in zip(names, key, strict=True)
        }
        rows.append({**row, "records": n, "suppressed": analyst})
    return sorted(rows, key=lambda r: tuple(str(r[n]) for n in names))


class ConsentFiguresView(APIView):
    """Consent records by language read in, answer, text and region (`by`). Never a row per
    person; for analysts, every count is a sum of the cells of 5 records or more (region x text x
    language x answer): smaller groups are left out. Children are never counted."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        operation_id="consent_figures",
        responses=ConsentFigureSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "by",
                str,
                description=f"Comma-separated, each once: {', '.join(DIMENSIONS)} "
                "(default: language,outcome).",
            )
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        names = [
            n.strip() for n in request.query_params.get("by", "language,outcome").split(",") if n.strip()
        ]
        if not names or len(set(names)) != len(names) or any(n not in DIMENSIONS for n in names):
            raise exceptions.ValidationError(
                {"by": [_("Group by one or more of: %(names)s.") % {"names": ", ".join(DIMENSIONS)}]}
            )
        return Response(figures(request.user, names))
