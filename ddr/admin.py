from __future__ import annotations

from django.contrib import admin

from core.admin import ScopedAdmin

from .models import ArmedGroup, Coalition, CoalitionMembership, Combatant


class CoalitionMembershipInline(admin.TabularInline):
    model = CoalitionMembership
    extra = 0


@admin.register(Coalition)
class CoalitionAdmin(ScopedAdmin):
    list_display = ("code", "name", "signatory")


@admin.register(ArmedGroup)
class ArmedGroupAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind", "split_from", "listed_for_child_recruitment")
    list_filter = ("kind", "listed_for_child_recruitment")
    search_fields = ("code", "name")
    inlines = [CoalitionMembershipInline]


@admin.register(Combatant)
class CombatantAdmin(ScopedAdmin):
    list_display = (
        "registration_number",
        "family_name",
        "given_name",
        "sex",
        "region",
        "movement",
        "category",
        "status",
    )
    list_filter = ("category", "status", "region", "movement")
    list_select_related = ("region", "movement")
    search_fields = ("registration_number", "family_name", "given_name")
    raw_id_fields = ("movement",)
