"""Payments API: batches (prepared, approved by another person, cancelled), the provider's
statements (uploaded, then checked and reconciled on the worker) and hand-overs in kind.

Staff only, each within their scope; every write goes through the same services as the browser,
so a refusal is the same refusal, returned as a 400 naming the field. The provider's file, which
names the people paid, is downloaded from the batch's page only (logged there).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.permissions import REINTEGRATION_ROLES
from core.api import CodeField, PersonRef, ScopedPrimaryKeyField
from core.models import Region
from ddr.reintegration.packages.models import Component, Entitlement, Package
from ddr.reintegration.payments import selectors, services
from ddr.reintegration.payments.models import (
    Channel,
    Confirmation,
    Distribution,
    PaymentBatch,
    StatementImport,
)


class PaymentBatchSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    prepared_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PaymentBatch
        fields = [
            "id",
            "reference",
            "status",
            "channel",
            "provider",
            "region",
            "criteria",
            "line_count",
            "total_xof",
            "prepared_by",
            "prepared_at",
            "approved_by",
            "approved_at",
            "exported_at",
        ]


class BatchPrepareSerializer(serializers.Serializer):
    region = CodeField(queryset=Region.objects.all(), required=False, allow_null=True, default=None)
    package = serializers.PrimaryKeyRelatedField(
        queryset=Package.objects.all(), required=False, allow_null=True, default=None
    )
    component_kind = serializers.ChoiceField(choices=Component.Kind.choices, required=False, default="")
    due_by = serializers.DateField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    provider = serializers.CharField(max_length=200)


class StatementImportSerializer(serializers.ModelSerializer):
    job = serializers.SerializerMethodField()

    class Meta:
        model = StatementImport
        fields = [
            "id",
            "batch",
            "file_name",
            "status",
            "total_rows",
            "error_count",
            "errors",
            "message",
            "job",
        ]

    def get_job(self, record: StatementImport) -> dict[str, Any]:
        job = record.job
        return {"id": job.pk, "status": job.status, "done": job.done, "total": job.total}


class StatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class PaymentBatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Payment batches in your scope. POST prepares one from the due cash entitlements the filters
    select; POST `{id}/approve/` (national staff, never the preparer), `{id}/cancel/`; POST
    `{id}/statements/` uploads the provider's statement (multipart `file`), checked and reconciled
    on the worker: follow it at `/api/payment-statements/{id}/`."""

    allowed_roles = REINTEGRATION_ROLES
    write_roles = REINTEGRATION_ROLES
    serializer_class = PaymentBatchSerializer
    filterset_fields = ["status", "channel"]
    request: AuthenticatedRequest  # RolePermission lets only a signed-in User in

    def get_queryset(self) -> Any:
        return selectors.batches_for(self.request.user).order_by("-id")

    def _batch(self, batch: PaymentBatch) -> Response:
        return Response(PaymentBatchSerializer(self.get_queryset().get(pk=batch.pk)).data)

    @extend_schema(request=BatchPrepareSerializer, responses={201: PaymentBatchSerializer})
    # Narrower than DRF's Request: RolePermission lets only a signed-in User reach this.
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = BatchPrepareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.batch_prepare(by=request.user, **data.validated_data)
        return Response(PaymentBatchSerializer(batch).data, status=201)

    @extend_schema(request=None, responses=PaymentBatchSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._batch(services.batch_approve(batch=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=PaymentBatchSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._batch(services.batch_cancel(batch=self.get_object(), by=request.user))

    @extend_schema(
        request={"multipart/form-data": StatementUploadSerializer}, responses={202: StatementImportSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def statements(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        data = StatementUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        record = services.statement_import_start(
            batch=self.get_object(), data=upload.read(), filename=upload.name, by=request.user
        )
        return Response(StatementImportSerializer(record).data, status=202)


class StatementImportViewSet(viewsets.ReadOnlyModelViewSet):
    """The provider's statements as they are checked and reconciled: status, progress, and every
    bad line (line, column, reason) of a refused one."""

    allowed_roles = REINTEGRATION_ROLES
    serializer_class = StatementImportSerializer
    request: AuthenticatedRequest

    def get_queryset(self) -> Any:
        batches = selectors.batches_for(self.request.user)
        return StatementImport.objects.filter(batch__in=batches).select_related("job").order_by("-id")


class DistributionSerializer(serializers.ModelSerializer):
    person = PersonRef(source="combatant_id", purpose="distributions")

    class Meta:
        model = Distribution
        fields = ["id", "entitlement", "person", "handed_over_on", "place", "confirmation"]


class DistributionCreateSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=40, help_text="What the card's QR code holds (DDR-…).")
    entitlement = ScopedPrimaryKeyField(queryset=Entitlement.objects.all())
    place = serializers.CharField(max_length=200)
    confirmation = serializers.ChoiceField(choices=Confirmation.choices)
    on = serializers.DateField()


class DistributionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Hand-overs in kind in your scope. POST records one on the card's token: refused for a card
    of a merged, excluded or child's record, an entitlement not in kind or not due (handed over
    already), a date before the enrolment."""

    allowed_roles = REINTEGRATION_ROLES
    write_roles = REINTEGRATION_ROLES
    serializer_class = DistributionSerializer
    request: AuthenticatedRequest

    def get_queryset(self) -> Any:
        return Distribution.objects.for_user(self.request.user).order_by("-id")

    @extend_schema(request=DistributionCreateSerializer, responses={201: DistributionSerializer})
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = DistributionCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        distribution = services.distribution_record(by=request.user, **data.validated_data)
        return Response(DistributionSerializer(distribution, context={"request": request}).data, status=201)
