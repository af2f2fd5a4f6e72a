"""Reads of the follow-up: the rules in force on a date, a person's facts and verdict, the lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import AnyUser
from accounts.permissions import REINTEGRATION_ROLES, has_role
from ddr.registration.models import Combatant
from ddr.reintegration.followup import rules as R
from ddr.reintegration.followup.models import FollowUp, ReintegrationRules
from ddr.reintegration.packages.models import Enrolment

# The follow-up of an enrolment stops when the person drops out.
FOLLOWED = (Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED)


def rules_in_force(on: dt.date) -> ReintegrationRules | None:
    """The version of the rules in force on `on`: activated (still active, or retired since) and
    whose period covers the date. A draft is never in force."""
    return (
        ReintegrationRules.objects.exclude(status=ReintegrationRules.Status.DRAFT)
        .filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-effective_from", "-version")
        .first()
    )


def rules_periods() -> list[tuple[dt.date, dt.date | None, R.Rules]]:
    """Every activated version with its period, latest first (a handful: one query)."""
    return [
        (r.effective_from, r.effective_to, R.Rules.of(r))
        for r in ReintegrationRules.objects.exclude(status=ReintegrationRules.Status.DRAFT).order_by(
            "-effective_from", "-version"
        )
    ]


def rules_on(periods: list[tuple[dt.date, dt.date | None, R.Rules]], on: dt.date) -> R.Rules:
    """From `rules_periods()`: the rules in force on `on`, or the defaults."""
    for start, end, rules in periods:
        if start <= on and (end is None or on < end):
            return rules
    return R.Rules()


def rules_overlapping(rules: ReintegrationRules) -> QuerySet[ReintegrationRules]:
    """The active versions whose period overlaps that of `rules`."""
    overlap = Q(effective_to__isnull=True) | Q(effective_to__gt=rules.effective_from)
    if rules.effective_to is not None:
        overlap &= Q(effective_from__lt=rules.effective_to)
    return ReintegrationRules.objects.filter(overlap, status=ReintegrationRules.Status.ACTIVE).exclude(
        pk=rules.pk
    )


def visit_of(follow_up: FollowUp) -> R.Visit:
    assert follow_up.done_on is not None  # noqa: S101 - only done follow-ups are facts
    return R.Visit(
        month=follow_up.month,
        done_on=follow_up.done_on,
        activity_running=follow_up.activity_running,
        acceptance=follow_up.acceptance,
        security_incident=follow_up.security_incident,
    )


def facts_of(enrolment: Enrolment, follow_ups: Iterable[FollowUp]) -> R.Facts:
    """The facts of one enrolment, from its follow-ups (those of other enrolments are ignored)."""
    return R.Facts(
        enrolled_on=enrolment.enrolled_on,
        done=tuple(
            visit_of(f)
            for f in follow_ups
            if f.enrolment_id == enrolment.pk and f.status == FollowUp.Status.DONE
        ),
    )


def follow_ups_for(user: AnyUser) -> QuerySet[FollowUp]:
    return FollowUp.objects.for_user(user).select_related(
        "combatant__region", "enrolment__package", "recorded_by"
    )


@dataclass(frozen=True)
class EnrolmentVerdict:
    """What the person's page shows for one followed enrolment."""

    enrolment: Enrolment
    rules: R.Rules
    verdict: R.Verdict
    conditions: list[str]
    missing: list[str]


def enrolment_verdict(
    enrolment: Enrolment, follow_ups: Iterable[FollowUp], rules: R.Rules, on: dt.date
) -> EnrolmentVerdict:
    facts = facts_of(enrolment, follow_ups)
    verdict = R.reintegration_verdict(facts, rules, on)
    missing = [] if verdict.reintegrated else R.explain(verdict, rules, facts)
    return EnrolmentVerdict(enrolment, rules, verdict, R.conditions(rules), missing)


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of this part (templates/ddr/reintegration/_person_followup.html):
    their follow-ups, the verdict of the rules in force for each enrolment followed, and the dropouts
    (recorded from the enrolment itself: templates/ddr/reintegration/_person_packages.html)."""
    today = timezone.localdate()
    follow_ups = list(follow_ups_for(user).filter(combatant=person).order_by("enrolment_id", "month"))
    enrolments = list(Enrolment.objects.for_user(user).filter(combatant=person).select_related("package"))
    followed = [e for e in enrolments if e.status in FOLLOWED]
    rules = R.Rules.of(rules_in_force(today))
    return {
        "follow_ups": follow_ups,
        "follow_up_verdicts": [enrolment_verdict(e, follow_ups, rules, today) for e in followed],
        "follow_up_dropped": [e for e in enrolments if e.status == Enrolment.Status.DROPPED],
        "can_follow_up": has_role(user, REINTEGRATION_ROLES),
    }


DUE_SOON_DAYS = 7


def due_soon(follow_ups: QuerySet[FollowUp], today: dt.date) -> QuerySet[FollowUp]:
    """Planned follow-ups due within a week and not (yet) flagged overdue, those whose date has
    passed within the grace days included: the home page's count and the list's `?show=soon`."""
    return follow_ups.filter(
        status=FollowUp.Status.PLANNED, overdue=False, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS)
    )
