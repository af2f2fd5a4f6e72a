from __future__ import annotations

from django.contrib import admin

from core.admin import ScopedAdmin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ("name", "kind", "region", "location", "established", "authorised_strength")
    list_filter = ("kind", "region")
    list_select_related = ("region",)
