"""Probable duplicates in a register of people: `find` puts the pieces together.

- `register`: the records as matching reads them, names in their canonical Malian form
  (transliterations, Ag/Ould/Walet, ou/u, dj/j, doubled letters) with phonetic codes.
- `blocking`: which pairs are compared, several independent passes unioned, each person meeting
  a bounded number of others however large the register grows.
- `weights`: the level of each comparison for a pair and the Fellegi-Sunter model, learned from
  the register itself (as splink does), common names counting for less than rare ones.
- here: identifiers (evidence by definition, not learned), the probability of each pair, and
  what agreed and what differed, in words a reviewer reads.

Pure functions over plain records: the same code runs on the database's register, an imported
list, or a benchmark's, without Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import numpy.typing as npt

from ddr.duplicates.blocking import FULL_BLOCK, candidate_passes
from ddr.duplicates.register import Person, Register
from ddr.duplicates.weights import (
    BIRTH,
    CHUNK,
    FAMILY,
    GIVEN,
    MIN_LEARN,
    MOVEMENT,
    NULL,
    PLACE,
    SEX,
    Model,
    learn,
    levels,
    match_bits,
)

# A document or a biometric reference is personal; a weapon changes hands (the integrity report
# lists serials declared twice), so a shared serial is strong evidence, not proof.
IDENTIFIER_BITS = {"doc:": 20.0, "bio:": 20.0, "ser:": 8.0}
OTHER_BIOMETRIC_BITS = -20.0

__all__ = ["Candidate", "Person", "Result", "Thresholds", "find", "pair_score"]
Ints = npt.NDArray[np.int64]


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


# --- the search -----------------------------------------------------------------------------


@dataclass
class Result:
    candidates: list[Candidate] = field(default_factory=list)
    compared: int = 0  # pairs scored, the measure of the work done
    model: Model | None = None
    people: int = 0


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
    passes = list(candidate_passes(register))
    report(40, 100)
    n = max(1, len(register))
    identifiers = _IdentifierEvidence(register)
    kept: list[tuple[int, int, float, npt.NDArray[np.int8]]] = []
    compared, total = 0, sum(len(p) for p in passes)
    for pairs in (p[start : start + CHUNK] for p in passes for start in range(0, len(p), CHUNK)):
        first, second = np.divmod(pairs, n)
        found = levels(register, columns, first, second)
        bits = match_bits(model, found, first, second) + identifiers.bits(first, second)
        chances = 1 / (1 + np.exp2(-np.clip(bits, -60, 60)))
        for k in np.flatnonzero(chances >= thresholds.review):
            kept.append((int(first[k]), int(second[k]), float(chances[k]), found[k].copy()))
        compared += len(pairs)
        report(40 + 55 * min(total, compared) // max(1, total), 100)
    result = Result(compared=compared, model=model, people=len(register))
    for i, j, probability, found_k in kept:
        agreed, differed = reasons(register, identifiers, found_k, i, j)
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
        # Who holds an identifier someone else holds too (few people): for the reasons.
        self.held: dict[int, set[str]] = {}
        for key, people in register.identifiers.items():
            for index in people[:FULL_BLOCK] if len(people) > 1 else ():
                self.held.setdefault(index, set()).add(key)
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
    register: Register, identifiers: _IdentifierEvidence, found: npt.NDArray[np.int8], i: int, j: int
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
    _identifier_reasons(identifiers, i, j, agreed, differed)
    return tuple(agreed), tuple(differed)


def _identifier_reasons(
    identifiers: _IdentifierEvidence, i: int, j: int, agreed: list[str], differed: list[str]
) -> None:
    labels = {"doc:": "document number", "ser:": "weapon serial number", "bio:": "biometric reference"}
    shared = identifiers.held.get(i, set()) & identifiers.held.get(j, set())
    agreed.extend(label for kind, label in labels.items() if any(key.startswith(kind) for key in shared))
    a, b = identifiers.biometric[i], identifiers.biometric[j]
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
    evidence = _IdentifierEvidence(register)
    bits = match_bits(model, found, first, second) + evidence.bits(first, second)
    agreed, differed = reasons(register, evidence, found[0], 0, 1)
    probability = 1 / (1 + 2 ** -float(np.clip(bits[0], -60, 60)))
    return Candidate(a.id, b.id, min(round(probability, 4), 0.9999), agreed, differed)
