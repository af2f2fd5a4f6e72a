from __future__ import annotations

from typing import Any

from django.contrib import admin

from accounts.http import acting_user
from core.admin import ReadOnlyMixin, ScopedAdmin, ScopedInline
from ddr.accountability.grievances import admin as grievances_admin  # noqa: F401 - registers its models
from ddr.eligibility.models import EligibilityRun, RuleSet
from ddr.lists.models import ArmedGroup, Coalition, CoalitionMembership
from ddr.registration.models import Combatant
from ddr.registration.names import person_derive
from ddr.reintegration.packages import admin as packages_admin  # noqa: F401 - registers its models
from ddr.reintegration.profiles.models import Opportunity, Trade
from ddr.screening.models import WatchlistEntry
from ddr.screening.services import children_separate, is_child_on_record


class CoalitionMembershipInline(ScopedInline):
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
    # Searched through this admin's own (scoped) queryset; the selected person's label is read
    # through the field's scoped choices, never by id (a raw id's label would name anyone).
    autocomplete_fields = ("merged_into",)
    # Changed by their services only, which keep the transition table, the pathway decisions and
    # the search key with their audit: shown here, never edited.
    SERVICE_FIELDS = (
        "status",
        "category",
        "pathway",
        "pathway_reason",
        "pathway_ruleset",
        "family_name",
        "given_name",
        "also_known_as",
        "name_key",
    )

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if obj is None else (*readonly, *self.SERVICE_FIELDS)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        person_derive(obj)  # what the record derives (the birth year from a date) follows its edits
        super().save_model(request, obj, form, change)
        if is_child_on_record(obj):
            # Made a child here (category or birth year): separated and referred like anywhere
            # else, never a child record without a referral, a deadline or minimisation.
            children_separate(people=Combatant.objects.filter(pk=obj.pk), by=acting_user(request))


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(ScopedAdmin):
    """Administrators maintain the vetting watch-list here (bulk: the import on /verification/)."""

    list_display = ("name", "aliases", "birth_year", "movement", "reason", "active")
    list_filter = ("active", "movement")
    search_fields = ("name", "aliases", "reason")


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyMixin, ScopedAdmin):
    """Changed only through the rule-set screens, which enforce drafts, checks and the recompute."""

    list_display = ("name", "version", "status", "effective_from", "effective_to", "activated_by")
    list_filter = ("status",)


@admin.register(EligibilityRun)
class EligibilityRunAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("ruleset", "started_by", "started_at", "finished_at", "changed", "waitlisted")
    list_select_related = ("ruleset", "started_by")


# --- reinsertion and reintegration ---------------------------------------------------------


@admin.register(Trade)
class TradeAdmin(ScopedAdmin):
    """Reference data kept by administrators: the trades that profiles, the opportunity map and
    toolkits name. Never deleted (profiles and lines point at them): rename instead."""

    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Opportunity)
class OpportunityAdmin(ScopedAdmin):
    """The opportunity map, for administrators (staff edit it on its screen, /opportunites/); the
    model's checks apply here too (a cercle of the region, the study named and dated)."""

    list_display = ("trade", "region", "cercle", "demand", "provider", "capacity", "source", "studied_on")
    list_filter = ("region", "demand", "trade")
    list_select_related = ("trade", "region", "cercle")
    search_fields = ("trade__name", "provider", "partners", "source")
