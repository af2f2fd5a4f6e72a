from __future__ import annotations

from django.contrib import admin

from core.admin import ScopedAdmin

from .models import Partner, Project


@admin.register(Partner)
class PartnerAdmin(ScopedAdmin):
    list_display = ("name", "acronym")
    search_fields = ("name", "acronym")


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ("code", "title", "kind", "status", "region", "partner", "budget_usd", "start", "end")
    list_filter = ("kind", "status", "region")
    list_select_related = ("region", "partner")
    search_fields = ("code", "title")
