from __future__ import annotations

from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyMixin, ScopedAdmin, ScopedInline
from cvr.models import Beneficiary, Consortium, Partner, Project, ProjectEvent, SOPVersion


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ("name", "acronym", "kind", "registration_number")
    list_filter = ("kind", "regions")
    search_fields = ("name", "acronym")
    filter_horizontal = ("regions",)


@admin.register(Consortium)
class ConsortiumAdmin(ReadOnlyMixin, AuditedAdmin):  # formed through the screen, which checks the rules
    list_display = ("name", "lead", "formed_on")


@admin.register(SOPVersion)
class SOPVersionAdmin(AuditedAdmin):
    list_display = (
        "name",
        "effective_from",
        "ex_combatant_share",
        "cap_single_usd",
        "cap_consortium_usd",
        "me_delay_days",
    )


class ProjectEventInline(ReadOnlyMixin, ScopedInline):
    model = ProjectEvent
    extra = 0
    fields = ("status", "on", "decided_by", "minutes", "recorded_by")


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = (
        "code",
        "title",
        "kind",
        "status",
        "region",
        "partner",
        "consortium",
        "budget_usd",
        "start",
        "end",
    )
    list_filter = ("kind", "status", "region", "me_flag")
    list_select_related = ("region", "partner", "consortium")
    search_fields = ("code", "title")
    # The lifecycle moves through its screen (dated, checked against the SOP), not here.
    readonly_fields = (
        "status",
        "approved_on",
        "sop",
        "actual_start",
        "actual_end",
        "me_due_on",
        "me_visited_on",
    )
    inlines = [ProjectEventInline]


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("project", "kind", "combatant", "name", "sex", "age_band")
    list_filter = ("kind", "sex", "age_band")
    list_select_related = ("project", "combatant")
