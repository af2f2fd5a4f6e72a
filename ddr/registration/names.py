"""Malian names as written in French from Arabic, Tamasheq, Songhai and Fulfulde: one canonical
spelling per name, so that Mohamed, Mohammed and Muhammad compare equal. Pure functions."""

from __future__ import annotations

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


def person_name_key(family_name: str, given_name: str, also_known_as: str = "") -> str:
    """What search matches a person by: both names and every alias, folded. Computed here only, so
    that registration, list imports, merges and edits cannot drift apart."""
    return name_key(family_name, given_name, also_known_as)


def person_derive(person: Any) -> list[str]:
    """Recompute what a person's record derives from its own fields (search key, birth year), after
    registration, a merge or its undo, an edit. Returns the fields to save with the change."""
    person.name_key = person_name_key(person.family_name, person.given_name, person.also_known_as)
    if person.birth_date:
        person.birth_year = person.birth_date.year
        return ["name_key", "birth_year"]
    return ["name_key"]
