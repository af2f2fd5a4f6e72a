"""Malian names as written in French from Arabic, Tamasheq, Songhai and Fulfulde: one canonical
spelling per name, so that Mohamed, Mohammed and Muhammad compare equal. Pure functions."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from ddr.registration.rules import name_key

# Whole-word variants (after folding): the common transliterations seen on lists.
VARIANTS: dict[str, str] = {
    **dict.fromkeys(("mohammed", "muhammad", "mouhamed", "mohamad", "mahamed", "mahamat"), "mohamed"),
    **dict.fromkeys(("mahamadou", "mamadou", "mahmoud", "mahmud"), "mahamadou"),
    **dict.fromkeys(("ibrahima", "brahim", "ibrahime"), "ibrahim"),
    **dict.fromkeys(("abdoul", "abdou", "abdul"), "abdou"),
    **dict.fromkeys(("ousmane", "usman", "osmane"), "ousmane"),
    **dict.fromkeys(("oumar", "omar", "umar"), "oumar"),
    **dict.fromkeys(("amadou", "hamadou", "ahmadou"), "amadou"),
    **dict.fromkeys(("abdoulaye", "abdallah", "abdoullah"), "abdoulaye"),
    **dict.fromkeys(("aissata", "aichata", "aicha"), "aissata"),
    **dict.fromkeys(("fatoumata", "fatimata", "fadimata", "fatouma"), "fatoumata"),
    # Filiation particles: "son of" / "daughter of" in Tamasheq and Arabic.
    **dict.fromkeys(("ag", "ould", "walet", "welet", "oult", "ult"), "ag"),
}
SOUNDS = [(re.compile(r"dj"), "j"), (re.compile(r"ou"), "u"), (re.compile(r"(.)\1+"), r"\1")]


def _sounds(word: str) -> str:
    for pattern, replacement in SOUNDS:
        word = pattern.sub(replacement, word)
    return word


# Looked up after the sounds are simplified, so that a variant with a doubled letter or "ou"
# written "u" ("Oulld", "Mussa") still finds its canonical form.
_CANONICAL = {_sounds(variant): _sounds(name) for variant, name in VARIANTS.items()}


@lru_cache(maxsize=65_536)
def canonical_word(word: str) -> str:
    word = _sounds(word)
    return _CANONICAL.get(word, word)


def canonical(*parts: str) -> str:
    """Folded, variants unified, sounds simplified, words sorted: order on a list varies."""
    return " ".join(sorted(canonical_word(w) for w in name_key(*parts).split()))


# --- derived fields of a person -----------------------------------------------------------


def person_derived(
    *,
    family_name: str,
    given_name: str,
    also_known_as: str = "",
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
) -> dict[str, Any]:
    """What a person's record derives from its own fields: the search key (both names and every
    alias, folded) and the birth year (the date's, when the date is known). Computed here only, so
    that registration, list imports, merges, edits, the demo and the test factories cannot drift
    apart; `person_derive` applies it to a record, a list import to its flat rows."""
    return {
        "name_key": name_key(family_name, given_name, also_known_as),
        "birth_year": birth_date.year if birth_date else birth_year,
    }


def person_derive(person: Any) -> list[str]:
    """Refresh what a person's record derives (`person_derived`), after registration, a merge or
    its undo, an edit. Returns the fields to save with the change."""
    derived = person_derived(
        family_name=person.family_name,
        given_name=person.given_name,
        also_known_as=person.also_known_as,
        birth_date=person.birth_date,
        birth_year=person.birth_year,
    )
    person.name_key, person.birth_year = derived["name_key"], derived["birth_year"]
    return ["name_key", "birth_year"] if person.birth_date else ["name_key"]
