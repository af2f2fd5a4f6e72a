"""Integration rules as plain functions: the one-third rule and the rank allocation table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

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
                            "tol": f"{tolerance * 100:.0f} points",
                        },
                    )
                )
    return found


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
