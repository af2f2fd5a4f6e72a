"""Probable duplicates in a register of people: blocking, then a Fellegi-Sunter model whose weights
are learned from the register itself, with common names counting for less than rare ones.

Pure functions over plain records (`Person`), so that the same code runs on any register: the
database's, an imported list's, or a benchmark's. Names are compared in their canonical Malian form
(`ddr.registration.names`): transliterations, Ag/Ould/Walet, ou/u, dj/j and doubled letters unified.

Blocking (`candidate_pairs`) unions several independent passes, so that no single error hides a
pair: each pair of name words (any order, whatever the birth year), the same with the place of
birth, each name word with the birth year (neighbours by the rest of the name, read forwards and
backwards), the exact birth date (and its day and month swapped), and identifiers. Name words
are blocked by a phonetic code (`sound`), so that Souleymane meets Zouleymane. A block holds
namesakes; when one is large (a common name at national scale) each person is compared with its
nearest neighbours in the block's order only, so comparisons per person stay bounded however
large the register grows (each pass gives at most 2 x `WINDOW`).

Scoring (`levels`, `Model`): each pair gets a level on each comparison (given name, family name,
birth, place, sex, region, movement). The model says how often each level happens among true
duplicates (m) and among random pairs (u); a level's weight is log2(m/u) bits. u is measured on
random pairs of the register, m is learned by expectation-maximisation on the candidate pairs
(two sessions, as splink does: pairs with the same birth date teach the name comparisons, pairs
with the same name teach the others), and an exact agreement weighs log2(m / frequency of the
value): "Traoré" counts for less than a rare name. The prior (how likely two random people are
one) falls as the register grows, so a common name needs more evidence at national scale.
Identifiers are evidence by definition and are not learned: a shared document, serial or
biometric reference counts heavily for, two different biometric references heavily against.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

from ddr.registration.names import canonical_word
from ddr.registration.rules import name_key


def gettext_noop(text: str) -> str:  # labels are translated where they are shown
    return text


Ints = npt.NDArray[np.int64]
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


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities. From `strong`: proposed as the same person; from `review`: to review."""

    strong: float = 0.999
    review: float = 0.5


@dataclass(frozen=True, slots=True)
class Candidate:
    a: int
    b: int
    score: float
    agreed: tuple[str, ...]
    differed: tuple[str, ...]


# --- names ----------------------------------------------------------------------------------


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


@dataclass
class Register:
    """The register in columns (one row per person), built once and read by every pass."""

    ids: list[int] = field(default_factory=list)
    given: list[int] = field(default_factory=list)  # first given word (interned)
    family: list[int] = field(default_factory=list)  # the other words: family, father's, second given
    full: list[int] = field(default_factory=list)  # every name word, sorted (interned)
    given_sound: list[int] = field(default_factory=list)  # the same as phonetic codes
    family_sound: list[int] = field(default_factory=list)
    place: list[int] = field(default_factory=list)
    sex: list[int] = field(default_factory=list)
    region: list[int] = field(default_factory=list)
    movement: list[int] = field(default_factory=list)
    year: list[int] = field(default_factory=list)  # -1: unknown
    date: list[int] = field(default_factory=list)  # yyyymmdd, 0: unknown
    words: list[tuple[str, ...]] = field(default_factory=list)  # phonetic codes, for blocking
    identifiers: dict[str, list[int]] = field(default_factory=dict)
    held: dict[int, set[str]] = field(default_factory=dict)  # each person's identifiers
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
        codes = dict.fromkeys(s for w in given + family if w != PARTICLE and (s := sound(w)))
        self.words.append(tuple(codes))
        for kind, values in (("doc", person.documents), ("ser", person.serials)):
            for value in values:
                self._identifier(index, f"{kind}:{value}")
        if person.biometric:
            self._identifier(index, f"bio:{person.biometric}")
            self.biometric[index] = person.biometric

    def _identifier(self, index: int, key: str) -> None:
        self.identifiers.setdefault(key, []).append(index)
        self.held.setdefault(index, set()).add(key)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        columns = {
            name: np.asarray(getattr(self, name), dtype=np.int64)
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


# --- blocking -------------------------------------------------------------------------------

FULL_BLOCK = 12  # a block this small is compared whole
WINDOW = 5  # in a larger one, each person meets this many neighbours on each side


@lru_cache(maxsize=262_144)
def _order(text: str, reverse: bool = False) -> int:
    """An integer that sorts like the first 8 letters of `text` (or of it read backwards)."""
    text = text[::-1] if reverse else text
    return int.from_bytes(text[:8].encode("latin-1", "replace").ljust(8, b" "), "big") >> 1


def _rank(register: Register, index: int, name: str) -> int:
    """Order within a block: by `name` (5 letters), then place of birth (2), then birth year, so
    that among many namesakes the ones born in the same place and year are neighbours."""
    place = register.places.values[register.place[index]]
    year = register.year[index]
    return _order(f"{name[:5]:<5}{place[:2]:<2}{chr(32 + (year - 1900) % 200 if year >= 0 else 32)}")


def _unique(values: Ints) -> Ints:
    """Sorted distinct values (numpy's own unique hashes first, several times slower here)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _year_buckets(year: int) -> list[tuple[int, int]]:
    """Birth years at most 2 apart share a bucket in one of three bucketings 3 years wide."""
    return [(k, (year + k) // 3) for k in range(3)] if year >= 0 else [(0, -1)]


def _word_pairs(words: tuple[str, ...]) -> Iterable[tuple[str, str]]:
    """Pairs of distinct name words; a name of one word ("Mohamed Ag Mohamed") pairs it with itself."""
    return combinations(sorted(words[:5]), 2) if len(words) > 1 else ((w, w) for w in words)


def _by_name_pair(register: Register, index: int) -> Iterable[tuple[object, int]]:
    """Each pair of name words (any order, so swapped fields meet; a third word may be missing,
    added or misspelt) with the birth years, neighbours by the whole name."""
    words = register.words[index]
    rank = _rank(register, index, "".join(sorted(words)))
    for a, b in _word_pairs(words):
        for bucket in _year_buckets(register.year[index]):
            yield (a, b, bucket), rank


def _by_name_pair_and_place(register: Register, index: int) -> Iterable[tuple[object, int]]:
    """The same with the place of birth instead of the year: neighbours by age, so that an age
    estimated years off still meets; and with neither, neighbours by the whole name."""
    words, year = register.words[index], register.year[index]
    place = sound(register.places.values[register.place[index]])[:3]
    name = "".join(sorted(words))
    by_age, by_name = year * 2**40 + _order(name) // 2**24, _rank(register, index, name)
    for a, b in _word_pairs(words):
        if place:
            yield (a, b, place), by_age
        yield (a, b), by_name


def _by_word_and_year(register: Register, index: int) -> Iterable[tuple[object, int]]:
    """Each name word with the birth years, neighbours by the other words read forwards and
    backwards: a typo in another word, even early in it, keeps them close."""
    words, year = register.words[index], register.year[index]
    if year < 0:
        return
    for i, word in enumerate(words):
        others = "".join(words[:i] + words[i + 1 :])
        forwards, backwards = _rank(register, index, others), _rank(register, index, others[::-1])
        for bucket in _year_buckets(year):
            yield ("forwards", word, bucket), forwards
            yield ("backwards", word, bucket), backwards


def _by_birth_date(register: Register, index: int) -> Iterable[tuple[object, int]]:
    """The exact birth date (and the same with day and month swapped), neighbours by name."""
    date = register.date[index]
    if not date:
        return
    rank = _rank(register, index, "".join(sorted(register.words[index])))
    yield date, rank
    day, month = date % 100, date // 100 % 100
    if day <= 12 and day != month:
        yield date - day - month * 100 + month + day * 100, rank


def _by_part_of_birth_date(register: Register, index: int) -> Iterable[tuple[object, int]]:
    """Month and day, year and month, year and day: a date with one digit mistyped keeps one of
    them, and among people born the same day of the year namesakes are few."""
    date = register.date[index]
    if not date:
        return
    rank = _rank(register, index, "".join(sorted(register.words[index])))
    year, month, day = date // 10_000, date // 100 % 100, date % 100
    yield ("month-day", month, day), rank
    yield ("year-month", year, month), rank
    yield ("year-day", year, day), rank


PASSES = (_by_name_pair, _by_name_pair_and_place, _by_word_and_year, _by_birth_date, _by_part_of_birth_date)


def candidate_pairs(register: Register) -> Ints:
    """Every pair of people (indexes i < j, encoded i * n + j) that one pass or another puts
    side by side, each once, sorted. One pass at a time, so that memory holds one pass's keys."""
    n = len(register)
    found = np.zeros(0, dtype=np.int64)
    for blocking in PASSES:
        blocks, members, order = array("q"), array("q"), array("q")
        for index in range(n):
            for key, rank in blocking(register, index):
                blocks.append(hash(key))
                members.append(index)
                order.append(rank)
        found = _unique(
            np.concatenate([found, _pairs_in_blocks(_array(blocks), _array(members), _array(order), n)])
        )
    blocks, members, order = array("q"), array("q"), array("q")
    for people in register.identifiers.values():
        for index in people[:FULL_BLOCK] if len(people) > 1 else ():
            blocks.append(hash(people[0]))
            members.append(index)
            order.append(0)
    return _unique(
        np.concatenate([found, _pairs_in_blocks(_array(blocks), _array(members), _array(order), n)])
    )


def _array(values: array[int]) -> Ints:
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.zeros(0, dtype=np.int64)


def _pairs_in_blocks(blocks: Ints, members: Ints, order: Ints, n: int) -> Ints:
    """Pairs within blocks: all of a small block's, a large block's nearest neighbours in order."""
    if not len(blocks):
        return np.zeros(0, dtype=np.int64)
    sort = np.lexsort((order, blocks))
    blocks, members = blocks[sort], members[sort]
    starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
    sizes = np.diff(np.r_[starts, len(blocks)])
    size = np.repeat(sizes, sizes)
    found = []
    for gap in range(1, FULL_BLOCK):
        same = blocks[:-gap] == blocks[gap:]
        if gap > WINDOW:
            same &= size[:-gap] <= FULL_BLOCK
        first, second = members[:-gap][same], members[gap:][same]
        keep = first != second
        first, second = first[keep], second[keep]
        found.append(np.minimum(first, second) * n + np.maximum(first, second))
    return _unique(np.concatenate(found))


# --- comparison levels ----------------------------------------------------------------------

NULL = -1


@dataclass(frozen=True)
class Comparison:
    name: str
    label: str
    levels: tuple[str, ...]  # labels, from the weakest agreement (0) up
    tf: bool = False  # the top level's weight depends on how common the value is


COMPARISONS = (
    Comparison(
        "given",
        gettext_noop("Given name"),
        (
            gettext_noop("Different"),
            gettext_noop("Alike (Jaro-Winkler ≥ 0.8)"),
            gettext_noop("Close: a typo or another spelling (≥ 0.92)"),
            gettext_noop("Same (canonical spelling)"),
        ),
        tf=True,
    ),
    Comparison(
        "family",
        gettext_noop("Other names (family, father's, second given name)"),
        (
            gettext_noop("Different"),
            gettext_noop("Alike"),
            gettext_noop("A word missing or added"),
            gettext_noop("Close: a typo or another spelling"),
            gettext_noop("Same (canonical spelling)"),
        ),
        tf=True,
    ),
    Comparison(
        "birth",
        gettext_noop("Birth"),
        (
            gettext_noop("Years more than 5 apart"),
            gettext_noop("Years 3 to 5 apart"),
            gettext_noop("Years 2 apart"),
            gettext_noop("Years 1 apart"),
            gettext_noop("Same year (one date unknown)"),
            gettext_noop("Different dates"),
            gettext_noop("Dates within a month"),
            gettext_noop("Dates one digit apart, or day and month swapped"),
            gettext_noop("Same date"),
        ),
    ),
    Comparison(
        "place",
        gettext_noop("Place of birth"),
        (gettext_noop("Different"), gettext_noop("Close spelling"), gettext_noop("Same")),
        tf=True,
    ),
    Comparison("sex", gettext_noop("Sex"), (gettext_noop("Different"), gettext_noop("Same"))),
    Comparison("region", gettext_noop("Region"), (gettext_noop("Different"), gettext_noop("Same"))),
    Comparison("movement", gettext_noop("Movement"), (gettext_noop("Different"), gettext_noop("Same"))),
)
GIVEN, FAMILY, BIRTH, PLACE, SEX, REGION, MOVEMENT = range(len(COMPARISONS))
TOP = [len(c.levels) - 1 for c in COMPARISONS]


def _similarity(scorer: Any, values: list[str], a: Ints, b: Ints) -> npt.NDArray[np.float64]:
    return np.asarray(
        cpdist([values[i] for i in a], [values[i] for i in b], scorer=scorer, workers=-1), dtype=np.float64
    )


def levels(
    register: Register, columns: dict[str, npt.NDArray[Any]], a: Ints, b: Ints
) -> npt.NDArray[np.int8]:
    """The level of each comparison for each pair (people `a[k]` and `b[k]`); NULL where a value
    is missing on either side, which is neither agreement nor disagreement."""
    out = np.full((len(a), len(COMPARISONS)), NULL, dtype=np.int8)
    names = register.names.values
    same_name = columns["full"][a] == columns["full"][b]  # the same words, in whatever fields
    given_a, given_b = columns["given"][a], columns["given"][b]
    jw = _similarity(JaroWinkler.normalized_similarity, names, given_a, given_b)
    family_a, family_b = columns["family"][a], columns["family"][b]
    # Given and family names written in each other's field, with a typo besides.
    across = np.minimum(
        _similarity(JaroWinkler.normalized_similarity, names, given_a, family_b),
        _similarity(JaroWinkler.normalized_similarity, names, family_a, given_b),
    )
    # A father's name ("^abdou") never stands for a person's own: Mohamed Ag Abdou is not Abdou
    # Ag Mohamed, his father perhaps.
    fathers = columns["fathers"]
    across[(fathers[given_a] != fathers[family_b]) | (fathers[family_a] != fathers[given_b])] = 0
    swapped = across > jw
    jw = np.where(swapped, across, jw)
    family_b = np.where(swapped, given_b, family_b)
    sounds_alike = columns["given_sound"][a] == columns["given_sound"][b]
    given = np.select([given_a == given_b, (jw >= 0.92) | (sounds_alike & ~swapped), jw >= 0.8], [3, 2, 1], 0)
    given[same_name] = 3
    out[:, GIVEN] = np.where((given_a == 0) | (given_b == 0), NULL, given)
    close = np.maximum(
        _similarity(fuzz.token_sort_ratio, names, family_a, family_b),
        _similarity(JaroWinkler.normalized_similarity, names, family_a, family_b) * 96,  # short words
    )
    overlap = _similarity(fuzz.token_set_ratio, names, family_a, family_b)
    words_a, words_b = columns["family_words"][a], columns["family_words"][b]
    # Compared on their phonetic codes too: every word may be another clerk's transliteration.
    sounds_a, sounds_b = columns["family_sound"][a], columns["family_sound"][b]
    sounds_overlap = _similarity(fuzz.token_set_ratio, names, sounds_a, sounds_b)
    family = np.select(
        [
            family_a == family_b,
            (close >= 88) | ((sounds_a == sounds_b) & ~swapped),
            ((overlap >= 99.5) | (sounds_overlap >= 99.5)) & (words_a != words_b),
            overlap >= 80,
        ],
        [4, 3, 2, 1],
        0,
    )
    family[same_name] = 4
    out[:, FAMILY] = np.where((family_a == 0) | (family_b == 0), NULL, family)
    out[:, BIRTH] = _birth_levels(columns, a, b)
    place_a, place_b = columns["place"][a], columns["place"][b]
    place_close = _similarity(JaroWinkler.normalized_similarity, register.places.values, place_a, place_b)
    place_sounds = columns["place_sound"][a] == columns["place_sound"][b]  # Tombouctou, Tomboctou
    place = np.select([place_a == place_b, (place_close >= 0.88) | place_sounds], [2, 1], 0)
    out[:, PLACE] = np.where((place_a == 0) | (place_b == 0), NULL, place)
    for column, name in ((SEX, "sex"), (REGION, "region"), (MOVEMENT, "movement")):
        x, y = columns[name][a], columns[name][b]
        out[:, column] = np.where((x == 0) | (y == 0), NULL, x == y)
    return out


def _birth_levels(columns: dict[str, npt.NDArray[Any]], a: Ints, b: Ints) -> npt.NDArray[np.int64]:
    year_a, year_b = columns["year"][a], columns["year"][b]
    date_a, date_b = columns["date"][a], columns["date"][b]
    gap = np.abs(year_a - year_b)
    by_year = np.select([gap == 0, gap == 1, gap == 2, gap <= 5], [4, 3, 2, 1], 0)
    dated = (date_a > 0) & (date_b > 0)
    digits_a = np.stack([date_a // 10**k % 10 for k in range(8)])
    digits_b = np.stack([date_b // 10**k % 10 for k in range(8)])
    differ = digits_a != digits_b
    transposed = np.zeros(len(a), dtype=bool)
    for k in range(7):
        transposed |= (
            differ[k] & differ[k + 1] & (digits_a[k] == digits_b[k + 1]) & (digits_a[k + 1] == digits_b[k])
        )
    day_a, month_a, day_b, month_b = date_a % 100, date_a // 100 % 100, date_b % 100, date_b // 100 % 100
    swapped = (gap == 0) & (day_a == month_b) & (month_a == day_b)
    typo = (differ.sum(axis=0) == 1) | ((differ.sum(axis=0) == 2) & transposed) | swapped
    days = np.abs(_days(date_a) - _days(date_b))
    exact = np.select([date_a == date_b, typo, days <= 31], [8, 7, 6], 5)
    found = np.where(dated, exact, by_year)
    return np.where((year_a < 0) | (year_b < 0), NULL, found)


def _days(dates: Ints) -> Ints:
    """yyyymmdd as a day number (0 stays 0; only the difference of two real dates is read)."""
    years, months, days = dates // 10_000, dates // 100 % 100, dates % 100
    return years * 372 + months * 31 + days  # a month of 31 days: "within a month" needs no more


# --- the model ------------------------------------------------------------------------------

# What a register too small to learn from uses: m and u learned on the tuning register of
# `benchmarks/people.py` (100,000 people, seed 11), and duplicates as frequent as there.
DEFAULT_M: tuple[tuple[float, ...], ...] = (
    (0.028, 0.059, 0.182, 0.731),
    (0.047, 0.026, 0.145, 0.227, 0.555),
    (0.022, 0.048, 0.032, 0.078, 0.416, 0.014, 0.001, 0.044, 0.345),
    (0.082, 0.215, 0.703),
    (0.0001, 0.9999),
    (0.10, 0.90),
    (0.41, 0.59),
)
DEFAULT_U: tuple[tuple[float, ...], ...] = (
    (0.956, 0.0136, 0.006, 0.0243),
    (0.975, 0.0016, 0.018, 0.0021, 0.0029),
    (0.50, 0.127, 0.0446, 0.0454, 0.0229, 0.258, 0.001, 0.0007, 0.00003),
    (0.976, 0.0095, 0.0147),
    (0.21, 0.79),
    (0.82, 0.18),
    (0.86, 0.14),
)
DUPLICATES_PER_PERSON = 0.13  # the default prior, as learned there
MIN_LEARN = 5_000  # people below which the register is too small to learn weights from
# A document or a biometric reference is personal; a weapon changes hands (the integrity report
# lists serials declared twice), so a shared serial is strong evidence, not proof.
IDENTIFIER_BITS = {"doc:": 20.0, "bio:": 20.0, "ser:": 8.0}
OTHER_BIOMETRIC_BITS = -20.0


@dataclass
class Model:
    m: list[list[float]]
    u: list[list[float]]
    prior: float  # probability that two records drawn at random are one person
    trained: bool = False
    frequencies: dict[int, npt.NDArray[np.float64]] = field(default_factory=dict)  # per comparison

    @classmethod
    def default(cls, people: int) -> Model:
        pairs = max(1, people * (people - 1) // 2)
        prior = min(0.5, DUPLICATES_PER_PERSON * people / pairs)
        return cls([list(m) for m in DEFAULT_M], [list(u) for u in DEFAULT_U], prior)

    def bits(self) -> list[npt.NDArray[np.float64]]:
        return [np.log2(np.asarray(m) / np.asarray(u)) for m, u in zip(self.m, self.u, strict=True)]

    def describe(self, people: int) -> dict[str, Any]:
        """The model as the thresholds page explains it (labels translated there)."""
        return {
            "prior": self.prior,
            "people": people,
            "trained": self.trained,
            "comparisons": [
                {
                    "name": c.name,
                    "label": c.label,
                    "levels": [
                        {
                            "label": label,
                            "m": round(m, 6),
                            "u": round(u, 8),
                            "weight": round(math.log2(m / u), 2),
                            "tf": c.tf and level == TOP[k],
                        }
                        for level, (label, m, u) in enumerate(
                            zip(c.levels, self.m[k], self.u[k], strict=True)
                        )
                    ][::-1],
                }
                for k, c in enumerate(COMPARISONS)
            ],
        }


def _frequencies(
    register: Register, columns: dict[str, npt.NDArray[Any]]
) -> dict[int, npt.NDArray[np.float64]]:
    """For each person, how common their given name, family name and place are (share of the
    people who have one): the u of an exact agreement on that value."""
    found = {}
    for comparison, name in ((GIVEN, "given"), (FAMILY, "family"), (PLACE, "place")):
        values = columns[name]
        counts = np.bincount(values)
        known = max(1, len(values) - counts[0])
        found[comparison] = counts[values] / known
    return found


def _u_from_random_pairs(register: Register, columns: dict[str, npt.NDArray[Any]]) -> list[list[float]]:
    n = len(register)
    rng = np.random.default_rng(7)
    size = min(1_000_000, n * (n - 1) // 2)
    a, b = rng.integers(0, n, size), rng.integers(0, n, size)
    keep = a != b
    found = _levels_chunked(register, columns, a[keep], b[keep])
    return _level_shares(found, np.ones(len(found)), smoothing=1.0)


def _level_shares(
    found: npt.NDArray[np.int8], weights: npt.NDArray[np.float64], smoothing: float
) -> list[list[float]]:
    shares = []
    for k, comparison in enumerate(COMPARISONS):
        column = found[:, k]
        counts = np.array(
            [weights[column == level].sum() + smoothing for level in range(len(comparison.levels))]
        )
        shares.append(list(counts / counts.sum()))
    return shares


def _em(
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.float64],
    model: Model,
    use: list[int],
    update: list[int],
) -> tuple[list[list[float]], float]:
    """Expectation-maximisation of m for the comparisons in `update` (the others of `use` weigh
    with their m as it is) and of the share of matches among these pairs; u stays as measured
    on random pairs."""
    m = [list(x) for x in model.m]
    share = 0.1
    for _round in range(40):
        odds = np.full(len(patterns), math.log(share / (1 - share)))
        for k in use:
            column = patterns[:, k]
            known = column != NULL
            ratio = np.log(np.asarray(m[k])) - np.log(np.asarray(model.u[k]))
            odds[known] += ratio[column[known]]
        match = 1 / (1 + np.exp(-np.clip(odds, -50, 50)))
        weight = counts * match
        share = float(np.clip(weight.sum() / max(counts.sum(), 1e-9), 1e-6, 1 - 1e-6))
        for k in update:
            column = patterns[:, k]
            level_weight = np.array([weight[column == lv].sum() + 0.5 for lv in range(len(m[k]))])
            m[k] = list(level_weight / level_weight.sum())
    return m, share


TRAINING_PAIRS = 1_000_000  # pairs sampled for each learning session


def _pairs_sharing(key: Ints, rng: np.random.Generator) -> tuple[Ints, Ints, npt.NDArray[np.float64], int]:
    """Pairs of people with the same `key` (0: none), drawn at random within each group so that
    they stand for every such pair (not only the neighbours blocking compares), each with the
    number of pairs it stands for; and how many such pairs there are."""
    people = np.flatnonzero(key)
    people = people[np.argsort(key[people], kind="stable")]
    groups = key[people]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.r_[starts, len(groups)])
    total = int((sizes * (sizes - 1) // 2).sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0
    # Each person draws partners in their group; a pair is drawn `draws * 2 / (size - 1)` times on average.
    draws = max(1, min(20, TRAINING_PAIRS // max(1, len(people))))
    size = np.repeat(sizes, sizes)
    start = np.repeat(starts, sizes)
    lonely = size < 2
    first = np.repeat(np.arange(len(people)), draws)
    offset = rng.integers(1, np.maximum(2, np.repeat(size, draws)))
    second = np.repeat(start, draws) + (first - np.repeat(start, draws) + offset) % np.repeat(
        np.maximum(size, 1), draws
    )
    keep = ~np.repeat(lonely, draws)
    first, second = first[keep], second[keep]
    weight = (size[first] - 1) / (2 * draws)
    return people[first], people[second], weight.astype(np.float64), total


RARE_NAME = 4  # at most this many people share the name: namesakes are few among their pairs


def learn(register: Register, columns: dict[str, npt.NDArray[Any]]) -> Model:
    """The model of this register. u on random pairs; m by EM in two sessions: pairs of people
    born the same day teach the names, place, sex, region and movement (a date says nothing of
    them); pairs of people sharing a rare name teach birth (among a common name's pairs,
    namesakes would drown the duplicates). The prior: the matches among same-day pairs, over
    the share of duplicates born the same day."""
    n = len(register)
    model = Model.default(n)
    if n < MIN_LEARN:
        return model
    model.u = _u_from_random_pairs(register, columns)
    model.frequencies = _frequencies(register, columns)
    rng = np.random.default_rng(11)
    others = [GIVEN, FAMILY, PLACE, SEX, REGION, MOVEMENT]
    first, second, weight, same_day = _pairs_sharing(columns["date"], rng)
    found = _levels_chunked(register, columns, first, second)
    model.m, share = _em(*_patterns(found, weight), model, others, others)
    sharing = np.bincount(columns["full"])[columns["full"]]
    rare = np.where(sharing <= RARE_NAME, columns["full"], 0)
    first, second, weight, _pairs = _pairs_sharing(rare, rng)
    found = _levels_chunked(register, columns, first, second)
    model.m, _share = _em(*_patterns(found, weight), model, [BIRTH, PLACE, SEX, REGION, MOVEMENT], [BIRTH])
    matches = share * same_day / model.m[BIRTH][TOP[BIRTH]]
    model.prior = float(np.clip(matches / (n * (n - 1) / 2), 1e-12, 0.5))
    model.trained = True
    return model


def _patterns(
    found: npt.NDArray[np.int8], weight: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float64]]:
    """The distinct combinations of levels, each with the weight of the pairs showing it."""
    if not len(found):
        return np.zeros((0, len(COMPARISONS)), dtype=np.int8), np.zeros(0)
    patterns, inverse = np.unique(found, axis=0, return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=weight, minlength=len(patterns)).astype(np.float64)
    return patterns, totals


def match_bits(model: Model, found: npt.NDArray[np.int8], a: Ints, b: Ints) -> npt.NDArray[np.float64]:
    """The evidence of each pair in bits (log2 of the odds), the prior included; an exact
    agreement on given name, family name or place weighs by how common the value is (the more
    common of the two sides', when the names were agreed across swapped fields)."""
    bits = np.full(len(found), math.log2(model.prior / (1 - model.prior)))
    for k, weights in enumerate(model.bits()):
        column = found[:, k]
        known = column != NULL
        bits[known] += weights[column[known]]
        if COMPARISONS[k].tf and k in model.frequencies:
            top = column == TOP[k]
            frequency = model.frequencies[k]
            tf = np.maximum(np.maximum(frequency[a[top]], frequency[b[top]]), 1e-9)
            bits[top] += np.log2(model.u[k][TOP[k]] / tf)
    return bits


# --- the search -----------------------------------------------------------------------------


@dataclass
class Result:
    candidates: list[Candidate] = field(default_factory=list)
    compared: int = 0  # pairs scored, the measure of the work done
    model: Model | None = None
    people: int = 0


CHUNK = 200_000  # pairs compared at once: bounds the memory a chunk's strings and digits take


def _levels_chunked(
    register: Register,
    columns: dict[str, npt.NDArray[Any]],
    first: Ints,
    second: Ints,
    progress: Callable[[float], None] | None = None,
) -> npt.NDArray[np.int8]:
    found = np.empty((len(first), len(COMPARISONS)), dtype=np.int8)
    for start in range(0, len(first), CHUNK):
        part = slice(start, start + CHUNK)
        found[part] = levels(register, columns, first[part], second[part])
        if progress:
            progress(min(len(first), start + CHUNK) / len(first))
    return found


def find(
    people: Iterable[Person],
    thresholds: Thresholds = Thresholds(),
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Every pair whose match probability is at least `thresholds.review`, each once, best first.
    `progress(done, total)` is called at each step (out of 100). The model is learned first (on
    pairs of its own), so that candidate pairs are scored in chunks and only those kept are held."""
    register = Register()
    for person in people:
        register.add(person)
    report = progress or (lambda done, total: None)
    report(5, 100)
    columns = register.arrays()
    model = learn(register, columns)
    report(15, 100)
    pairs = candidate_pairs(register)
    report(40, 100)
    n = max(1, len(register))
    identifiers = _IdentifierEvidence(register)
    kept: list[tuple[int, int, float, npt.NDArray[np.int8]]] = []
    for start in range(0, len(pairs), CHUNK):
        first, second = np.divmod(pairs[start : start + CHUNK], n)
        found = levels(register, columns, first, second)
        bits = match_bits(model, found, first, second) + identifiers.bits(first, second)
        chances = 1 / (1 + np.exp2(-np.clip(bits, -60, 60)))
        for k in np.flatnonzero(chances >= thresholds.review):
            kept.append((int(first[k]), int(second[k]), float(chances[k]), found[k]))
        report(40 + 55 * min(len(pairs), start + CHUNK) // max(1, len(pairs)), 100)
    result = Result(compared=len(pairs), model=model, people=len(register))
    for i, j, probability, found_k in kept:
        agreed, differed = reasons(register, found_k, i, j)
        a, b = register.ids[i], register.ids[j]
        # Never certainty: a probability of 1 would say no reviewer could ever disagree.
        chance = min(round(probability, 4), 0.9999)
        result.candidates.append(Candidate(min(a, b), max(a, b), chance, agreed, differed))
    result.candidates.sort(key=lambda c: (-c.score, c.a, c.b))
    return result


class _IdentifierEvidence:
    """Identifiers are evidence by definition: a shared one counts heavily for, two different
    biometric references heavily against."""

    def __init__(self, register: Register) -> None:
        n = len(register)
        self.n = n
        self.shared = {}  # the pairs sharing each kind of identifier
        for kind in IDENTIFIER_BITS:
            shared = {
                min(i, j) * n + max(i, j)
                for key, people in register.identifiers.items()
                if key.startswith(kind)
                for i, j in combinations(people[:FULL_BLOCK], 2)
            }
            self.shared[kind] = np.fromiter(shared, dtype=np.int64, count=len(shared))
        self.biometric = np.zeros(n, dtype=np.int64)  # an id per reference, 0: none
        references: dict[str, int] = {}
        for index, reference in register.biometric.items():
            self.biometric[index] = references.setdefault(reference, len(references) + 1)

    def bits(self, first: Ints, second: Ints) -> npt.NDArray[np.float64]:
        codes = np.minimum(first, second) * self.n + np.maximum(first, second)
        bits = np.zeros(len(codes))
        for kind, weight in IDENTIFIER_BITS.items():
            bits[np.isin(codes, self.shared[kind])] += weight
        a, b = self.biometric[first], self.biometric[second]
        bits[(a > 0) & (b > 0) & (a != b)] += OTHER_BIOMETRIC_BITS
        return bits


def reasons(
    register: Register, found: npt.NDArray[np.int8], i: int, j: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What agreed and what differed, in words a reviewer reads (see `ddr_extras.REASONS`)."""
    agreed: list[str] = []
    differed: list[str] = []
    given, family, birth, place = (int(found[k]) for k in (GIVEN, FAMILY, BIRTH, PLACE))
    if given >= 2 and family >= 3:
        agreed.append("name")
    else:
        if given >= 2:
            agreed.append("given name")
        elif given == 0:
            differed.append("given name")
        if family >= 3:
            agreed.append("family name")
        elif family == 2:
            agreed.append("family name (a word missing or added)")
        elif family == 0:
            differed.append("family name")
    if birth != NULL:
        date_a, date_b = register.date[i], register.date[j]
        swapped = date_a and date_b and date_a // 10_000 == date_b // 10_000 and date_a != date_b
        swapped = swapped and date_a % 100 == date_b // 100 % 100 and date_b % 100 == date_a // 100 % 100
        on_birth = {
            8: ("birth date", None),
            7: ("birth date (day and month swapped)" if swapped else "birth date (one digit apart)", None),
            6: ("birth date (within a month)", None),
            5: (None, "birth date"),
            4: ("birth year", None),
            3: ("birth year (approximate)", None),
            2: ("birth year (approximate)", None),
        }
        yes, no = on_birth.get(birth, (None, "birth year"))
        agreed.extend([yes] if yes else [])
        differed.extend([no] if no else [])
    if place != NULL:
        (agreed if place >= 1 else differed).append("place of birth")
    if found[SEX] == 0:
        differed.append("sex")
    if found[MOVEMENT] == 0:
        differed.append("movement")
    _identifier_reasons(register, i, j, agreed, differed)
    return tuple(agreed), tuple(differed)


def _identifier_reasons(register: Register, i: int, j: int, agreed: list[str], differed: list[str]) -> None:
    labels = {"doc": "document number", "ser": "weapon serial number", "bio": "biometric reference"}
    for key in sorted(register.held.get(i, set()) & register.held.get(j, set())):
        agreed.append(labels[key.split(":", 1)[0]])
    a, b = register.biometric.get(i), register.biometric.get(j)
    if a and b and a != b:
        differed.append("biometric reference")


def pair_score(a: Person, b: Person, model: Model | None = None) -> Candidate:
    """One pair scored alone (a form's "is this the same person?"), with the default model."""
    register = Register()
    register.add(a)
    register.add(b)
    columns = register.arrays()
    first, second = np.array([0]), np.array([1])
    found = levels(register, columns, first, second)
    model = model or Model.default(MIN_LEARN)
    bits = match_bits(model, found, first, second) + _IdentifierEvidence(register).bits(first, second)
    agreed, differed = reasons(register, found[0], 0, 1)
    probability = 1 / (1 + 2 ** -float(np.clip(bits[0], -60, 60)))
    return Candidate(a.id, b.id, min(round(probability, 4), 0.9999), agreed, differed)
