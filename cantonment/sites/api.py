"""Cantonment API: sites, stays, weapons and ammunition with their chain of custody, inventory.

Everyone reads within their scope; analysts read people as pseudonyms only. Officers of a region
write in their region. Every write goes through the same services as the browser, so a refusal
is the same refusal, returned as a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES, CANTONMENT_ROLES, CASE_ROLES
from cantonment.sites import selectors, services
from cantonment.sites.models import CantonmentStay, Site
from core.api import PersonRef, ScopedPrimaryKeyField
from core.models import Decision
from core.suppression import Base, for_analyst
from ddr.models import Combatant

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
            shown = selectors.site_figures(on_sites, site.pk)
            data |= {k: shown[k] for k in ("occupancy", "occupancy_women", "overstays")}
        return data


class SiteStepSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Site.Status.choices)
    on = serializers.DateField()
    decided_by = serializers.CharField(max_length=200, required=False, default="")
    decision = serializers.PrimaryKeyRelatedField(
        queryset=Decision.objects.all(), required=False, allow_null=True, default=None
    )
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
    request: AuthenticatedRequest  # RolePermission lets only a signed-in User in

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
            context["people_on_sites"] = selectors.people_on_sites(Site.objects.for_user(self.request.user))
        return context

    def perform_update(self, serializer: Any) -> None:
        site = serializer.instance
        data = serializer.validated_data
        services.site_capacity(
            site=site,
            capacity=data.get("capacity", site.capacity),
            places_for_women=data.get("places_for_women", site.places_for_women),
            by=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=site.pk)

    @extend_schema(request=SiteStepSerializer, responses=SiteSerializer)
    @action(detail=True, methods=["post"])
    def lifecycle(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        site = self.get_object()
        step = SiteStepSerializer(data=request.data)
        step.is_valid(raise_exception=True)
        services.site_advance(site=site, by=request.user, **step.validated_data)
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
    # Narrower than DRF's Request: RolePermission lets only a signed-in User reach this.
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = CheckInSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        stay = services.check_in(
            person=data.validated_data["person"],
            site=data.validated_data["site"],
            on=data.validated_data["checked_in_on"],
            by=request.user,
        )
        return Response(StaySerializer(stay, context={"request": request}).data, status=201)

    @extend_schema(request=CheckOutSerializer, responses=StaySerializer)
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        stay = self.get_object()
        data = CheckOutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stay = services.check_out(stay=stay, on=data.validated_data["checked_out_on"], by=request.user)
        return Response(StaySerializer(stay, context={"request": request}).data)


# --- weapons and ammunition ---------------------------------------------------------------


# --- inventory ----------------------------------------------------------------------------
