"""What a reviewer reads beside a pair: which name words the two records share (after the canonical
Malian spelling: Mohamed = Muhammad, Ag = Ould, Intallah = Intalah), which are on one side only, and
whether birth and place agree. Pure functions, importable without Django; words are returned as
written on each record, so that the reviewer sees the clerk's spelling, not ours."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ddr.registration.names import canonical_word
from ddr.registration.rules import name_key

# How two values compare, for the page: the same, nearly (a typo, an age estimate), not at all, or
# unknown on at least one side (which is never agreement).
AGREE, CLOSE, DIFFER, UNKNOWN = "agree", "close", "differ", "unknown"

_WORD = re.compile(r"[^\s\-']+")


@dataclass(frozen=True)
class Shared:
    """One name word on both records: as written on the first, and on the second."""

    first: str
    second: str

    @property
    def same_spelling(self) -> bool:
        return name_key(self.first) == name_key(self.second)


@dataclass(frozen=True)
class NameWords:
    shared: tuple[Shared, ...]
    close: tuple[Shared, ...]  # one letter apart once canonical: a typo more likely than another name
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]


def _words(*parts: str) -> list[tuple[str, str]]:
    """(as written, canonical) for each word of the names, family name first as lists print it."""
    out = []
    for part in parts:
        for written in _WORD.findall(part or ""):
            for key in name_key(written).split():
                out.append((written, canonical_word(key)))
    return out


def one_edit_apart(a: str, b: str) -> bool:
    """One letter changed, added or dropped, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = sorted((a, b), key=len)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


def name_words(a_given: str, a_family: str, b_given: str, b_family: str) -> NameWords:
    """The words of two people's names, matched across given and family names (clerks swap them)."""
    first, second = _words(a_family, a_given), _words(b_family, b_given)
    waiting: dict[str, list[int]] = defaultdict(list)
    for index, (_written, key) in enumerate(second):
        waiting[key].append(index)
    taken: set[int] = set()
    shared: list[Shared] = []
    left: list[tuple[str, str]] = []
    for written, key in first:
        if waiting[key]:
            index = waiting[key].pop(0)
            taken.add(index)
            shared.append(Shared(written, second[index][0]))
        else:
            left.append((written, key))
    close: list[Shared] = []
    only_first: list[str] = []
    for written, key in left:
        near = next(
            (
                i
                for i, (_w, k) in enumerate(second)
                if i not in taken and len(key) > 3 and one_edit_apart(key, k)
            ),
            None,
        )
        if near is None:
            only_first.append(written)
        else:
            taken.add(near)
            close.append(Shared(written, second[near][0]))
    only_second = [written for i, (written, _key) in enumerate(second) if i not in taken]
    return NameWords(tuple(shared), tuple(close), tuple(only_first), tuple(only_second))


def _digits(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def birth_agreement(
    a_date: dt.date | None, a_year: int | None, b_date: dt.date | None, b_year: int | None
) -> str:
    """Exact dates: equal, or nearly (one digit, day and month swapped, the same year). Years (an age
    estimate on a list): equal, or within two years. A missing side is unknown, never agreement."""
    if a_date and b_date:
        if a_date == b_date:
            return AGREE
        one_digit = sum(x != y for x, y in zip(_digits(a_date), _digits(b_date), strict=True)) == 1
        swapped = (a_date.year, a_date.month, a_date.day) == (b_date.year, b_date.day, b_date.month)
        return CLOSE if one_digit or swapped or a_date.year == b_date.year else DIFFER
    a_year = a_date.year if a_date else a_year
    b_year = b_date.year if b_date else b_year
    if a_year is None or b_year is None:
        return UNKNOWN
    gap = abs(a_year - b_year)
    return AGREE if gap == 0 else CLOSE if gap <= 2 else DIFFER


def place_agreement(a: str, b: str) -> str:
    a_key = " ".join(canonical_word(w) for w in name_key(a or "").split())
    b_key = " ".join(canonical_word(w) for w in name_key(b or "").split())
    if not a_key or not b_key:
        return UNKNOWN
    if a_key == b_key:
        return AGREE
    return CLOSE if len(a_key) > 3 and one_edit_apart(a_key, b_key) else DIFFER


class PersonLike(Protocol):
    given_name: str
    family_name: str
    birth_date: dt.date | None
    birth_year: int | None
    place_of_birth: str


@dataclass(frozen=True)
class Explanation:
    words: NameWords
    birth: str
    place: str


def explain(first: PersonLike, second: PersonLike) -> Explanation:
    return Explanation(
        name_words(first.given_name, first.family_name, second.given_name, second.family_name),
        birth_agreement(first.birth_date, first.birth_year, second.birth_date, second.birth_year),
        place_agreement(first.place_of_birth, second.place_of_birth),
    )


# --- field by field, for the pair page ---------------------------------------------------------


def names_agreement(words: NameWords) -> str:
    """Every word on both sides: the same (nearly, if a word is one letter apart); words on one
    side only: nearly (a name added or left out); words on both sides without a match: different."""
    if not (words.shared or words.close or words.only_first or words.only_second):
        return UNKNOWN
    if not words.only_first and not words.only_second:
        return CLOSE if words.close else AGREE
    if (words.only_first and words.only_second) or not (words.shared or words.close):
        return DIFFER
    return CLOSE


def same_value(a: object, b: object) -> str:
    """Two plain values (a region, a movement, a sex): equal, different, or one is missing."""
    if a in (None, "") or b in (None, ""):
        return UNKNOWN
    return AGREE if a == b else DIFFER


def aliases_agreement(a: str, b: str) -> str:
    """Aliases ("; "-separated), compared in their canonical spelling: one in common is agreement."""
    a_keys = {_canonical(alias) for alias in (a or "").split(";")} - {""}
    b_keys = {_canonical(alias) for alias in (b or "").split(";")} - {""}
    if not a_keys or not b_keys:
        return UNKNOWN
    return AGREE if a_keys & b_keys else DIFFER


def _canonical(text: str) -> str:
    return " ".join(canonical_word(w) for w in name_key(text).split())


def _normalised(number: str) -> str:
    return (number or "").strip().upper()  # as the matcher reads identifiers


def documents_agreement(a: Iterable[tuple[str, str]], b: Iterable[tuple[str, str]]) -> str:
    """Identity documents as (type, number): a number in common is agreement (the matcher counts it
    as near proof); the same type with other numbers differs; other types cannot be compared."""
    a_docs = {(kind, _normalised(n)) for kind, n in a if _normalised(n)}
    b_docs = {(kind, _normalised(n)) for kind, n in b if _normalised(n)}
    if {n for _k, n in a_docs} & {n for _k, n in b_docs}:
        return AGREE
    if {k for k, _n in a_docs} & {k for k, _n in b_docs}:
        return DIFFER
    return UNKNOWN


def serials_agreement(a: Iterable[str], b: Iterable[str]) -> str:
    """Weapon serial numbers: one in common agrees (strong evidence, not proof: weapons change
    hands); serials on both sides and none in common differ."""
    a_serials = {_normalised(s) for s in a} - {""}
    b_serials = {_normalised(s) for s in b} - {""}
    if not a_serials or not b_serials:
        return UNKNOWN
    return AGREE if a_serials & b_serials else DIFFER


class RecordLike(PersonLike, Protocol):
    also_known_as: str
    sex: str
    region_id: int
    movement_id: int
    status: str
    pathway: str
    biometric_ref: str


@dataclass(frozen=True)
class Fields:
    """How each field of a pair's two records compares: AGREE, CLOSE, DIFFER or UNKNOWN."""

    name: str
    aliases: str
    sex: str
    birth: str
    place: str
    region: str
    movement: str
    step: str  # status and pathway: a merge needs both records at the same step
    documents: str
    weapons: str
    biometric: str


def compare_fields(
    first: RecordLike,
    second: RecordLike,
    *,
    documents: tuple[Iterable[tuple[str, str]], Iterable[tuple[str, str]]] = ((), ()),
    serials: tuple[Iterable[str], Iterable[str]] = ((), ()),
) -> Fields:
    words = name_words(first.given_name, first.family_name, second.given_name, second.family_name)
    return Fields(
        name=names_agreement(words),
        aliases=aliases_agreement(first.also_known_as, second.also_known_as),
        sex=same_value((first.sex or "").upper()[:1], (second.sex or "").upper()[:1]),
        birth=birth_agreement(first.birth_date, first.birth_year, second.birth_date, second.birth_year),
        place=place_agreement(first.place_of_birth, second.place_of_birth),
        region=same_value(first.region_id, second.region_id),
        movement=same_value(first.movement_id, second.movement_id),
        step=same_value((first.status, first.pathway), (second.status, second.pathway)),
        documents=documents_agreement(*documents),
        weapons=serials_agreement(*serials),
        biometric=same_value(first.biometric_ref, second.biometric_ref),
    )
