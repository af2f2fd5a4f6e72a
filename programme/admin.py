from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import AuditedAdmin
from core.models import Decision
from programme.governance.models import Roadmap, RoadmapAction
from programme.offline import services as offline
from programme.offline.models import Device


@admin.register(Decision)
class DecisionAdmin(AuditedAdmin):
    list_display = ("taken_on", "body", "reference", "title")
    list_filter = ("body",)
    search_fields = ("title", "reference", "text")
    date_hierarchy = "taken_on"


@admin.register(Roadmap)
class RoadmapAdmin(AuditedAdmin):
    list_display = ("title", "adopted_on", "decision")


@admin.register(RoadmapAction)
class RoadmapActionAdmin(AuditedAdmin):
    list_display = ("roadmap", "number", "deadline", "status", "overdue")
    list_filter = ("roadmap", "status", "overdue")
    search_fields = ("text", "responsible")


@admin.register(Device)
class DeviceAdmin(AuditedAdmin):
    """Devices that work offline: revoked here or on /hors-ligne/appareils/, never deleted."""

    list_display = ("name", "user", "registered_at", "last_sync_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "device_id")
    list_select_related = ("user",)
    readonly_fields = ("device_id", "user", "registered_at", "last_sync_at", "revoked_at", "revoked_by")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a device registers itself, from the app

    @admin.action(description=_("Revoke the selected devices (they wipe their data)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        revoked = 0
        for device in queryset.filter(revoked_at__isnull=True):
            offline.device_revoke(device=device, by=request.user)  # type: ignore[arg-type]
            revoked += 1
        self.message_user(
            request, ngettext("%(n)s device revoked.", "%(n)s devices revoked.", revoked) % {"n": revoked}
        )
