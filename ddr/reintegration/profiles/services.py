"""The person's choice (which the rules in force read at once), their socio-economic profile (every
version kept) and the lines of the opportunity map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import REINTEGRATION_ROLES, has_role
from core.audit import save_audited
from core.errors import Refused
from ddr.registration.benefit import benefit_refusal
from ddr.registration.models import Combatant
from ddr.reintegration.profiles import rules
from ddr.reintegration.profiles.models import Choice, ChoiceOption, Opportunity, Profile, Trade


class ChoiceRefused(Refused):
    """The choice cannot be recorded; the message says why. Nothing was changed."""


class ProfileRefused(Refused):
    """The profile cannot be saved; the message says why. Nothing was changed."""


class OpportunityRefused(Refused):
    """The line of the opportunity map cannot be saved; the message says why. Nothing was changed."""


# --- the choice ---------------------------------------------------------------------------


@transaction.atomic
def choice_record(
    *,
    person: Combatant,
    option: str,
    volunteer_first_operation: bool,
    chosen_on: dt.date,
    witnessed_by: str,
    by: User,
) -> Choice:
    """Record what the person chose, before whom. Their latest choice is copied to the person,
    and, when the rules in force have decided their pathway before, decided again at once: a
    volunteer for civilian life goes to reinsertion under a rule set that respects the choice."""
    from ddr.eligibility import selectors as eligibility_selectors
    from ddr.eligibility import services as eligibility

    person = Combatant.objects.select_for_update().get(pk=person.pk)  # one choice at a time
    if refusal := benefit_refusal(person):
        raise ChoiceRefused(refusal)
    if option not in ChoiceOption.values:
        raise ChoiceRefused(_("Unknown choice."), field="option")
    if volunteer_first_operation and option != ChoiceOption.CIVILIAN_LIFE:
        raise ChoiceRefused(
            _("Only a person who chooses civilian life volunteers for the first reinsertion operation."),
            field="volunteer_first_operation",
        )
    if chosen_on > timezone.localdate():
        raise ChoiceRefused(_("A choice cannot be dated in the future."), field="chosen_on")
    if chosen_on < person.registered_at:
        raise ChoiceRefused(
            _("A choice cannot be dated before the person's registration."), field="chosen_on"
        )
    witness = witnessed_by.strip()
    if not witness:
        raise ChoiceRefused(_("Name who witnessed the choice."), field="witnessed_by")
    choice = Choice(
        combatant=person,
        option=option,
        volunteer_first_operation=volunteer_first_operation,
        chosen_on=chosen_on,
        witnessed_by=witness,
        recorded_by=by,
    )
    choice._history_user = by  # type: ignore[attr-defined]
    choice.save()
    latest = (
        Choice.objects.filter(combatant=person).order_by("-chosen_on", "-id").values_list("option", flat=True)
    )
    current = latest.first() or ""
    if person.choice != current:
        person.choice = current
        save_audited(person, by, ["choice"], "choice recorded")
        ruleset = eligibility_selectors.active_ruleset()
        if ruleset is not None and person.pathway_ruleset_id is not None:
            eligibility.person_decide(person=person, ruleset=ruleset, by=by)
    return choice


# --- the profile --------------------------------------------------------------------------

PROFILE_FIELDS = (
    "education",
    "literate",
    "languages",
    "occupation_before",
    "preferred_trade",
    "dependants",
    "household_size",
    "health_needs",
    "return_region",
    "return_cercle",
    "return_commune",
    "housing",
    "mobile_money",
    "bank_account",
    "profiled_on",
)


@transaction.atomic
def profile_save(*, person: Combatant, data: Mapping[str, Any], by: User) -> Profile:
    """Create or update the person's one profile from `data` (the fields of `PROFILE_FIELDS`, and
    `skills`, trades); each save is one version in its history, skills included. A cercle of
    return without a region gives its region; the mobile-money number is kept as +223 and 8 digits."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    if refusal := benefit_refusal(person):
        raise ProfileRefused(refusal)
    unknown = set(data) - {*PROFILE_FIELDS, "skills"}
    if unknown:
        raise ProfileRefused(_("Unknown profile fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    profile = Profile.objects.filter(combatant=person).first() or Profile(combatant=person)
    created = profile.pk is None
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(profile, name, data[name])
    if profile.return_cercle is not None and profile.return_region is None:
        profile.return_region = profile.return_cercle.region
    problems = rules.profile_problems(profile, registered_at=person.registered_at, today=timezone.localdate())
    if problems:
        field, message = problems[0]
        raise ProfileRefused(message, field=field)
    profile.mobile_money = rules.mobile_money_normalise(profile.mobile_money) or ""
    profile.profiled_by = by
    skills = _skill_ids(data["skills"]) if "skills" in data else None
    # One version per save: the row and its skills are written without history, then the
    # version is written once, with the skills as they now are (setting skills alone would add
    # a version for each removal and addition).
    profile.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        profile.save()
        if skills is not None:
            profile.skills.set(skills)
    finally:
        del profile.skip_history_when_saving  # type: ignore[attr-defined]
    _version(profile, by=by, created=created)
    return profile


def _skill_ids(skills: Iterable[Trade | int]) -> list[int]:
    return sorted({s.pk if isinstance(s, Trade) else int(s) for s in skills})


def _version(profile: Profile, *, by: User, created: bool) -> None:
    history = Profile.history
    # PostgreSQL and SQLite return the new row's id from a bulk insert.
    (version,) = history.bulk_history_create([profile], update=not created, default_user=by)
    # The skills as they now are, each row of the link table copied (as simple-history does).
    skills_history = history.model.skills.model
    links = Profile.skills.through.objects.filter(profile_id=profile.pk)
    skills_history.objects.bulk_create(
        [
            skills_history(history=version, id=link.pk, profile_id=profile.pk, trade_id=link.trade_id)
            for link in links
        ]
    )


# --- the opportunity map ------------------------------------------------------------------


@transaction.atomic
def opportunity_save(*, opportunity: Opportunity, by: User) -> Opportunity:
    """Add or change a line of the opportunity map. National staff edit every region; a regional
    officer edits the lines of their own region only. Each line names its study and its date."""
    if not has_role(by, REINTEGRATION_ROLES):
        raise OpportunityRefused(_("Your role does not edit the opportunity map."))
    if by.is_regional:
        stored = Opportunity.objects.filter(pk=opportunity.pk).values_list("region_id", flat=True).first()
        if opportunity.region_id != by.region_id or stored not in (None, by.region_id):
            raise OpportunityRefused(
                _("A regional officer edits the opportunity map of their own region only."), field="region"
            )
    problems = rules.opportunity_problems(opportunity, today=timezone.localdate())
    if problems:
        field, message = problems[0]
        raise OpportunityRefused(message, field=field)
    twin = Opportunity.objects.filter(
        region_id=opportunity.region_id, cercle=opportunity.cercle, trade_id=opportunity.trade_id
    ).exclude(pk=opportunity.pk)
    if twin.exists():
        raise OpportunityRefused(
            _("The map already has a line for %(trade)s in %(place)s: change that one.")
            % {"trade": opportunity.trade, "place": opportunity.cercle or opportunity.region},
            field="trade",
        )
    opportunity.source = opportunity.source.strip()
    opportunity._history_user = by  # type: ignore[attr-defined]
    opportunity.save()
    return opportunity
