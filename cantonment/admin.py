from __future__ import annotations

from django.contrib import admin

from core.admin import ScopedAdmin

from .models import Site


@admin.register(Site)
class SiteAdmin(ScopedAdmin):
    list_display = ("name", "kind", "status", "region", "capacity", "places_for_women")
    list_filter = ("kind", "status", "region")
    list_select_related = ("region",)
    search_fields = ("name",)
