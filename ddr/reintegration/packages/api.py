"""The package catalogue (read-only, for everyone, analysts included: it names no one) and
enrolments (case staff: a row per person; POST enrols through the same service as the browser,
so a refusal is the same refusal, a 400 naming the field)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES, REINTEGRATION_ROLES
from core.api import PersonRef, ScopedPrimaryKeyField
from ddr.registration.models import Combatant
from ddr.reintegration.packages import services
from ddr.reintegration.packages.models import Component, Enrolment, Entitlement, Package


class ComponentSerializer(serializers.ModelSerializer):
    trade = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Component
        fields = ["id", "position", "kind", "label", "trade", "delivery", "amount_xof", "due_after_days"]


class PackageSerializer(serializers.ModelSerializer):
    funding_source = serializers.SlugRelatedField(slug_field="code", read_only=True)
    components = ComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Package
        fields = [
            "id",
            "code",
            "version",
            "name",
            "phase",
            "funding_source",
            "envelope_xof",
            "effective_from",
            "effective_to",
            "pathways",
            "categories",
            "women_only",
            "components",
        ]


class PackageViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue: every version of every package, with what it gives (amounts in XOF, due
    so many days after enrolment) and who may receive it (empty lists: everyone)."""

    allowed_roles = ALL_ROLES
    serializer_class = PackageSerializer
    filterset_fields = ["code", "phase", "women_only"]
    ordering = ["code", "version"]

    def get_queryset(self) -> Any:
        components = Component.objects.select_related("trade").order_by("position", "id")
        return (
            Package.objects.select_related("funding_source")
            .prefetch_related(Prefetch("components", queryset=components))
            .order_by("code", "version")
        )


class EntitlementSerializer(serializers.ModelSerializer):
    component_kind = serializers.CharField(source="component.kind", read_only=True)
    component_label = serializers.CharField(source="component.label", read_only=True)

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "component",
            "component_kind",
            "component_label",
            "amount_xof",
            "due_on",
            "state",
            "settled_on",
        ]


class EnrolmentSerializer(serializers.ModelSerializer):
    person = PersonRef(source="combatant_id", purpose="enrolments")
    package_code = serializers.CharField(source="package.code", read_only=True)
    entitlements = EntitlementSerializer(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "person",
            "package",
            "package_code",
            "enrolled_on",
            "status",
            "dropped_on",
            "dropout_reason",
            "entitlements",
        ]


class EnrolSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyField(queryset=Combatant.objects.all())
    package = serializers.PrimaryKeyRelatedField(queryset=Package.objects.all())
    enrolled_on = serializers.DateField()


class EnrolmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Enrolments with their entitlements, within the reader's scope. POST enrols a person
    (`person` id, `package` id, `enrolled_on`): refused with a 400 saying why when they may not
    be enrolled (a merged or excluded record, an open duplicate pair, a package not in force or
    not for them, already enrolled). A row per person: not for analysts."""

    allowed_roles = REINTEGRATION_ROLES
    write_roles = REINTEGRATION_ROLES
    serializer_class = EnrolmentSerializer
    filterset_fields = ["package", "status", "combatant"]
    ordering = ["id"]
    request: AuthenticatedRequest  # RolePermission lets only a signed-in User in

    def get_queryset(self) -> Any:
        entitlements = Entitlement.objects.select_related("component").order_by("due_on", "id")
        return (
            Enrolment.objects.for_user(self.request.user)
            .select_related("package")
            .prefetch_related(Prefetch("entitlements", queryset=entitlements))
            .order_by("id")
        )

    @extend_schema(request=EnrolSerializer, responses={201: EnrolmentSerializer})
    # Narrower than DRF's Request: RolePermission lets only a signed-in User reach this.
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = EnrolSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        enrolment = services.enrolment_create(
            person=data.validated_data["person"],
            package=data.validated_data["package"],
            on=data.validated_data["enrolled_on"],
            by=request.user,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=enrolment.pk)).data, status=201)
