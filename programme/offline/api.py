"""The sync endpoints (`docs/offline-sync.md`): thin views over `services` and `selectors`, their
shapes declared as serializers so that the OpenAPI schema documents them for other field tools."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import Role
from accounts.permissions import REGISTER_ROLES
from core.exports import api_purpose, log_read
from programme.offline import selectors, services
from programme.offline.rules import SYNCED_FIELDS

# Who works offline: registration staff, and child protection on their children's records.
SYNC_ROLES = REGISTER_ROLES | {Role.CHILD_PROTECTION}
MAX_OPERATIONS = 500
DEFAULT_PURPOSE = "offline field work"


class DeviceSerializer(serializers.Serializer[Any]):
    device_id = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    lock_after_days = serializers.IntegerField(read_only=True)
    revoked = serializers.BooleanField(read_only=True)
    last_sync_at = serializers.DateTimeField(read_only=True, allow_null=True)


REVOKED = inline_serializer(
    "DeviceRevoked",
    {"revoked": serializers.BooleanField(), "detail": serializers.CharField()},
)


class _DeviceViewMixin:
    """A revoked, unknown or someone else's device: 403 `{"revoked": true}`, and it wipes itself."""

    allowed_roles = SYNC_ROLES
    write_roles = SYNC_ROLES

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.DeviceRefused):
            return Response({"revoked": True, "detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
        return super().handle_exception(exc)  # type: ignore[misc,no-any-return]


def _device_data(device: Any) -> dict[str, Any]:
    return {
        "device_id": device.device_id,
        "name": device.name,
        "lock_after_days": services.lock_after_days(),
        "revoked": device.revoked,
        "last_sync_at": device.last_sync_at,
    }


class DeviceView(_DeviceViewMixin, APIView):
    """Register the device the app was installed on (again: the same answer, 200)."""

    @extend_schema(
        operation_id="sync_device_register",
        request=DeviceSerializer,
        responses={201: DeviceSerializer, 200: DeviceSerializer, 403: REVOKED},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        given = DeviceSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        device, created = services.device_register(
            device_id=given.validated_data["device_id"], name=given.validated_data["name"], by=request.user
        )
        return Response(
            DeviceSerializer(_device_data(device)).data, status=status.HTTP_201_CREATED if created else 200
        )


class SnapshotPersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    registration_number = serializers.CharField()
    family_name = serializers.CharField()
    given_name = serializers.CharField()
    sex = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    region = serializers.CharField()
    movement = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    site = serializers.IntegerField(allow_null=True)
    versions = serializers.DictField(child=serializers.IntegerField(), help_text=", ".join(SYNCED_FIELDS))


class SnapshotSiteSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField()
    capacity = serializers.IntegerField()
    occupancy = serializers.IntegerField()
    status = serializers.CharField()


class SnapshotLocationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField()
    site = serializers.IntegerField(allow_null=True)


class CodeNameSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ResultSerializer(serializers.Serializer[Any]):
    op_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["applied", "conflict", "refused", "already_applied"])
    reason = serializers.CharField(
        allow_blank=True, help_text="Why, in the user's language ('' when applied)."
    )
    person = serializers.IntegerField(allow_null=True)
    registration_number = serializers.CharField(allow_null=True)
    temp_id = serializers.CharField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField(), required=False)
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    versions = serializers.DictField(child=serializers.IntegerField(), required=False)


class RefusalSerializer(serializers.Serializer[Any]):
    op_id = serializers.CharField()
    kind = serializers.CharField()
    made_at = serializers.DateTimeField()
    status = serializers.CharField()
    reason = serializers.CharField()
    person = serializers.IntegerField(allow_null=True)
    registration_number = serializers.CharField(allow_null=True)
    temp_id = serializers.CharField(allow_null=True)


class SnapshotEntitlementSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="The package component (a kit, a course...).")  # type: ignore[assignment]
    due_on = serializers.DateField()


class SnapshotDueSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    card = serializers.CharField(help_text="The token the person's card QR code holds.")
    entitlements = SnapshotEntitlementSerializer(many=True)


class SnapshotSerializer(serializers.Serializer[Any]):
    server_time = serializers.DateTimeField()
    people = SnapshotPersonSerializer(many=True)
    sites = SnapshotSiteSerializer(many=True)
    locations = SnapshotLocationSerializer(many=True)
    regions = CodeNameSerializer(many=True)
    movements = CodeNameSerializer(many=True)
    refusals = RefusalSerializer(many=True)
    distributions = SnapshotDueSerializer(
        many=True, help_text="Entitlements in kind still due, by person (roles that may distribute)."
    )


class SnapshotView(_DeviceViewMixin, APIView):
    """The user's scope for offline work: people (children only for child protection), sites,
    storage locations, reference lists, and the refusals not yet acknowledged. A bulk read of
    identifying data: logged in the export log like every other."""

    @extend_schema(
        operation_id="sync_snapshot",
        parameters=[
            OpenApiParameter("device", str, required=True, description="The device's id (uuid)."),
            OpenApiParameter(
                "purpose", str, description=f"Recorded in the export log (default: {DEFAULT_PURPOSE})."
            ),
        ],
        responses={200: SnapshotSerializer, 403: REVOKED},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        given = serializers.UUIDField().run_validation(
            request.query_params.get("device")
        )  # 400 if not a uuid
        device = services.device_for(given, request.user)
        data = SnapshotSerializer(selectors.snapshot(request.user, device)).data
        body = json.dumps(data["people"], sort_keys=True, default=str).encode()
        log_read(request.user, "api:sync-snapshot", "api", f"device={device.device_id}",
                 api_purpose(request) or DEFAULT_PURPOSE, True, len(data["people"]), body)  # fmt: skip
        return Response(data)


class OperationSerializer(serializers.Serializer[Any]):
    op_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=services.KINDS)
    made_at = serializers.DateTimeField()
    person = serializers.IntegerField(allow_null=True, required=False, default=None, min_value=1)
    temp_id = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, default=None, max_length=40
    )
    base_versions = serializers.DictField(
        child=serializers.IntegerField(min_value=0), required=False, default=dict
    )
    data = serializers.DictField(  # type: ignore[assignment]
        required=False, default=dict, help_text="By kind: see docs/offline-sync.md."
    )


class OperationsSerializer(serializers.Serializer[Any]):
    device = serializers.UUIDField()
    operations = OperationSerializer(many=True, max_length=MAX_OPERATIONS, allow_empty=True)  # type: ignore[call-arg]


class ResultsSerializer(serializers.Serializer[Any]):
    results = ResultSerializer(many=True)
    server_time = serializers.DateTimeField()


class OperationsView(_DeviceViewMixin, APIView):
    """Apply a device's operations in order, each through the service the browser uses; the same
    op_id twice changes nothing. A field changed on the server since the device's base version is
    a conflict, kept for a reviewer; a refusal says why, in the user's language."""

    @extend_schema(
        operation_id="sync_operations",
        request=OperationsSerializer,
        responses={200: ResultsSerializer, 403: REVOKED},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        given = OperationsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        device = services.device_for(given.validated_data["device"], request.user)
        operations = [dict(op) for op in given.validated_data["operations"]]
        results = services.operations_apply(device=device, by=request.user, operations=operations)
        data = {"results": [r.as_dict() for r in results], "server_time": timezone.now()}
        return Response(ResultsSerializer(data).data)


class SyncAcknowledgeSerializer(serializers.Serializer[Any]):
    device = serializers.UUIDField()
    op_ids = serializers.ListField(child=serializers.UUIDField(), max_length=MAX_OPERATIONS)


class AcknowledgeView(_DeviceViewMixin, APIView):
    """The officer saw these refusals on the device: they are no longer sent back."""

    @extend_schema(
        operation_id="sync_acknowledge",
        request=SyncAcknowledgeSerializer,
        responses={
            200: inline_serializer("Acknowledged", {"acknowledged": serializers.IntegerField()}),
            403: REVOKED,
        },
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        given = SyncAcknowledgeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        device = services.device_for(given.validated_data["device"], request.user)
        n = services.refusals_acknowledge(
            device=device, op_ids=given.validated_data["op_ids"], by=request.user
        )
        return Response({"acknowledged": n})
