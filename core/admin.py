from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Cercle, ExportLog, Job, Region


class AuditedAdmin(SimpleHistoryAdmin):
    """History is shown, never rewritten.

    simple-history's REVERT_DISABLED only hides the button: a POST to the historical
    form would still overwrite the record with an old version. Refused here.
    """

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyMixin:
    """Shown for reference only: written by the application, never through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:  # obj: inlines
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScopedAdmin(AuditedAdmin):
    """Admin pages read through the same `for_user()` scoping as every view and endpoint."""

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        return qs.for_user(request.user) if hasattr(qs, "for_user") else qs


class CercleInline(admin.TabularInline):
    model = Cercle
    extra = 0


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    inlines = [CercleInline]


@admin.register(Cercle)
class CercleAdmin(AuditedAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name",)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("kind", "status", "done", "total", "created_by", "created_at", "finished_at")
    list_filter = ("kind", "status")
    list_select_related = ("created_by",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "user",
        "what",
        "identity",
        "purpose",
        "file_format",
        "row_count",
        "filters",
        "sha256",
    )
    list_filter = ("what", "identity", "file_format")
    list_select_related = ("user",)
