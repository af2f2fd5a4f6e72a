"""Duplicate detection on the register: the job that finds pairs, the review decisions, merges
that can be undone, and the integrity of each list. Matching itself is `ddr.duplicates`."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from ddr.duplicates.models import DuplicatePair
from ddr.lists.models import SubmittedList
from ddr.registration.models import Category, Combatant


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


def pairs_for(user: User) -> QuerySet[DuplicatePair]:
    """Pairs whose both people the user may see (a regional officer: their region only)."""
    visible = Combatant.objects.for_user(user)
    return DuplicatePair.objects.filter(first__in=visible, second__in=visible)


def threshold_effect(strong: float, review: float) -> dict[str, int]:
    """How the open pairs would split under other thresholds, before they are saved."""
    return DuplicatePair.objects.filter(status="open").aggregate(
        strong=Count("id", filter=Q(score__gte=strong)),
        review=Count("id", filter=Q(score__gte=review, score__lt=strong)),
        dropped=Count("id", filter=Q(score__lt=review)),
    )


