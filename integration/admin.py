from __future__ import annotations

from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyMixin, ScopedAdmin, ScopedInline
from integration.models import (
    Candidate,
    Cohort,
    Intake,
    IntegrationTarget,
    Membership,
    Placement,
    RankRule,
    RankTable,
    Reclassification,
    Unit,
)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ("name", "kind", "region", "location", "established", "authorised_strength")
    list_filter = ("kind", "region")
    list_select_related = ("region",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyMixin, ScopedAdmin):  # written through the unit screens, which check the rules
    list_display = ("unit", "party", "role", "rank", "start", "end", "leaving")
    list_filter = ("party", "role", "leaving", "unit")
    list_select_related = ("unit",)


class RankRuleInline(ScopedInline):
    model = RankRule
    extra = 0


@admin.register(RankTable)
class RankTableAdmin(AuditedAdmin):
    list_display = ("name", "decree", "effective_from")
    fields = ("name", "decree", "effective_from", "caps", "command_positions", "note")
    inlines = [RankRuleInline]


@admin.register(Cohort)
class CohortAdmin(ScopedAdmin):
    list_display = ("name", "region", "training_start", "training_end", "target_unit")


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("cohort", "combatant", "status", "army_rank")
    list_filter = ("status", "cohort")


@admin.register(IntegrationTarget)
class IntegrationTargetAdmin(AuditedAdmin):
    list_display = ("name", "structure", "number", "military_number", "civil_number", "start", "deadline")
    list_filter = ("structure",)


@admin.register(Intake)
class IntakeAdmin(ScopedAdmin):
    list_display = ("name", "structure", "corps", "region", "opened_on")
    list_filter = ("structure", "region")
    list_select_related = ("region",)


@admin.register(Placement)
class PlacementAdmin(ReadOnlyMixin, ScopedAdmin):  # written through the intake screens, which check the rules
    list_display = ("intake", "combatant", "status", "corps", "completed_on")
    list_filter = ("status", "intake__structure")


@admin.register(Reclassification)
class ReclassificationAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("combatant", "from_corps", "to_corps", "on", "decided_by")
