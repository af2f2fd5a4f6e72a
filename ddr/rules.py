"""Pure rules of the register: data in, result out, no database."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from .models import Category, Combatant, Pathway, VettingStatus


def luhn_digit(digits: str) -> int:
    """Luhn check digit: catches every single-digit typo and most swaps of neighbours."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def registration_number(region_code: str, sequence: int) -> str:
    """`GAO-0001234-5`: region, sequence, check digit. Short enough to read out by phone."""
    body = f"{sequence:07d}"
    return f"{region_code}-{body}-{luhn_digit(body)}"


def is_valid_registration_number(value: str) -> bool:
    parts = value.strip().upper().split("-")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit() or len(parts[2]) != 1:
        return False
    return luhn_digit(parts[1]) == int(parts[2])


def name_key(*parts: str) -> str:
    """Search form of names: lower case, accents removed, hyphens and runs of spaces as one space."""
    return " ".join(folded for p in parts if p and (folded := _fold(p)))


@lru_cache(maxsize=65_536)
def _fold(text: str) -> str:
    # Cached: a list of 100,000 people repeats the same few thousand names, regions and types.
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("-", " ").replace("'", " ")
    return " ".join(text.split())


# --- who may benefit from a programme -----------------------------------------------------

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


def may_benefit_q(prefix: str = "") -> Q:
    """`benefit_bar` as a condition on people (`prefix`: the path to the person, e.g. "combatant__")."""
    barred = (
        Q(**{f"{prefix}category": Category.CHILD})
        | Q(**{f"{prefix}status__in": [S.REFERRED, S.MERGED, S.EXCLUDED, S.DECEASED]})
        | Q(**{f"{prefix}merged_into__isnull": False})
        | Q(**{f"{prefix}vetting_status": VettingStatus.CONFIRMED})
        | Q(**{f"{prefix}pathway": Pathway.EXCLUDED})
    )
    return ~barred
