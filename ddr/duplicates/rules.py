"""Probable duplicates in a register of people: blocking, then a scored comparison that says why.

Pure functions over plain records (`Person`), so that the same code runs on any register: the
database's, an imported list's, or a benchmark's. Names are compared in their canonical Malian
form (`ddr.names`): transliterations, Ag/Ould/Walet, ou/u, dj/j and doubled letters unified,
words sorted (given and family names swapped compare equal).

Blocking: two people are compared only if they share a key:
- an identifier (document number, biometric reference, weapon serial): such pairs always meet;
- their canonical name (words in any order), a four-year bucket of birth and the initial of
  the place of birth;
- their name but for one word, a sketch of that word (its first three letters, or its first
  and last two), the bucket and the place's initial: one typo in that word keeps a key.
Blocks then hold namesakes born about the same time, whose number grows with the register:
the cost is close to linear as long as names are varied, as registers' are.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz.distance import Indel

from ddr.registration.names import canonical_word
from ddr.registration.rules import name_key

PARTICLE = "ag"  # every filiation particle after canonical_word: too common to block on
PLACE_INITIALS = tuple("abcdefghijklmnopqrstuvwxyz")
YEAR_WINDOW = 2


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
    """Above `strong`: proposed as the same person; between `review` and `strong`: to review."""

    strong: float = 0.9
    review: float = 0.6


@dataclass(frozen=True, slots=True)
class Candidate:
    a: int
    b: int
    score: float
    agreed: tuple[str, ...]
    differed: tuple[str, ...]


@dataclass
class Result:
    candidates: list[Candidate] = field(default_factory=list)
    compared: int = 0  # pairs scored, the measure of the work done


@dataclass(frozen=True, slots=True)
class _Prepared:
    person: Person
    words: tuple[str, ...]  # canonical name words, particle excluded, sorted
    units: tuple[str, ...]  # canonical name units ("ag" stays bound to the father's name)
    place: str


def prepare(person: Person) -> _Prepared:
    words = [canonical_word(w) for w in name_key(person.given, person.family).split()]
    # "Almahdi Ag Inamoud" (son of Inamoud) and "Inamoud Ag Almahdi" (his father, perhaps) are
    # not the same name: the particle binds to the next word. Order of the units is free.
    units: list[str] = []
    for word in words:
        if units and units[-1] == PARTICLE:
            units[-1] = f"^{word}"  # a father's name: compared only with fathers' names
        else:
            units.append(word)
    return _Prepared(
        person,
        tuple(sorted({w for w in words if w != PARTICLE})),
        tuple(units),
        canonical_word(name_key(person.place_of_birth).replace(" ", "")),
    )


def blocking_keys(p: _Prepared, by_year: bool = True, by_place: bool = True) -> Iterator[tuple[str, ...]]:
    """`by_year` and `by_place` are off for a register where most people lack that field:
    expanding every one of them to every bucket would cost more than it splits."""
    person = p.person
    for kind, values in (("doc", person.documents), ("ser", person.serials)):
        for value in values:
            yield (kind, value)
    if person.biometric:
        yield ("bio", person.biometric)
    name = " ".join(p.words)
    # The initial of the place of birth splits namesakes born the same years; a clerk rarely
    # gets it wrong. Without a place, every initial: such a person meets all their namesakes.
    if not by_place:
        places: tuple[str, ...] = (UNKNOWN,)
    else:
        places = (*PLACE_INITIALS, UNKNOWN) if not p.place else (p.place[:1],)
    for bucket in _year_buckets(person.birth_year) if by_year else (UNKNOWN,):
        for place in places:
            yield ("name", name, bucket, place)
            # The same name but for one word, of which only its first three letters, or its
            # first and last two, are kept: one typo in a word of six letters or more leaves
            # at least one of the two keys.
            for i, word in enumerate(p.words):
                others = " ".join(p.words[:i] + p.words[i + 1 :])
                for sketch in {word[:3], word[:1] + "…" + word[-2:]}:
                    yield ("name-but-one", others, sketch, bucket, place)


YEARS = range(1930, 2030)
UNKNOWN = "?"  # the bucket or place where two people who both lack it meet (once)


def _year_buckets(year: int | None) -> set[str]:
    """Four-year buckets at two offsets, so that birth years up to two apart always share one.
    Without a birth year, every bucket: such a person meets their namesakes of any age."""
    if year is not None:
        return {f"{year // 4}", f"{(year + 2) // 4}+"}
    return {f"{y // 4}" for y in YEARS} | {f"{(y + 2) // 4}+" for y in YEARS} | {UNKNOWN}


# Evidence for and against, in log-odds points (Fellegi-Sunter style); the score maps the sum
# to 0..1 (`_probability`). An exact shared identifier outweighs everything but a contradiction.
SAME_IDENTIFIER, OTHER_BIOMETRIC, OTHER_SEX = 8.0, -6.0, -5.0
OFFSET = 3.0  # a sum of 3 points is a score of 0.5


def name_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """The worst-matched name unit, each unit against its best match in the other name, both
    ways: word order does not matter, and one different word is enough to tell people apart
    (Mohamed Maïga and Moussa Maïga), while a typo costs only a little."""

    if sorted(a) == sorted(b):
        return 1.0

    def one_way(x: tuple[str, ...], y: tuple[str, ...]) -> float:
        return min(max(_unit_similarity(u, v) for v in y) for u in x)

    return min(one_way(a, b), one_way(b, a))


def _unit_similarity(u: str, v: str) -> float:
    similarity = Indel.normalized_similarity(u.lstrip("^"), v.lstrip("^"))
    # A father's name is not the person's own: "Ag Inamoud" against "Inamoud" counts for little.
    return similarity if u.startswith("^") == v.startswith("^") else similarity * 0.6


def _name_points(similarity: float) -> tuple[float, bool | None]:
    if similarity >= 0.9:
        return 3.0, True
    if similarity >= 0.75:
        return 1.5, True
    if similarity >= 0.6:
        return -1.0, None
    return -3.0, False


def _birth(a: Person, b: Person) -> tuple[float, str | None, str | None]:
    """Points for birth, and the reason for or against."""
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            return 4.0, "birth date", None
        swapped = a.birth_date.year == b.birth_date.year and (a.birth_date.day, a.birth_date.month) == (
            b.birth_date.month,
            b.birth_date.day,
        )
        if swapped:
            return 3.0, "birth date (day and month swapped)", None
    if a.birth_year is None or b.birth_year is None:
        return 0.0, None, None  # compared on what they have
    gap = abs(a.birth_year - b.birth_year)
    if a.birth_date and b.birth_date:  # both exact and different
        return (-2.5 if gap == 0 else -4.0), None, "birth date"
    if gap == 0:
        return 1.5, "birth year", None
    if gap <= YEAR_WINDOW:
        return 0.5 * (YEAR_WINDOW - gap), "birth year (approximate)", None
    return -4.0, None, "birth year"


def _place_points(similarity: float) -> tuple[float, bool]:
    if similarity >= 0.85:
        return 2.0, True
    if similarity >= 0.7:
        return 1.0, True
    return -2.5, False


def _probability(points: float) -> float:
    return 1 / (1 + math.exp(-(points - OFFSET)))


def score(x: _Prepared, y: _Prepared) -> Candidate:
    """How likely two people are one: points for each thing that agrees or differs (names and
    dates, then movement and sex, then identifiers), turned into a probability; and which agreed
    and which differed, in that order."""
    a, b = x.person, y.person
    agreed: list[str] = []
    differed: list[str] = []
    points = _name_birth_place(x, y, agreed, differed)
    points = _group_and_sex(a, b, points, differed)
    points = _identifiers(a, b, points, agreed, differed)
    return Candidate(a.id, b.id, round(_probability(points), 3), tuple(agreed), tuple(differed))


def _name_birth_place(x: _Prepared, y: _Prepared, agreed: list[str], differed: list[str]) -> float:
    a, b = x.person, y.person
    points = 0.0
    if x.units and y.units:
        name, agree = _name_points(name_similarity(x.units, y.units))
        points += name
        if agree is not None:
            (agreed if agree else differed).append("name")
    birth, birth_for, birth_against = _birth(a, b)
    points += birth
    agreed.extend([birth_for] if birth_for else [])
    differed.extend([birth_against] if birth_against else [])
    if x.place and y.place:
        place, agree = _place_points(Indel.normalized_similarity(x.place, y.place))
        points += place
        (agreed if agree else differed).append("place of birth")
    return points


def _group_and_sex(a: Person, b: Person, points: float, differed: list[str]) -> float:
    points += 0.3 * (a.region == b.region) + 0.3 * (a.movement == b.movement)
    if a.movement and b.movement and a.movement != b.movement:
        differed.append("movement")
    if a.sex and b.sex and a.sex != b.sex:
        points += OTHER_SEX
        differed.append("sex")
    return points


def _identifiers(a: Person, b: Person, points: float, agreed: list[str], differed: list[str]) -> float:
    for label, same in (
        ("document number", a.documents & b.documents),
        ("weapon serial number", a.serials & b.serials),
        ("biometric reference", a.biometric and a.biometric == b.biometric),
    ):
        if same:
            points += SAME_IDENTIFIER
            agreed.append(label)
    if a.biometric and b.biometric and a.biometric != b.biometric:
        points += OTHER_BIOMETRIC
        differed.append("biometric reference")
    return points


def find(
    people: Iterable[Person],
    thresholds: Thresholds = Thresholds(),
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Every pair scoring at least `thresholds.review`, each once, best first. `progress(done,
    total)` is called as blocks are compared (about every 5 %)."""
    prepared = [prepare(p) for p in people]
    undated = [p.person.birth_year is None for p in prepared]
    unplaced = [not p.place for p in prepared]
    blocks = _blocks(prepared, undated, unplaced)
    result, seen, size = Result(), set[int](), len(prepared)
    step = max(1, len(blocks) // 20)
    for done, (key, members) in enumerate(blocks.items(), 1):
        if progress and done % step == 0:
            progress(done, len(blocks))
        for i, j in _new_pairs(key, members, undated, unplaced, seen, size):
            result.compared += 1
            candidate = score(prepared[min(i, j)], prepared[max(i, j)])
            if candidate.score >= thresholds.review:
                result.candidates.append(candidate)
    result.candidates.sort(key=lambda c: (-c.score, c.a, c.b))
    return result


def _blocks(
    prepared: list[_Prepared], undated: list[bool], unplaced: list[bool]
) -> dict[tuple[str, ...], list[int]]:
    """People (by index) in each block of their blocking keys. Birth year and place block only
    when at most half the people lack them."""
    by_year = sum(undated) <= len(prepared) / 2
    by_place = sum(unplaced) <= len(prepared) / 2
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, p in enumerate(prepared):
        for key in blocking_keys(p, by_year, by_place):
            blocks[key].append(index)
    return blocks


def _new_pairs(
    key: tuple[str, ...],
    members: list[int],
    undated: list[bool],
    unplaced: list[bool],
    seen: set[int],
    size: int,
) -> Iterator[tuple[int, int]]:
    """The pairs of a block not compared yet (`seen`, filled as they are given)."""
    if len(members) < 2:
        return
    named = key[0].startswith("name")
    for i, j in combinations(members, 2):
        # Two people who both lack a birth year (or a place) share every bucket (or every
        # initial): they meet in the block of the unknown only.
        if named and (
            (undated[i] and undated[j] and key[-2] != UNKNOWN)
            or (unplaced[i] and unplaced[j] and key[-1] != UNKNOWN)
        ):
            continue
        code = i * size + j if i < j else j * size + i
        if code in seen:  # met already in another block (years at two offsets overlap)
            continue
        seen.add(code)
        yield i, j
