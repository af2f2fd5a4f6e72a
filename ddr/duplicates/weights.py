"""Scoring: the levels of each comparison for a pair, and the Fellegi-Sunter model that weighs them,
learned from the register itself (m by expectation-maximisation, u on random pairs, term
frequencies for exact names and places)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

from ddr.duplicates.register import Register

Ints = npt.NDArray[np.int64]


def gettext_noop(text: str) -> str:  # labels are translated where they are shown
    return text


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


CHUNK = 200_000  # pairs compared at once: bounds the memory a chunk's strings and digits take


def levels_chunked(
    register: Register, columns: dict[str, npt.NDArray[Any]], first: Ints, second: Ints
) -> npt.NDArray[np.int8]:
    """`levels` of many pairs, a chunk at a time."""
    found = np.empty((len(first), len(COMPARISONS)), dtype=np.int8)
    for start in range(0, len(first), CHUNK):
        part = slice(start, start + CHUNK)
        found[part] = levels(register, columns, first[part], second[part])
    return found


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
    found = levels_chunked(register, columns, a[keep], b[keep])
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
    found = levels_chunked(register, columns, first, second)
    model.m, share = _em(*_patterns(found, weight), model, others, others)
    sharing = np.bincount(columns["full"])[columns["full"]]
    rare = np.where(sharing <= RARE_NAME, columns["full"], 0)
    first, second, weight, _pairs = _pairs_sharing(rare, rng)
    found = levels_chunked(register, columns, first, second)
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
