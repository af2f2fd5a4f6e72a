"""Integration rules as plain functions: the one-third rule, the rank allocation table, and the
steps of every pathway into the State."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.masterdata import Problem, period_problem
from integration.models.cohorts import ARMY_RANKS, EDUCATION_ORDER

# The 2015 Agreement's parties: national forces, CMA, Platform, a third each in command and in
# strength. Members of the inclusivity movements (CMI) are counted and shown, outside the thirds.
THIRD_PARTIES = ("fama", "cma", "platform")
THIRD = Decimal(1) / Decimal(3)


@dataclass(frozen=True)
class Deviation:
    code: str
    message: str


def share(counts: Mapping[str, int], party: str) -> Decimal:
    total = sum(counts.get(p, 0) for p in THIRD_PARTIES)
    return Decimal(counts.get(party, 0)) / Decimal(total) if total else Decimal(0)


def one_third_deviations(
    strength: Mapping[str, int], command: Mapping[str, int], tolerance: Decimal, labels: Mapping[str, str]
) -> list[Deviation]:
    """Each party's share of the strength and of the command positions, against a third."""
    found = []
    for what, counts, label in (
        ("strength", strength, _("strength")),
        ("command", command, _("command positions")),
    ):
        if not sum(counts.get(p, 0) for p in THIRD_PARTIES):
            continue
        for party in THIRD_PARTIES:
            value = share(counts, party)
            if abs(value - THIRD) > tolerance:
                found.append(
                    Deviation(
                        f"{what}:{party}",
                        _(
                            "%(party)s holds %(share)s of the %(what)s (%(n)s); "
                            "the rule is a third, ± %(tol)s."
                        )
                        % {
                            "party": labels.get(party, party),
                            "share": f"{value * 100:.0f} %",
                            "what": label,
                            "n": counts.get(party, 0),
                            "tol": _("%(n)s points") % {"n": f"{tolerance * 100:.0f}"},
                        },
                    )
                )
    return found


def deviation_label(code: str, labels: Mapping[str, str]) -> str:
    """A recorded deviation's code ("strength:fama") as a reader says it ("FAMa: strength")."""
    what, _sep, party = code.partition(":")
    aspect = {"strength": _("strength"), "command": _("command positions")}.get(what, what)
    return _("%(party)s: %(what)s") % {"party": labels.get(party, party), "what": aspect}


@dataclass(frozen=True)
class Allocation:
    rank: str
    explanation: str


def _level(education: str) -> int:
    levels = [str(level) for level in EDUCATION_ORDER]
    return levels.index(education) if education in levels else 0


def allocate_rank(
    rules: Sequence[Any],
    caps: Mapping[str, int],
    used: Mapping[str, int],
    *,
    movement_rank: str,
    years: int,
    education: str,
) -> Allocation:
    """The first rule that fits the person gives the rank; a rank whose cap is reached gives the
    next rank down. The explanation says which rule, and which caps, decided."""
    held = movement_rank.strip().lower()
    for rule in rules:
        if rule.movement_rank.strip().lower() != held:
            continue
        if years < rule.min_years or _level(education) < _level(rule.min_education):
            continue
        rank = rule.army_rank
        why = _(
            "Rule %(order)s: %(held)s, %(years)s years or more, %(edu)s education or more → %(rank)s."
        ) % {
            "order": rule.order,
            "held": rule.movement_rank,
            "years": rule.min_years,
            "edu": rule.min_education,
            "rank": rank,
        }
        index = ARMY_RANKS.index(rank) if rank in ARMY_RANKS else 0
        while index > 0 and rank in caps and used.get(rank, 0) >= caps[rank]:
            why += " " + _("The cap of %(cap)s for %(rank)s is reached.") % {"cap": caps[rank], "rank": rank}
            index -= 1
            rank = ARMY_RANKS[index]
        if rank != rule.army_rank:
            why += " " + _("Allocated: %(rank)s.") % {"rank": rank}
        return Allocation(rank, why)
    return Allocation(
        ARMY_RANKS[0],
        _("No rule of the table fits “%(held)s” with %(years)s years of service: lowest rank.")
        % {"held": movement_rank or "—", "years": years},
    )


def unit_dates_problem(
    established: dt.date | None, dissolved: dt.date | None, interim_until: dt.date | None
) -> Problem | None:
    """A unit is dissolved, and its interim end falls, after it was established."""
    return period_problem(
        established, dissolved, "dissolved", _("A unit is dissolved after it was established.")
    ) or period_problem(
        established,
        interim_until,
        "interim_until",
        _("An interim unit's end falls after it was established."),
    )


# --- pathways into the State --------------------------------------------------------------
# Each structure's process as data: the eligibility pathway (and category) a person must hold,
# which step may follow which, the step that completes it, and what each step needs. The steps
# are `integration.models.state.Step`'s codes; "not_retained" ends a placement at any step.

PROPOSED, NOT_RETAINED = "proposed", "not_retained"


@dataclass(frozen=True)
class Process:
    pathways: frozenset[str]
    table: Mapping[str, frozenset[str]]
    final: str
    categories: frozenset[str] = frozenset()  # empty: any category of that pathway
    # step -> what it needs: "original_corps", "former_service_number", "corps", "post", "medical_fit"
    needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # step -> the status the person's case follows to (where the case table allows it)
    case: Mapping[str, str] = field(default_factory=dict)


def _chain(*steps: str) -> dict[str, frozenset[str]]:
    """Steps one after the other; any step but the last may end in "not retained"."""
    return {a: frozenset({b, NOT_RETAINED}) for a, b in zip(steps, steps[1:], strict=False)}


_SECURITY = _chain(PROPOSED, "fit", "in_training", "assigned")
PROCESSES: dict[str, Process] = {
    # Roadmap 2020, item 15: the recall of ex-MDSF who have not rejoined their original corps.
    "recall": Process(
        pathways=frozenset({"recall"}),
        table=_chain(PROPOSED, "file_verified", "reported", "reinstated"),
        final="reinstated",
        needs={
            PROPOSED: ("original_corps", "former_service_number"),
            "file_verified": ("original_corps", "former_service_number"),
        },
        case={"reported": "in_training", "reinstated": "integrated"},
    ),
    # Items 7 and 13: civilian cadres of the movements into the civil service.
    "civil_service": Process(
        pathways=frozenset({"integration_civil"}),
        table=_chain(PROPOSED, "file_verified", "in_training", "appointed"),
        final="appointed",
        needs={"appointed": ("post",)},
        case={"in_training": "in_training", "appointed": "integrated"},
    ),
    # Items 8 and 16: the territorial police; the other security forces alike.
    "territorial_police": Process(
        pathways=frozenset({"integration_security"}),
        table=_SECURITY,
        final="assigned",
        needs={"fit": ("medical_fit",), "assigned": ("corps",)},
        case={"in_training": "in_training", "assigned": "integrated"},
    ),
    "security_forces": Process(
        pathways=frozenset({"integration_security"}),
        table=_SECURITY,
        final="assigned",
        needs={"fit": ("medical_fit",), "assigned": ("corps",)},
        case={"in_training": "in_training", "assigned": "integrated"},
    ),
    # Report 3.2.2: defectors (CRP) were "recruited", not integrated, into the armed forces.
    "recruitment": Process(
        pathways=frozenset({"integration_army"}),
        categories=frozenset({"defector"}),
        table=_chain(PROPOSED, "fit", "in_training", "recruited"),
        final="recruited",
        needs={"fit": ("medical_fit",)},
        case={"in_training": "in_training", "recruited": "integrated"},
    ),
}


@dataclass(frozen=True)
class PlacementFacts:
    """What the rules need to know of a person in a placement (plain values: no database)."""

    pathway: str
    category: str
    medical_fit: bool = False
    original_corps: str = ""
    former_service_number: str = ""
    corps: str = ""
    post: str = ""


def next_steps(structure: str, current: str) -> frozenset[str]:
    return PROCESSES[structure].table.get(current, frozenset())


def is_final(structure: str, step: str) -> bool:
    return step == PROCESSES[structure].final


def pathway_refusal(structure: str, facts: PlacementFacts, pathway_label: str = "") -> str:
    """Why this person cannot be in this structure's process ('' when they can): their
    eligibility pathway (and, for a recruitment, their category) must be the process's."""
    process = PROCESSES[structure]
    if facts.pathway not in process.pathways:
        return _("The person's pathway is “%(pathway)s”: this process takes only people oriented to it.") % {
            "pathway": pathway_label or facts.pathway
        }
    if process.categories and facts.category not in process.categories:
        return _("Only defectors are recruited through this process.")
    return ""


NEED_MESSAGES = {
    "original_corps": gettext_noop("A recall needs the person's original corps."),
    "former_service_number": gettext_noop("A recall needs the person's former service number."),
    "corps": gettext_noop("Say which corps the person is assigned to."),
    "post": gettext_noop("An appointment needs the post."),
    "medical_fit": gettext_noop("The person's medical examination must have found them fit."),
}


def missing_needs(structure: str, step: str, facts: PlacementFacts) -> list[tuple[str, str]]:
    """What the step needs and the facts lack: (field, message) pairs, none when it may be taken."""
    have = {
        "original_corps": bool(facts.original_corps),
        "former_service_number": bool(facts.former_service_number.strip()),
        "corps": bool(facts.corps),
        "post": bool(facts.post.strip()),
        "medical_fit": facts.medical_fit,
    }
    needed = PROCESSES[structure].needs.get(step, ())
    return [(need, _(NEED_MESSAGES[need])) for need in needed if not have[need]]


def step_refusal(structure: str, current: str, to: str, facts: PlacementFacts) -> tuple[str, str]:
    """Why the step `current` -> `to` cannot be taken, as (field, message); ("", "") when it can.
    Leaving the process ("not retained") needs nothing but to be on the way."""
    if to not in next_steps(structure, current):
        return "to", _("This step does not follow the current one in this process.")
    if to == NOT_RETAINED:
        return "", ""
    if refusal := pathway_refusal(structure, facts):
        return "person", refusal
    missing = missing_needs(structure, to, facts)
    return missing[0] if missing else ("", "")
