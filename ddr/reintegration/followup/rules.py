"""When follow-up visits fall due, and when a person counts as reintegrated: data in, verdict out.

No database here: the services hand in plain values (`Rules.of(model)`, `Facts`), and the verdict
says why with reason codes, translated when shown (`REASONS`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

GOOD = "good"  # Acceptance.GOOD

# What is missing (or, for MET, that nothing is).
MET, TOO_EARLY, NO_FOLLOW_UP, NO_LATE_FOLLOW_UP, NO_ACTIVITY, NOT_ACCEPTED, INCIDENT = (
    "met",
    "too_early",
    "no_follow_up",
    "no_late_follow_up",
    "no_activity",
    "not_accepted",
    "incident",
)
REASONS: dict[str, Any] = {
    MET: _("Every condition of the rules is met."),
    TOO_EARLY: _("Fewer than %(months)s months since the enrolment (on %(date)s)."),
    NO_FOLLOW_UP: _("No follow-up done yet."),
    NO_LATE_FOLLOW_UP: _("No follow-up done at month %(months)s or later."),
    NO_ACTIVITY: _("The activity was not running at the last follow-up."),
    NOT_ACCEPTED: _("Not accepted by the community at the last follow-up."),
    INCIDENT: _("A security incident, or none recorded, at the last follow-up."),
}


@dataclass(frozen=True)
class Rules:
    """The parameters of a version of the reintegration rules, as plain values (see the model,
    `ReintegrationRules`, for their meaning). The defaults serve when no version is in force."""

    name: str = "default"
    follow_up_months: tuple[int, ...] = (3, 6, 12)
    grace_days: int = 15
    min_months: int = 12
    activity_required: bool = True
    acceptance_required: bool = True
    no_incident_required: bool = True

    @classmethod
    def of(cls, rules: Any) -> Rules:
        if rules is None:
            return cls()
        return cls(
            name=str(rules),
            follow_up_months=tuple(int(m) for m in rules.follow_up_months),
            grace_days=rules.grace_days,
            min_months=rules.min_months,
            activity_required=rules.activity_required,
            acceptance_required=rules.acceptance_required,
            no_incident_required=rules.no_incident_required,
        )


@dataclass(frozen=True)
class Visit:
    """What one done follow-up found."""

    month: int
    done_on: dt.date
    activity_running: bool | None
    acceptance: str
    security_incident: bool | None


@dataclass(frozen=True)
class Facts:
    """One enrolment of a person: its date and the follow-ups done under it."""

    enrolled_on: dt.date
    done: tuple[Visit, ...] = ()


@dataclass(frozen=True)
class Verdict:
    reintegrated: bool
    reasons: tuple[str, ...]  # codes, translated at display time (REASONS)
    rules: str  # which version of the rules decided


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later; the month's last day when it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_plan(enrolled_on: dt.date, months: Iterable[int]) -> list[tuple[int, dt.date]]:
    """The follow-ups of an enrolment: (month, due on), in order, each month once."""
    return [(m, add_months(enrolled_on, m)) for m in sorted({int(m) for m in months if int(m) > 0})]


def reintegration_verdict(facts: Facts, rules: Rules, on: dt.date) -> Verdict:
    """Reintegrated on `on` when at least `min_months` have passed since the enrolment, a follow-up
    at month `min_months` or later is done, and the last follow-up done (by date) meets what the
    rules require: activity running, accepted by the community, no security incident."""
    reasons: list[str] = []
    if on < add_months(facts.enrolled_on, rules.min_months):
        reasons.append(TOO_EARLY)
    done = [v for v in facts.done if v.done_on <= on]
    if not done:
        reasons.append(NO_FOLLOW_UP)
        return Verdict(False, tuple(reasons), rules.name)
    if not any(v.month >= rules.min_months for v in done):
        reasons.append(NO_LATE_FOLLOW_UP)
    last = max(done, key=lambda v: (v.done_on, v.month))
    if rules.activity_required and last.activity_running is not True:
        reasons.append(NO_ACTIVITY)
    if rules.acceptance_required and last.acceptance != GOOD:
        reasons.append(NOT_ACCEPTED)
    if rules.no_incident_required and last.security_incident is not False:
        reasons.append(INCIDENT)
    if reasons:
        return Verdict(False, tuple(reasons), rules.name)
    return Verdict(True, (MET,), rules.name)


def explain(verdict: Verdict, rules: Rules, facts: Facts) -> list[str]:
    """The verdict's reasons as sentences, in the reader's language."""
    values = {"months": rules.min_months, "date": facts.enrolled_on.strftime("%d/%m/%Y")}
    return [str(REASONS[code]) % values for code in verdict.reasons]


def conditions(rules: Rules) -> list[str]:
    """ "Reintegrated when ...": the conditions of a version of the rules, as sentences."""
    sentences = [
        str(_("at least %(months)s months after the enrolment")) % {"months": rules.min_months},
        str(_("a follow-up done at month %(months)s or later")) % {"months": rules.min_months},
    ]
    if rules.activity_required:
        sentences.append(str(_("the activity running at the last follow-up")))
    if rules.acceptance_required:
        sentences.append(str(_("accepted by the community at the last follow-up")))
    if rules.no_incident_required:
        sentences.append(str(_("no security incident at the last follow-up")))
    return sentences
