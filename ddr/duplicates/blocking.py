"""Blocking: which pairs of people are compared at all. Several independent passes, unioned, so
that no single error a clerk makes hides a pair; in a large block each person meets only its
nearest neighbours, so comparisons per person stay bounded however large the register grows."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, partial
from itertools import combinations

import numpy as np
import numpy.typing as npt

from ddr.duplicates.register import Register, sound

Ints = npt.NDArray[np.int64]

FULL_BLOCK = 12  # a block this small is compared whole
WINDOW = 5  # in a larger one, each person meets this many neighbours on each side


@lru_cache(maxsize=262_144)
def _order(text: str) -> int:
    """An integer that sorts like the first 8 letters of `text`."""
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


def _year_bucket(year: int, bucketing: int) -> int | None:
    """Birth years at most 2 apart share a bucket in one of three bucketings 3 years wide (each
    bucketing is its own pass, so that a pass holds a third of the keys). An unknown year has one
    bucket, in the first bucketing only."""
    if year < 0:
        return -1 if bucketing == 0 else None
    return (year + bucketing) // 3


def _word_pairs(words: tuple[str, ...]) -> Iterable[tuple[str, str]]:
    """Pairs of distinct name words; a name of one word ("Mohamed Ag Mohamed") pairs it with itself."""
    return combinations(sorted(words[:5]), 2) if len(words) > 1 else ((w, w) for w in words)


def _by_name_pair(register: Register, index: int, bucketing: int) -> Iterable[tuple[object, int]]:
    """Each pair of name words (any order, so swapped fields meet; a third word may be missing,
    added or misspelt) with the birth years, neighbours by the whole name."""
    bucket = _year_bucket(register.year[index], bucketing)
    if bucket is None:
        return
    words = register.words[index]
    rank = _rank(register, index, "".join(sorted(words)))
    for a, b in _word_pairs(words):
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


def _by_word_and_year(
    register: Register, index: int, bucketing: int, backwards: bool = False
) -> Iterable[tuple[object, int]]:
    """Each name word with the birth years, neighbours by the other words (read backwards too,
    in passes of their own): a typo in another word, even early in it, keeps them close."""
    words, year = register.words[index], register.year[index]
    if year < 0:
        return
    bucket = (year + bucketing) // 3
    for i, word in enumerate(words):
        others = "".join(words[:i] + words[i + 1 :])
        yield (word, bucket), _rank(register, index, others[::-1] if backwards else others)


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


Pass = Callable[[Register, int], Iterable[tuple[object, int]]]
PASSES: tuple[Pass, ...] = (
    *(partial(_by_name_pair, bucketing=k) for k in range(3)),
    _by_name_pair_and_place,
    *(partial(_by_word_and_year, bucketing=k) for k in range(3)),
    *(partial(_by_word_and_year, bucketing=k, backwards=True) for k in range(3)),
    _by_birth_date,
    _by_part_of_birth_date,
)


def candidate_passes(register: Register) -> Iterator[Ints]:
    """The pairs each pass puts side by side that no earlier pass did (indexes i < j, encoded
    i * n + j, sorted), one pass at a time: memory holds one pass's keys, and each pair once."""
    n = len(register)
    earlier: list[Ints] = []
    for keys in (*PASSES, None):
        blocks, members, order = array("q"), array("q"), array("q")
        if keys is not None:
            for index in range(n):
                for key, rank in keys(register, index):
                    blocks.append(hash(key))
                    members.append(index)
                    order.append(rank)
        else:  # people sharing a document, a serial or a biometric reference
            for people in register.identifiers.values():
                for index in people[:FULL_BLOCK] if len(people) > 1 else ():
                    blocks.append(hash(people[0]))
                    members.append(index)
                    order.append(0)
        pairs = _pairs_in_blocks(_array(blocks), _array(members), _array(order), n)
        del blocks, members, order
        for seen in earlier:  # a binary search in each earlier pass's pairs: no merged copy
            if len(seen) and len(pairs):
                at = np.minimum(np.searchsorted(seen, pairs), len(seen) - 1)
                pairs = pairs[seen[at] != pairs]
        earlier.append(pairs)
        yield pairs


def candidate_pairs(register: Register) -> Ints:
    """Every pair compared, each once, sorted (for tests and the benchmark's blocking recall)."""
    return _unique(np.concatenate(list(candidate_passes(register))))


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
