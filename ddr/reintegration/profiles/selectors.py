"""Reads: what the person's page shows of their choice and profile, the profile's versions, the
fit of their preferred trade, and the opportunity map."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.models import AnyUser
from accounts.permissions import REINTEGRATION_ROLES, has_role
from core.audit import Change, HistoryEntry, history_of
from ddr.registration.benefit import benefit_refusal
from ddr.registration.models import Category, Combatant
from ddr.reintegration.profiles import rules
from ddr.reintegration.profiles.models import Choice, Opportunity, Profile


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of this part (templates/ddr/reintegration/_person_profiles.html),
    under one key. Reintegration staff only; a child is never profiled (child protection takes
    their case), so nothing of the kind is read for one."""
    from ddr.reintegration.profiles.forms import ChoiceForm

    if person.category == Category.CHILD or not has_role(user, REINTEGRATION_ROLES):
        return {"profiles": None}
    profile = (
        Profile.objects.for_user(user)
        .select_related("preferred_trade", "return_region", "return_cercle", "profiled_by")
        .prefetch_related("skills")
        .filter(combatant=person)
        .first()
    )
    bar = benefit_refusal(person)
    return {
        "profiles": {
            "choices": _choices(person, user),
            "bar": bar,
            "choice_form": None if bar else ChoiceForm(initial={"chosen_on": timezone.localdate()}),
            "profile": profile,
            "versions": profile_versions(profile) if profile else [],
            "fit": profile_fit(profile) if profile else None,
        }
    }


def _choices(person: Combatant, user: AnyUser) -> list[Choice]:
    # The person's choice is a copy of their latest: none there, none recorded (no query).
    if not person.choice:
        return []
    return list(Choice.objects.for_user(user).filter(combatant=person).select_related("recorded_by"))


def profile_fit(profile: Profile) -> rules.Fit:
    """The fit of the preferred trade with the place of return. The map is read whole for the
    region of return, whoever reads: it is reference data, and the person is in the reader's scope."""
    lines: list[Opportunity] = []
    if profile.preferred_trade_id and profile.return_region_id:
        lines = list(
            Opportunity.objects.filter(region=profile.return_region_id).select_related("trade", "cercle")
        )
    return rules.trade_fit(profile.preferred_trade, profile.return_region, profile.return_cercle, lines)


def profile_versions(profile: Profile, limit: int = 200) -> list[HistoryEntry]:
    """`core.audit.history_of` the profile, newest first, each version's change of skills added
    (a many-to-many, which history_of does not read). Three queries."""
    entries = history_of(profile, limit)
    history = Profile.history
    ids = list(
        history.filter(id=profile.pk)
        .order_by("-history_date", "-history_id")
        .values_list("history_id", flat=True)[: limit + 1]
    )
    skills: dict[int, set[str]] = {pk: set() for pk in ids}
    for version, name in history.model.skills.model.objects.filter(history_id__in=ids).values_list(
        "history_id", "trade__name"
    ):
        skills[version].add(name)
    label = str(Profile._meta.get_field("skills").verbose_name)
    result = []
    for i, entry in enumerate(entries):
        now, before = skills[ids[i]], skills[ids[i + 1]] if i + 1 < len(ids) else set()
        if now != before:
            shown = Change(label, ", ".join(sorted(before)) or "—", ", ".join(sorted(now)) or "—", "skills")
            entry = dataclasses.replace(entry, changes=(*entry.changes, shown))
        result.append(entry)
    return result


# --- the opportunity map ------------------------------------------------------------------


def opportunity_map(user: AnyUser, *, region: str = "", trade: str = "") -> QuerySet[Opportunity]:
    """The lines of the map the user sees (a regional officer: their region's), by region code
    and trade code when given, in the order of the page: by region, its region-wide lines first,
    then its cercles; the most wanted trades first."""
    lines = Opportunity.objects.for_user(user).select_related("region", "cercle", "trade")
    if region:
        lines = lines.filter(region__code=region)
    if trade:
        lines = lines.filter(trade__code=trade)
    demand_rank = Case(
        *[When(demand=code, then=Value(rank)) for code, rank in rules.DEMAND_ORDER.items()],
        default=Value(len(rules.DEMAND_ORDER)),
        output_field=IntegerField(),
    )
    return lines.alias(demand_rank=demand_rank).order_by(
        "region__name", F("cercle__name").asc(nulls_first=True), "demand_rank", "trade__name"
    )
