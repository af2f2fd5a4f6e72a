"""Who may benefit from a programme: one rule for CVR, integration, units and everything later.

Kept apart from `ddr.rules` (pure, importable without Django: the matcher's benchmark uses it)
because it reads the register's choices.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from ddr.registration.models import Category, Combatant, Pathway, VettingStatus

S = Combatant.Status
# Why a registered person may not benefit from any programme (CVR, integration, a unit...).
CHILD, MERGED, EXCLUDED, DECEASED = "child", "merged", "excluded", "deceased"


def benefit_bar(person: Any) -> str:
    """Why `person` may not be enrolled in a programme as an ex-combatant ('' when they may): a
    child (referred to child protection instead), a duplicate merged into another record (its
    kept record benefits), someone excluded (vetting confirmed, excluded pathway or status), or
    deceased. Each programme then adds its own pathway condition. `may_benefit_q` is the same rule
    as a query condition."""
    if person.category == Category.CHILD or person.status == S.REFERRED:
        return CHILD
    if person.status == S.MERGED or person.merged_into_id is not None:
        return MERGED
    if (
        person.vetting_status == VettingStatus.CONFIRMED
        or person.pathway == Pathway.EXCLUDED
        or person.status == S.EXCLUDED
    ):
        return EXCLUDED
    if person.status == S.DECEASED:
        return DECEASED
    return ""


BAR_MESSAGES = {
    CHILD: gettext_lazy("%(who)s is a child: referred to child protection, never enrolled."),
    MERGED: gettext_lazy("%(who)s is a duplicate merged into another record."),
    EXCLUDED: gettext_lazy("%(who)s is excluded from the programme."),
    DECEASED: gettext_lazy("%(who)s is recorded as deceased."),
}


def benefit_refusal(person: Any) -> str:
    """`benefit_bar` as the sentence shown to the officer ('' when the person may benefit)."""
    bar = benefit_bar(person)
    return str(BAR_MESSAGES[bar] % {"who": person.registration_number}) if bar else ""


def may_benefit(person: Any) -> bool:
    return not benefit_bar(person)


def bar_conditions(prefix: str = "") -> list[tuple[str, Q]]:
    """`benefit_bar`'s reasons in its order, each as a condition on people (`prefix`: the path to
    the person, e.g. "combatant__"): for a query that says why, per person or counted."""
    return [
        (CHILD, Q(**{f"{prefix}category": Category.CHILD}) | Q(**{f"{prefix}status": S.REFERRED})),
        (MERGED, Q(**{f"{prefix}status": S.MERGED}) | Q(**{f"{prefix}merged_into__isnull": False})),
        (
            EXCLUDED,
            Q(**{f"{prefix}vetting_status": VettingStatus.CONFIRMED})
            | Q(**{f"{prefix}pathway": Pathway.EXCLUDED})
            | Q(**{f"{prefix}status": S.EXCLUDED}),
        ),
        (DECEASED, Q(**{f"{prefix}status": S.DECEASED})),
    ]


def may_benefit_q(prefix: str = "") -> Q:
    """`benefit_bar` as a condition on people (`prefix`: the path to the person, e.g. "combatant__")."""
    barred = Q()
    for _reason, condition in bar_conditions(prefix):
        barred |= condition
    return ~barred
