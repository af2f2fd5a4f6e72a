"""Appeals' rules, data in, result out: what may happen to an appeal and why not. Each returns ''
when the step may be taken, else the reason, in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.dates import shown_date

FILED, SCHEDULED, HEARD = "filed", "scheduled", "heard"
UPHELD, OVERTURNED, WITHDRAWN = "upheld", "overturned", "withdrawn"
OPEN = frozenset({FILED, SCHEDULED, HEARD})
OUTCOMES = frozenset({UPHELD, OVERTURNED})

# Where an appeal may go from each status (a decision needs a hearing scheduled, held or not).
TRANSITIONS: dict[str, frozenset[str]] = {
    FILED: frozenset({SCHEDULED, WITHDRAWN}),
    SCHEDULED: frozenset({SCHEDULED, HEARD, UPHELD, OVERTURNED, WITHDRAWN}),
    HEARD: frozenset({UPHELD, OVERTURNED, WITHDRAWN}),
}
# Kinds whose open appeal holds the person's payments: a contested merge (who is paid is in
# question) and a contested pathway (what they are entitled to is).
HOLDS_PAYMENT = frozenset({"merge", "eligibility"})


def closed_refusal(status: str) -> str:
    if status not in OPEN:
        return _("This appeal is closed (%(status)s): nothing more can be decided on it.") % {
            "status": status
        }
    return ""


def step_refusal(status: str, to: str) -> str:
    """Why an appeal at `status` cannot go to `to`."""
    if refusal := closed_refusal(status):
        return refusal
    if to in OUTCOMES and to not in TRANSITIONS[status]:
        return _("Schedule the hearing before deciding the appeal.")
    if to not in TRANSITIONS[status]:
        return _("This step is not possible now.")
    return ""


def filing_refusal(*, filed_on: dt.date, today: dt.date, grounds: str) -> str:
    if filed_on > today:
        return _("An appeal cannot be filed in the future.")
    if not grounds.strip():
        return _("Say on what grounds the decision is contested.")
    return ""


def hearing_refusal(*, hearing_on: dt.date, filed_on: dt.date, deciding_body: str) -> str:
    if hearing_on < filed_on:
        return _("The hearing cannot come before the appeal was filed (%(date)s).") % {
            "date": shown_date(filed_on)
        }
    if not deciding_body.strip():
        return _("Name the body that hears the appeal.")
    return ""


def outcome_refusal(
    *,
    outcome: str,
    decided_on: dt.date,
    filed_on: dt.date,
    hearing_on: dt.date | None,
    today: dt.date,
    reasons: str,
) -> str:
    if outcome not in OUTCOMES:
        return _("The appeal is upheld or overturned.")
    if decided_on > today:
        return _("A decision cannot be dated in the future.")
    if decided_on < (hearing_on or filed_on):
        return _("The decision cannot come before the hearing (%(date)s).") % {
            "date": shown_date(hearing_on or filed_on)
        }
    if not reasons.strip():
        return _("Give the reasons for the decision.")
    return ""


def same_decider_refusal(*, original_by_id: int | None, by_id: int) -> str:
    """An overturn is never decided by whoever made the decision contested."""
    if original_by_id is not None and original_by_id == by_id:
        return _("You made the decision contested: another person must decide its overturn.")
    return ""


def new_value_refusal(*, contested: str, new: str, allowed: Iterable[str] | None) -> str:
    """An overturn names the new decision, which differs from the one contested."""
    if not str(new).strip():
        return _("Give the decision that replaces the one contested.")
    if allowed is not None and new not in set(allowed):
        return _("Choose a valid new decision.")
    if str(new) == contested:
        return _("The new decision is the one contested: uphold the appeal instead.")
    return ""
