"""Duplicate detection on the register: the job that finds pairs, the review decisions, merges
that can be undone, and the integrity of each list. Matching itself is `ddr.duplicates`."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from ddr.duplicates.models import DuplicatePair, MatchingSettings
from ddr.lists.models import SubmittedList
from ddr.registration.models import Category


def reviewable(pairs: QuerySet[DuplicatePair]) -> QuerySet[DuplicatePair]:
    """The pairs the list's reviewers decide: a pair with a child is child protection's, never seen
    by them, so it neither holds a list (its share would tell a child is on it) nor blocks one."""
    child = Category.CHILD
    return pairs.exclude(Q(first__category=child) | Q(second__category=child))


def list_acceptance_problem(submitted: SubmittedList) -> str:
    """Why the list cannot be accepted yet ('' when it can)."""
    if submitted.held_share is None:
        return ""
    people = submitted.entries.values("combatant_id")
    still_open = reviewable(DuplicatePair.objects.filter(status="open").touching(people))
    if still_open.exists():
        return _("Held for review: %(reason)s Decide its duplicate pairs first.") % {
            "reason": submitted.hold_reason
        }
    return ""


# The two people of a pair with what the queue and the pair page print of them.
PAIR_PEOPLE = ("first__region", "first__movement", "second__region", "second__movement")


def pairs_for(user: User) -> QuerySet[DuplicatePair]:
    """Pairs whose both people the user may see (a regional officer: their region only). Written as
    conditions on the joins to both people, which `select_related` then reuses, not as two
    `IN (SELECT ...)` over the register: at 20,000 pairs the subqueries doubled the queue's cost."""
    return DuplicatePair.objects.for_user(user)


def queue(user: User, *, kind: str, strong: float) -> QuerySet[DuplicatePair]:
    """The open pairs the user reviews, best first; `kind`: "strong" (proposed as the same person),
    "review" (below that), anything else: all."""
    pairs = pairs_for(user).filter(status=DuplicatePair.Status.OPEN)
    if kind == "strong":
        return pairs.filter(score__gte=strong)
    if kind == "review":
        return pairs.filter(score__lt=strong)
    return pairs


def pairs_in_order(ids: list[int]) -> list[DuplicatePair]:
    """The pairs of one page, with their people, in the page's order. The page itself is chosen on
    ids alone (`queue(...).values_list("pk")`): sorting thousands of wide rows of five joined tables
    to keep fifty was the cost of a deep page (an on-disk sort at page 50 of a region)."""
    found = DuplicatePair.objects.select_related(*PAIR_PEOPLE).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def threshold_effect(strong: float, review: float) -> dict[str, int]:
    """How the open pairs would split under other thresholds, before they are saved."""
    return DuplicatePair.objects.filter(status="open").aggregate(
        strong=Count("id", filter=Q(score__gte=strong)),
        review=Count("id", filter=Q(score__gte=review, score__lt=strong)),
        dropped=Count("id", filter=Q(score__lt=review)),
    )


# --- the learned model, as the thresholds page explains it ---------------------------------


@dataclass(frozen=True)
class LevelExplained:
    label: str
    m_percent: float  # among true duplicates, how often the pair falls at this level
    u_percent: float  # among random pairs of the register
    u_one_in: int | None  # the same as "1 in N" when rare (below 1 %): easier to read than 0.03 %
    weight: float  # bits: log2(m/u)
    times: float  # 2 ** |weight|: how many times more (or less) likely the same person
    more_likely: bool
    common_values_count_less: bool


@dataclass(frozen=True)
class ComparisonExplained:
    name: str
    label: str
    levels: list[LevelExplained]


@dataclass(frozen=True)
class ModelExplained:
    trained: bool
    people: int | None
    trained_at: dt.datetime | None
    prior: float
    prior_one_in: int  # two records taken at random are the same person once in this many pairs
    comparisons: list[ComparisonExplained]
    # How many times the evidence must multiply the prior odds for a pair to reach each threshold
    # (None at a probability of 1, which no evidence reaches).
    strong_times: int | None
    review_times: int | None


def _times(weight: float) -> float:
    factor = 2 ** abs(weight)
    return round(factor) if factor >= 10 else round(factor, 1)


def _needed(threshold: float, prior: float) -> int | None:
    if threshold >= 1:
        return None
    return round((threshold / (1 - threshold)) / (prior / (1 - prior)))


def model_explained(tuned: MatchingSettings) -> ModelExplained | None:
    """The matcher's Fellegi-Sunter model (stored by the search in `tuned.model`) in the terms an
    administrator reads: per comparison and level, how often it happens among true duplicates and
    among random pairs, and how much it moves the odds. Labels are English msgids, translated here.
    None before the first search stored one."""
    model = tuned.model or {}
    if not model.get("comparisons"):
        return None
    prior = min(max(float(model.get("prior") or 0), 1e-9), 0.5)
    comparisons = []
    for comparison in model["comparisons"]:
        levels = []
        for level in comparison.get("levels", []):
            m, u = float(level.get("m", 0)), float(level.get("u", 0))
            weight = float(level["weight"]) if "weight" in level else math.log2(max(m, 1e-12) / max(u, 1e-12))
            levels.append(
                LevelExplained(
                    label=_(level.get("label", "")),
                    m_percent=100 * m,
                    u_percent=100 * u,
                    u_one_in=round(1 / u) if 0 < u < 0.01 else None,
                    weight=weight,
                    times=_times(weight),
                    more_likely=weight >= 0,
                    common_values_count_less=bool(level.get("tf")),
                )
            )
        label = comparison.get("label") or comparison.get("name", "")
        comparisons.append(ComparisonExplained(comparison.get("name", ""), _(label), levels))
    return ModelExplained(
        trained=bool(model.get("trained")),
        people=model.get("people"),
        trained_at=tuned.model_trained_at,
        prior=prior,
        prior_one_in=round(1 / prior),
        comparisons=comparisons,
        strong_times=_needed(tuned.strong, prior),
        review_times=_needed(tuned.review, prior),
    )
