"""The register as matching reads it: plain records (`Person`), their names in canonical Malian
spelling with phonetic codes, and the whole register in columns (`Register`), built once and read
by blocking and scoring. Pure: no Django."""

from __future__ import annotations

import datetime as dt
import sys
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ddr.registration.names import canonical_word
from ddr.registration.rules import name_key

PARTICLE = "ag"  # every filiation particle after canonical_word


@dataclass(frozen=True, slots=True)
class Person:
    """What matching reads of a person; any field may be missing."""

    id: int
    given: str = ""
    family: str = ""
    sex: str = ""
    birth_year: int | None = None
    birth_date: dt.date | None = None
    place_of_birth: str = ""
    region: str = ""
    movement: str = ""
    documents: frozenset[str] = frozenset()
    biometric: str = ""
    serials: frozenset[str] = frozenset()


def units(text: str) -> list[str]:
    """Canonical name words; the particle binds to the next word ("^inamoud": son of Inamoud),
    so that a son is not his father: "Almahdi Ag Inamoud" is not "Inamoud Ag Almahdi"."""
    found: list[str] = []
    for word in (canonical_word(w) for w in name_key(text).split()):
        if found and found[-1] == PARTICLE:
            found[-1] = f"^{word}"
        else:
            found.append(word)
    return found


SOUND_CLASSES = str.maketrans("zcqgpvtywoe", "skkkbfdiuui")


def sound(word: str) -> str:
    """A phonetic code for blocking: the first letter's class, the first vowel's class (a, e/i/y,
    o/u), then the consonants' classes (s/z/c, k/q/g/c, b/p, d/t, f/v), other vowels, h and
    repeats dropped. Souleymane and Zouleymane, Moussa and Mossa, Dicko and Diko share one."""
    word = word.lstrip("^").translate(SOUND_CLASSES)
    if not word:
        return ""
    code = [word[0]]
    vowel = next((letter for letter in word[1:] if letter in "aiu"), "")
    for letter in word[1:]:
        if letter not in "aiuh" and letter != code[-1]:
            code.append(letter)
    return code[0] + vowel + "".join(code[1:])


# --- the register as columns ----------------------------------------------------------------


class _Interned:
    """Values as small integers (their frequency is a count per id), and the values themselves."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {"": 0}
        self.values: list[str] = [""]

    def __call__(self, value: str) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found


CONVENTIONAL_DAYS = {(1, 1), (12, 31)}  # what registries write when only the year is known


def _column() -> array[int]:
    return array("q")


@dataclass
class Register:
    """The register in columns (one row per person), built once and read by every pass."""

    # Integer columns as compact arrays (8 bytes a value, not a Python int each): a million people.
    ids: array[int] = field(default_factory=_column)
    given: array[int] = field(default_factory=_column)  # first given word (interned)
    family: array[int] = field(default_factory=_column)  # the other words: family, father's, second given
    full: array[int] = field(default_factory=_column)  # every name word, sorted (interned)
    given_sound: array[int] = field(default_factory=_column)  # the same as phonetic codes
    family_sound: array[int] = field(default_factory=_column)
    place: array[int] = field(default_factory=_column)
    sex: array[int] = field(default_factory=_column)
    region: array[int] = field(default_factory=_column)
    movement: array[int] = field(default_factory=_column)
    year: array[int] = field(default_factory=_column)  # -1: unknown
    date: array[int] = field(default_factory=_column)  # yyyymmdd, 0: unknown
    words: list[tuple[str, ...]] = field(default_factory=list)  # phonetic codes, for blocking
    identifiers: dict[str, list[int]] = field(default_factory=dict)  # "doc:N123": the people holding it
    biometric: dict[int, str] = field(default_factory=dict)
    names: _Interned = field(default_factory=_Interned)
    places: _Interned = field(default_factory=_Interned)
    others: _Interned = field(default_factory=_Interned)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, person: Person) -> None:
        index = len(self.ids)
        given, family = units(person.given), units(person.family)
        if given and given[0].startswith("^") and family and not family[0].startswith("^"):
            given, family = family, given  # "Ag Intallah, Mohamed": the clerk swapped the fields
        first = next((w for w in given if w != PARTICLE), "")
        rest = [w for w in given + family if w != PARTICLE]
        rest.remove(first) if first else None
        self.ids.append(person.id)
        self.given.append(self.names(first))
        self.family.append(self.names(" ".join(sorted(rest))))
        self.given_sound.append(self.names(sound(first)))
        self.family_sound.append(self.names(" ".join(sorted(sound(w) for w in rest))))
        self.full.append(self.names(" ".join(sorted(given + family))))
        self.place.append(self.places(canonical_word(name_key(person.place_of_birth).replace(" ", ""))))
        self.sex.append(self.others(person.sex.upper()[:1]))
        self.region.append(self.others(f"r:{person.region}" if person.region else ""))
        self.movement.append(self.others(f"m:{person.movement}" if person.movement else ""))
        born = person.birth_date
        if born and (born.month, born.day) in CONVENTIONAL_DAYS:
            born = None  # "born 1 January 1985" often means "born in 1985": compared as a year
        year = person.birth_date.year if person.birth_date else person.birth_year
        self.year.append(year if year is not None else -1)
        self.date.append(born.year * 10_000 + born.month * 100 + born.day if born else 0)
        codes = dict.fromkeys(sys.intern(s) for w in given + family if w != PARTICLE and (s := sound(w)))
        self.words.append(tuple(codes))
        for kind, values in (("doc", person.documents), ("ser", person.serials)):
            for value in values:
                self._identifier(index, f"{kind}:{value}")
        if person.biometric:
            self._identifier(index, f"bio:{person.biometric}")
            self.biometric[index] = person.biometric

    def _identifier(self, index: int, key: str) -> None:
        self.identifiers.setdefault(key, []).append(index)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        columns = {
            name: np.frombuffer(getattr(self, name), dtype=np.int64)  # shared: the register is complete
            for name in (
                "given",
                "family",
                "full",
                "given_sound",
                "family_sound",
                "place",
                "sex",
                "region",
                "movement",
                "year",
                "date",
            )  # fmt: skip
        }
        words = np.asarray([name.count(" ") + 1 for name in self.names.values])
        columns["place_sound"] = np.asarray([hash(sound(place)) for place in self.places.values])[
            columns["place"]
        ]
        columns["fathers"] = np.asarray([name.count("^") for name in self.names.values])  # by name id
        columns["family_words"] = words[columns["family"]]
        return columns
