from __future__ import annotations

from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyMixin, ScopedAdmin, ScopedInline
from integration.models import Candidate, Cohort, IntegrationTarget, Membership, RankRule, RankTable, Unit


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
    list_display = ("name", "number", "start", "deadline", "movement", "region")
