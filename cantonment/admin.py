from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cantonment.inventory.models import Handover, InventoryItem
from cantonment.sites.models import CantonmentStay, Site, SiteEvent
from cantonment.weapons.models import CustodyEvent, StockCheck, StorageLocation, WamItem
from core.admin import AuditedAdmin, ReadOnlyMixin, ScopedAdmin, ScopedInline


class SiteEventInline(ReadOnlyMixin, ScopedInline):
    model = SiteEvent
    extra = 0
    fields = ("on", "status", "decided_by", "decision", "note", "recorded_by")


@admin.register(Site)
class SiteAdmin(ScopedAdmin):
    list_display = ("name", "kind", "status", "region", "capacity", "places_for_women", "occupancy")
    list_filter = ("kind", "status", "region")
    list_select_related = ("region",)
    search_fields = ("name",)
    # Status moves through the lifecycle screen (dated, with its deciding body), not here.
    readonly_fields = ("status", "occupancy", "occupancy_women", "handed_over_to", "intended_reuse")
    inlines = [SiteEventInline]


@admin.register(StorageLocation)
class StorageLocationAdmin(ScopedAdmin):
    list_display = ("name", "region", "site")
    list_filter = ("region",)
    list_select_related = ("region", "site")


@admin.register(CantonmentStay)
class CantonmentStayAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("combatant", "site", "checked_in_on", "leave_by", "checked_out_on", "flag")
    list_filter = ("flag", "site")
    list_select_related = ("combatant", "site")


class CustodyInline(ReadOnlyMixin, ScopedInline):
    model = CustodyEvent
    extra = 0


@admin.register(WamItem)
class WamItemAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("receipt", "kind", "serial_number", "site", "location", "status")
    list_filter = ("kind", "status", "site")
    list_select_related = ("site", "location")
    search_fields = ("serial_number",)

    @admin.display(description=_("Receipt number"))
    def receipt(self, item: WamItem) -> str:
        return item.receipt_number
    # Who handed it in is a person, and this page is the site's region's, not the person's: a
    # child's weapon must not name the child here (the WAM screens show it to whoever may see them).
    exclude = ("combatant", "declared")
    inlines = [CustodyInline]


@admin.register(StockCheck)
class StockCheckAdmin(ReadOnlyMixin, AuditedAdmin):
    list_display = ("location", "kind", "generated_on", "due_on", "done_on")
    list_filter = ("kind",)


@admin.register(InventoryItem)
class InventoryItemAdmin(ScopedAdmin):
    list_display = ("code", "kind", "contents", "quantity", "region", "handover")
    list_filter = ("kind", "region")
    search_fields = ("code", "contents")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Handed over: frozen, here as everywhere.
        return super().has_change_permission(request, obj) and not (obj and obj.handover_id)


@admin.register(Handover)
class HandoverAdmin(ReadOnlyMixin, AuditedAdmin):
    list_display = ("reference", "on", "authority", "region", "handed_over_by", "receipt_sha256")
