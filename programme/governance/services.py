"""Recording decisions and following the roadmaps: every change audited, the minutes checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import save_audited
from core.errors import Refused
from core.models import Decision
from core.uploads import document_file_is_accepted
from programme.governance import rules
from programme.governance.models import RoadmapAction

MINUTES_MAX_BYTES = 10_000_000
S = RoadmapAction.Status


class GovernanceRefused(Refused):
    """A decision or a roadmap action cannot be recorded; the message says why. Nothing changed."""


def minutes_problem(minutes: Any) -> str:
    """Why the minutes are refused ('' when accepted): a PDF or an image, by name and content."""
    if minutes is None:
        return ""
    if (getattr(minutes, "size", 0) or 0) > MINUTES_MAX_BYTES:
        return _("The minutes are larger than %(mb)s MB.") % {"mb": MINUTES_MAX_BYTES // 1_000_000}
    if not document_file_is_accepted(minutes):
        return _("The minutes must be a PDF or an image (JPEG, PNG or WebP).")
    return ""


@transaction.atomic
def decision_record(*, by: User, minutes: Any = None, **values: Any) -> Decision:
    if problem := minutes_problem(minutes):
        raise GovernanceRefused(problem, "minutes")
    if values["taken_on"] > timezone.localdate():
        raise GovernanceRefused(_("A decision cannot be dated in the future."), "taken_on")
    decision = Decision(recorded_by=by, **values)
    if minutes is not None:
        decision.minutes = minutes
    decision._history_user = by  # type: ignore[attr-defined]
    decision.save()
    return decision


@transaction.atomic
def action_update(
    *, action: RoadmapAction, status: str, done_on: dt.date | None, evidence: str, by: User
) -> RoadmapAction:
    """Where an action stands, with its evidence; done needs its date, neither in the future nor
    before the roadmap was adopted."""
    if status == S.DONE:
        if done_on is None:
            raise GovernanceRefused(_("Give the date the action was done."), "done_on")
        if done_on > timezone.localdate():
            raise GovernanceRefused(_("An action cannot be done in the future."), "done_on")
        if done_on < action.roadmap.adopted_on:
            raise GovernanceRefused(_("An action cannot be done before its roadmap was adopted."), "done_on")
    else:
        done_on = None
    action.status, action.done_on, action.evidence = status, done_on, evidence
    action.overdue = rules.is_overdue(status, action.deadline, timezone.localdate())
    save_audited(action, by, ["status", "done_on", "evidence", "overdue"])
    return action


def flag_overdue(today: dt.date | None = None) -> int:
    """Each morning on the worker: actions past their deadline and still open are flagged, the
    others unflagged (two set-based updates). Returns how many are overdue."""
    today = today or timezone.localdate()
    late = Q(status__in=rules.OPEN, deadline__lt=today)
    with transaction.atomic():
        RoadmapAction.objects.filter(late, overdue=False).update(overdue=True)
        RoadmapAction.objects.filter(~late, overdue=True).update(overdue=False)
    return RoadmapAction.objects.filter(overdue=True).count()
