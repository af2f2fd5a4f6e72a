"""Cantonment API: sites, stays, weapons and ammunition with their chain of custody, inventory.

Everyone reads within their scope; analysts read people as pseudonyms only. Officers of a region
write in their region. Every write goes through the same services as the browser, so a refusal
is the same refusal, returned as a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES, CANTONMENT_ROLES, CASE_ROLES
from cantonment.sites.models import Site
from cantonment.weapons import selectors, services
from cantonment.weapons.models import CustodyEvent, StorageLocation, WamItem
from core.api import PersonRef, ScopedPrimaryKeyField
from core.suppression import HIDDEN_GROUPS, for_analyst, visible
from ddr.models import ArmedGroup, Combatant, DeclaredWeapon


class WamItemSerializer(serializers.ModelSerializer):
    # Null when the reader may not see who handed the item in (another region's person, a child).
    handed_in_by = PersonRef(source="holder_id", purpose="weapons")
    receipt_number = serializers.CharField(read_only=True)
    declared_at_registration = serializers.SerializerMethodField()

    class Meta:
        model = WamItem
        fields = [
            "id",
            "receipt_number",
            "kind",
            "weapon_type",
            "calibre",
            "serial_number",
            "quantity",
            "condition",
            "handed_in_by",
            "declared_at_registration",
            "site",
            "received_on",
            "location",
            "custodian",
            "status",
            "disposed_on",
            "disposal_reference",
        ]

    def get_declared_at_registration(self, item: WamItem) -> bool:
        return item.declared_id is not None


class HandInSerializer(serializers.Serializer):
    site = ScopedPrimaryKeyField(queryset=Site.objects.all())
    location = ScopedPrimaryKeyField(queryset=StorageLocation.objects.all())
    kind = serializers.ChoiceField(choices=WamItem.Kind.choices)
    weapon_type = serializers.ChoiceField(choices=DeclaredWeapon.Kind.choices, required=False, default="")
    calibre = serializers.CharField(max_length=30, required=False, default="")
    serial_number = serializers.CharField(max_length=60, required=False, default="")
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)
    condition = serializers.ChoiceField(
        choices=DeclaredWeapon.Condition.choices, required=False, default="unknown"
    )
    person = ScopedPrimaryKeyField(
        queryset=Combatant.objects.all(), required=False, allow_null=True, default=None
    )
    received_on = serializers.DateField()
    custodian = serializers.CharField(max_length=200)


class TransferSerializer(serializers.Serializer):
    from_location = ScopedPrimaryKeyField(queryset=StorageLocation.objects.all())
    to_location = ScopedPrimaryKeyField(queryset=StorageLocation.objects.all())
    custodian = serializers.CharField(max_length=200)
    on = serializers.DateField()
    reference = serializers.CharField(max_length=100, required=False, default="")


class DisposalSerializer(serializers.Serializer):
    how = serializers.ChoiceField(choices=[WamItem.Status.DESTROYED, WamItem.Status.TRANSFERRED])
    reference = serializers.CharField(max_length=100)
    on = serializers.DateField()


class CustodyEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustodyEvent
        fields = [
            "id",
            "item",
            "kind",
            "on",
            "from_location",
            "to_location",
            "from_custodian",
            "to_custodian",
            "reference",
        ]


class WamItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Weapons and ammunition lots handed in. POST registers a hand-in; `transfer/` and `disposal/`
    extend the chain of custody. A row per holder: not for analysts (the reconciliation counts)."""

    allowed_roles = CASE_ROLES
    write_roles = CANTONMENT_ROLES
    serializer_class = WamItemSerializer
    filterset_fields = ["site", "kind", "status", "location"]

    def get_queryset(self) -> Any:
        return selectors.items_for(self.request.user).order_by("id")

    def _item_response(self, item: WamItem, status: int = 200) -> Response:
        item = self.get_queryset().get(pk=item.pk)  # with its holder as this reader may see them
        return Response(WamItemSerializer(item, context={"request": self.request}).data, status=status)

    @extend_schema(request=HandInSerializer, responses={201: WamItemSerializer})
    # Narrower than DRF's Request: RolePermission lets only a signed-in User reach this.
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = HandInSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        item = services.hand_in(by=request.user, **values)
        return self._item_response(item, 201)

    @extend_schema(request=TransferSerializer, responses=WamItemSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        item = self.get_object()
        data = TransferSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.transfer(item=item, by=request.user, **data.validated_data)
        return self._item_response(item)

    @extend_schema(request=DisposalSerializer, responses=WamItemSerializer)
    @action(detail=True, methods=["post"])
    def disposal(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        item = self.get_object()
        data = DisposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.dispose(item=item, by=request.user, **data.validated_data)
        return self._item_response(item)


class MovementReconciliationSerializer(serializers.Serializer):
    movement = serializers.CharField()
    declared = serializers.IntegerField(allow_null=True, help_text=HIDDEN_GROUPS)
    handed_in = serializers.IntegerField(allow_null=True)
    matched = serializers.IntegerField(allow_null=True)
    not_handed_in = serializers.IntegerField(allow_null=True)


class SiteHandInSerializer(serializers.Serializer):
    site = serializers.CharField()
    weapons = serializers.IntegerField(allow_null=True)
    rounds = serializers.IntegerField(allow_null=True)


class ReconciliationSerializer(serializers.Serializer):
    by_movement = MovementReconciliationSerializer(many=True)
    by_site = SiteHandInSerializer(many=True)
    undeclared_serials = serializers.IntegerField(allow_null=True)
    serials_declared_twice = serializers.IntegerField(allow_null=True)


class ReconciliationView(APIView):
    """Weapons declared at registration against weapons handed in, per movement and per site.

    Counts only (the serials themselves are on the browser's reconciliation page). For analysts,
    every count is a sum of the visible cells of one base table (`core.suppression`)."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        responses=ReconciliationSerializer,
        parameters=[
            OpenApiParameter("movement", str, description="Movement acronym"),
            OpenApiParameter("site", int, description="Site id"),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        if for_analyst(request.user):
            return Response(ReconciliationSerializer(self._visible(request)).data)
        code, site_id = request.query_params.get("movement", ""), request.query_params.get("site", "")
        movement = ArmedGroup.objects.filter(code=code).first() if code and code.isprintable() else None
        site = (
            Site.objects.for_user(request.user).filter(pk=int(site_id)).first()
            if site_id.isdecimal() and len(site_id) < 16
            else None
        )
        if code and movement is None:
            raise ValidationError({"movement": [_("Unknown movement.")]})
        if site_id and site is None:
            raise ValidationError({"site": [_("No such site in your scope.")]})
        report = selectors.reconciliation(request.user, movement=movement, site=site)
        data = {
            "by_movement": [
                {
                    "movement": r.movement,
                    "declared": r.declared,
                    "handed_in": r.handed_in,
                    "matched": r.matched,
                    "not_handed_in": r.not_handed_in,
                }
                for r in report.by_movement
            ],
            "by_site": [{"site": name, "weapons": w, "rounds": r} for name, w, r in report.by_site],
            "undeclared_serials": len(report.undeclared),
            "serials_declared_twice": len(report.declared_twice),
        }
        return Response(ReconciliationSerializer(data).data)

    def _visible(self, request: AuthenticatedRequest) -> dict[str, Any]:
        """Analysts: the national reconciliation, every count a sum of the visible cells of one
        base table, (movement, site, what) -> weapons, where what is matched (declared and handed
        in), not handed in, or handed in undeclared. Declared = matched + not handed in and
        handed in = matched + undeclared, as visible, so no identity isolates a small cell.
        Filters are refused: the whole table already holds every movement and site."""
        if request.query_params.get("movement") or request.query_params.get("site"):
            raise ValidationError(
                {
                    "detail": [
                        _("Analysts read the national reconciliation, without movement or site filters.")
                    ]
                }
            )
        report = selectors.reconciliation_base(request.user)
        by_movement = report.weapons.margin("movement", "what")
        movements = sorted({m for m, _what in by_movement if m})

        def cell(m: str, what: str) -> int:
            return by_movement.get((m, what), 0)

        sites = report.weapons.margin("site")
        rounds = report.rounds.margin("site")
        return {
            "by_movement": [
                {
                    "movement": m,
                    "declared": cell(m, "matched") + cell(m, "not_handed_in"),
                    "handed_in": cell(m, "matched") + cell(m, "undeclared"),
                    "matched": cell(m, "matched"),
                    "not_handed_in": cell(m, "not_handed_in"),
                }
                for m in movements
            ],
            "by_site": [
                {"site": name, "weapons": sites.get((name,), 0), "rounds": rounds.get((name,), 0)}
                for name in sorted({s for (s,) in sites if s} | {s for (s,) in rounds if s})
            ],
            "undeclared_serials": visible(report.undeclared_serials),
            "serials_declared_twice": visible(report.serials_declared_twice),
        }


class CustodyEventViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = CustodyEventSerializer
    filterset_fields = ["item", "kind"]

    def get_queryset(self) -> Any:
        return CustodyEvent.objects.filter(item__in=WamItem.objects.for_user(self.request.user)).order_by(
            "id"
        )


