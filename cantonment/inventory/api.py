"""Cantonment API: sites, stays, weapons and ammunition with their chain of custody, inventory.

Everyone reads within their scope; analysts read people as pseudonyms only. Officers of a region
write in their region. Every write goes through the same services as the browser, so a refusal
is the same refusal, returned as a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES, CANTONMENT_ROLES
from cantonment.inventory import services
from cantonment.inventory.models import InventoryItem, InventoryMovement
from cantonment.sites.models import Site
from core.api import CodeField, ScopedPrimaryKeyField
from core.models import Region


class InventoryItemSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    handover = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = InventoryItem
        fields = [
            "id",
            "code",
            "kind",
            "contents",
            "quantity",
            "unit",
            "region",
            "site",
            "location",
            "custodian",
            "handover",
        ]
        read_only_fields = ["quantity"]


class InventoryItemCreateSerializer(InventoryItemSerializer):
    region = CodeField(queryset=Region.objects.all())
    site = ScopedPrimaryKeyField(queryset=Site.objects.all(), required=False, allow_null=True)

    class Meta(InventoryItemSerializer.Meta):
        read_only_fields: list[str] = []

    def validate_region(self, region: Region) -> Region:
        user = self.context["request"].user
        if user.is_regional and region.pk != user.region_id:
            raise ValidationError(_("You record equipment in your own region only."))
        return region


class MovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventoryMovement
        fields = ["direction", "quantity", "on", "counterpart", "reference"]


class InventoryItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Containers and stocks. POST `{id}/movements/` records a movement in or out; items handed
    over are frozen (400)."""

    allowed_roles = ALL_ROLES
    write_roles = CANTONMENT_ROLES
    filterset_fields = ["kind", "site"]

    def get_serializer_class(self) -> Any:
        return InventoryItemCreateSerializer if self.action == "create" else InventoryItemSerializer

    def get_queryset(self) -> Any:
        return (
            InventoryItem.objects.for_user(self.request.user)
            .select_related("region", "handover")
            .order_by("id")
        )

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.inventory_item_create(
            by=self.request.user,  # type: ignore[arg-type]
            **serializer.validated_data,
        )

    @extend_schema(request=MovementSerializer, responses=InventoryItemSerializer)
    @action(detail=True, methods=["post"])
    def movements(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        item = self.get_object()
        data = MovementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.movement_record(item=item, by=request.user, **data.validated_data)
        return Response(
            InventoryItemSerializer(self.get_queryset().get(pk=item.pk), context={"request": request}).data
        )
