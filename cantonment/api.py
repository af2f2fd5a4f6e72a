"""Cantonment API: sites, stays, weapons and ammunition with their chain of custody, inventory.

Everyone reads within their scope; analysts read people as pseudonyms only. Officers of a region
write in their region. Every write goes through the same services as the browser, so a refusal
is the same refusal, returned as a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import ALL_ROLES, CASE_ROLES, REGISTER_ROLES
from core.models import Region
from core.suppression import Base, for_analyst, visible
from ddr.models import ArmedGroup, Combatant, DeclaredWeapon, pseudonym_for

from . import inventory, stays, wam
from .models import (
    CantonmentStay,
    CustodyEvent,
    InventoryItem,
    InventoryMovement,
    Site,
    StorageLocation,
    WamItem,
)

CANTONMENT_ROLES = REGISTER_ROLES


def refused(exc: stays.CantonmentRefused) -> ValidationError:
    return ValidationError({exc.field: [str(exc)]})


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


# --- sites --------------------------------------------------------------------------------


class SiteSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    proposed_by = serializers.SlugRelatedField(slug_field="code", read_only=True)
    overstays = serializers.IntegerField(read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "region",
            "proposed_by",
            "commune",
            "capacity",
            "places_for_women",
            "children_facilities",
            "occupancy",
            "occupancy_women",
            "overstays",
            "latitude",
            "longitude",
            "handed_over_to",
            "intended_reuse",
        ]
        read_only_fields = [
            "name",
            "kind",
            "status",
            "commune",
            "children_facilities",
            "latitude",
            "longitude",
        ]

    def to_representation(self, site: Site) -> dict[str, Any]:
        data = super().to_representation(site)
        on_sites: Base | None = self.context.get("people_on_sites")
        if on_sites is not None:  # analysts: sums of the visible cells of the sites' base table
            shown = stays.site_figures(on_sites, site.pk)
            data |= {k: shown[k] for k in ("occupancy", "occupancy_women", "overstays")}
        return data


class SiteStepSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Site.Status.choices)
    on = serializers.DateField()
    decided_by = serializers.CharField(max_length=200, required=False, default="")
    note = serializers.CharField(max_length=500, required=False, default="")
    handed_over_to = serializers.CharField(max_length=200, required=False, default="")
    intended_reuse = serializers.CharField(max_length=200, required=False, default="")


class SiteViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Sites with occupancy and overstays. PATCH changes capacity (never below the people present);
    POST `lifecycle/` records the next step."""

    allowed_roles = ALL_ROLES
    write_roles = CANTONMENT_ROLES
    serializer_class = SiteSerializer
    filterset_fields = ["kind", "status", "region__code"]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> Any:
        return (
            Site.objects.for_user(self.request.user)
            .select_related("region", "proposed_by")
            .annotate(
                overstays=Count("stays", filter=Q(stays__checked_out_on__isnull=True, stays__flag="overstay"))
            )
            .order_by("id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if for_analyst(self.request.user):
            context["people_on_sites"] = stays.people_on_sites(Site.objects.for_user(self.request.user))
        return context

    def perform_update(self, serializer: Any) -> None:
        site = serializer.instance
        data = serializer.validated_data
        try:
            stays.site_capacity(
                site=site,
                capacity=data.get("capacity", site.capacity),
                places_for_women=data.get("places_for_women", site.places_for_women),
                by=self.request.user,
            )
        except stays.CantonmentRefused as exc:
            raise refused(exc) from exc
        serializer.instance = self.get_queryset().get(pk=site.pk)

    @extend_schema(request=SiteStepSerializer, responses=SiteSerializer)
    @action(detail=True, methods=["post"])
    def lifecycle(self, request: Request, pk: Any = None) -> Response:
        site = self.get_object()
        step = SiteStepSerializer(data=request.data)
        step.is_valid(raise_exception=True)
        try:
            stays.site_advance(site=site, by=request.user, **step.validated_data)
        except stays.CantonmentRefused as exc:
            raise refused(exc) from exc
        return Response(
            SiteSerializer(self.get_queryset().get(pk=site.pk), context={"request": request}).data
        )


# --- stays --------------------------------------------------------------------------------


class StaySerializer(serializers.ModelSerializer):
    person = PersonRef(source="combatant_id", purpose="stays")
    site = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = CantonmentStay
        fields = ["id", "person", "site", "checked_in_on", "leave_by", "checked_out_on", "flag"]


class CheckInSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyField(queryset=Combatant.objects.all())
    site = ScopedPrimaryKeyField(queryset=Site.objects.all())
    checked_in_on = serializers.DateField()


class CheckOutSerializer(serializers.Serializer):
    checked_out_on = serializers.DateField()


class StayViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Stays on sites. POST checks a person in (refused when the site is full, the person a child,
    or already on a site); POST `{id}/check-out/` ends a stay. A row per person: not for analysts."""

    allowed_roles = CASE_ROLES
    write_roles = CANTONMENT_ROLES
    serializer_class = StaySerializer
    filterset_fields = ["site", "flag"]

    def get_queryset(self) -> Any:
        qs = CantonmentStay.objects.for_user(self.request.user).order_by("id")
        if self.request.query_params.get("open") == "true":
            qs = qs.filter(checked_out_on__isnull=True)
        return qs

    @extend_schema(request=CheckInSerializer, responses={201: StaySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CheckInSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            stay = stays.check_in(
                person=data.validated_data["person"],
                site=data.validated_data["site"],
                on=data.validated_data["checked_in_on"],
                by=request.user,
            )
        except stays.CantonmentRefused as exc:
            raise refused(exc) from exc
        return Response(StaySerializer(stay, context={"request": request}).data, status=201)

    @extend_schema(request=CheckOutSerializer, responses=StaySerializer)
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request: Request, pk: Any = None) -> Response:
        stay = self.get_object()
        data = CheckOutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            stay = stays.check_out(stay=stay, on=data.validated_data["checked_out_on"], by=request.user)
        except stays.CantonmentRefused as exc:
            raise refused(exc) from exc
        return Response(StaySerializer(stay, context={"request": request}).data)


# --- weapons and ammunition ---------------------------------------------------------------


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
        return wam.items_for(self.request.user).order_by("id")

    def _item_response(self, item: WamItem, status: int = 200) -> Response:
        item = self.get_queryset().get(pk=item.pk)  # with its holder as this reader may see them
        return Response(WamItemSerializer(item, context={"request": self.request}).data, status=status)

    @extend_schema(request=HandInSerializer, responses={201: WamItemSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = HandInSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            item = wam.hand_in(by=request.user, **values)
        except stays.CantonmentRefused as exc:
            raise refused(exc) from exc
        return self._item_response(item, 201)

    @extend_schema(request=TransferSerializer, responses=WamItemSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        data = TransferSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            wam.transfer(item=item, by=request.user, **data.validated_data)
        except stays.CantonmentRefused as exc:
            raise refused(exc) from exc
        return self._item_response(item)

    @extend_schema(request=DisposalSerializer, responses=WamItemSerializer)
    @action(detail=True, methods=["post"])
    def disposal(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        data = DisposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            wam.dispose(item=item, by=request.user, **data.validated_data)
        except stays.CantonmentRefused as exc:
            raise refused(exc) from exc
        return self._item_response(item)


class MovementReconciliationSerializer(serializers.Serializer):
    movement = serializers.CharField()
    declared = serializers.IntegerField(allow_null=True, help_text="null when suppressed")
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
    def get(self, request: Request) -> Response:
        if for_analyst(request.user):
            return Response(ReconciliationSerializer(self._visible(request)).data)
        code, site_id = request.query_params.get("movement", ""), request.query_params.get("site", "")
        movement = ArmedGroup.objects.filter(code=code).first() if code and code.isprintable() else None
        site = (
            Site.objects.for_user(request.user).filter(pk=int(site_id)).first()
            if site_id.isdigit() and len(site_id) < 16
            else None
        )
        if code and movement is None:
            raise ValidationError({"movement": [_("Unknown movement.")]})
        if site_id and site is None:
            raise ValidationError({"site": [_("No such site in your scope.")]})
        report = wam.reconciliation(request.user, movement=movement, site=site)
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

    def _visible(self, request: Request) -> dict[str, Any]:
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
        report = wam.reconciliation_base(request.user)
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


# --- inventory ----------------------------------------------------------------------------


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
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
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
        serializer.save()

    @extend_schema(request=MovementSerializer, responses=InventoryItemSerializer)
    @action(detail=True, methods=["post"])
    def movements(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        data = MovementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            inventory.movement_record(item=item, by=request.user, **data.validated_data)
        except stays.CantonmentRefused as exc:
            raise refused(exc) from exc
        return Response(
            InventoryItemSerializer(self.get_queryset().get(pk=item.pk), context={"request": request}).data
        )
