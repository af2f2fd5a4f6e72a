"""Grievance rules, data in and result out: the deadlines of a category, which step may follow
which, what a receipt must say. No database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ddr.accountability.grievances.models import (
    SENSITIVE_CATEGORIES,
    Complainant,
    Grievance,
)

St = Grievance.Status

ACKNOWLEDGE_HOURS = 48
ANSWER_DAYS = 30


@dataclass(frozen=True)
class Deadlines:
    acknowledge_hours: int = ACKNOWLEDGE_HOURS
    answer_days: int = ANSWER_DAYS

    def acknowledge_by(self, received_on: dt.datetime) -> dt.datetime:
        return received_on + dt.timedelta(hours=self.acknowledge_hours)

    def answer_by(self, since: dt.datetime) -> dt.datetime:
        return since + dt.timedelta(days=self.answer_days)


# Which step may follow which (a status -> the statuses it may go to). Resolving straight from
# "received" is allowed: an answer acknowledges the grievance.
TRANSITIONS: dict[str, frozenset[str]] = {
    St.RECEIVED: frozenset({St.ACKNOWLEDGED, St.RESOLVED}),
    St.ACKNOWLEDGED: frozenset({St.IN_PROGRESS, St.REFERRED, St.RESOLVED}),
    St.IN_PROGRESS: frozenset({St.REFERRED, St.RESOLVED}),
    St.REFERRED: frozenset({St.IN_PROGRESS, St.RESOLVED}),
    St.RESOLVED: frozenset({St.REOPENED, St.CLOSED}),
    St.REOPENED: frozenset({St.IN_PROGRESS, St.REFERRED, St.RESOLVED}),
    St.CLOSED: frozenset(),
}


def may_go(status: str, to: str) -> bool:
    return to in TRANSITIONS.get(status, frozenset())


def is_sensitive(category: str, flagged: bool) -> bool:
    return flagged or category in SENSITIVE_CATEGORIES


def receipt_problems(
    *,
    received_on: dt.datetime,
    now: dt.datetime,
    complainant_kind: str,
    contact_name: str,
    contact_phone: str,
    acknowledge_by: dt.datetime | None = None,
    answer_by: dt.datetime | None = None,
) -> list[tuple[str, str | Promise]]:
    """What is wrong with a receipt, as (field, message); empty when it may be recorded."""
    problems: list[tuple[str, str | Promise]] = []
    if received_on > now + dt.timedelta(minutes=5):
        problems.append(("received_on", _("A grievance cannot be received in the future.")))
    if complainant_kind == Complainant.ANONYMOUS and (contact_name.strip() or contact_phone.strip()):
        problems.append(
            (
                "contact_name",
                _("An anonymous grievance gives no contact: remove it, or choose another complainant."),
            )
        )
    for field, deadline in (("acknowledge_by", acknowledge_by), ("answer_by", answer_by)):
        if deadline is not None and deadline < received_on:
            problems.append((field, _("A deadline cannot be before the date of receipt.")))
    return problems


def overdue(deadline: dt.datetime, done: bool, now: dt.datetime) -> bool:
    """A step is overdue when it is not done and its deadline has passed."""
    return not done and deadline < now
