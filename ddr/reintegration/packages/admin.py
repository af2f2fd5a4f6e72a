"""The catalogue in the admin (administrators keep reference data there): funding sources, and
packages with their components while nobody is enrolled in them. Enrolments and entitlements
are shown, scoped like their person, and never written here (their services keep the rules)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ReadOnlyMixin, ScopedAdmin, ScopedInline
from ddr.reintegration.packages.models import Component, Enrolment, Entitlement, FundingSource, Package


@admin.register(FundingSource)
class FundingSourceAdmin(ScopedAdmin):
    list_display = ("code", "name", "envelope_xof")
    search_fields = ("code", "name")


def _enrolled(package: Any) -> bool:
    return package is not None and package.pk is not None and package.enrolments.exists()


class ComponentInline(ScopedInline):
    model = Component
    extra = 0
    fields = ("position", "kind", "label", "trade", "delivery", "amount_xof", "due_after_days")
    raw_id_fields = ("trade",)

    # A version people are enrolled in is never changed: its components neither.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _enrolled(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _enrolled(obj) and super().has_change_permission(request, obj)


@admin.register(Package)
class PackageAdmin(ScopedAdmin):
    list_display = ("code", "version", "name", "phase", "funding_source", "effective_from", "effective_to")
    list_filter = ("phase", "funding_source", "women_only")
    list_select_related = ("funding_source",)
    search_fields = ("code", "name")
    inlines = [ComponentInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _enrolled(obj) and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # What identifies a version stays; a new version is made on the catalogue's page.
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if obj is None else (*readonly, "code", "version")


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("id", "combatant_id", "package", "enrolled_on", "status", "dropped_on")
    list_filter = ("status", "package__phase")
    list_select_related = ("package",)
    raw_id_fields = ("combatant", "package", "enrolled_by")


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("id", "combatant_id", "component", "amount_xof", "due_on", "state", "settled_on")
    list_filter = ("state",)
    list_select_related = ("component",)
    raw_id_fields = ("enrolment", "combatant", "component")
