"""Follow-up services: planning the visits of every followed enrolment and flagging the overdue
ones (set-based, daily), recording a visit and what follows from it (a person reintegrated), and
the lifecycle of the versioned reintegration rules (draft, active, retired)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.audit import save_audited
from core.errors import Refused
from ddr.eligibility.selectors import GONE
from ddr.registration.models import Combatant
from ddr.reintegration.followup import rules as R
from ddr.reintegration.followup import selectors
from ddr.reintegration.followup.models import Acceptance, FollowUp, IncomeBand, ReintegrationRules
from ddr.reintegration.packages.models import Enrolment, Phase

S = Combatant.Status
BATCH = 1000
PLAN_LOCK = 180_003  # pg_advisory_xact_lock key of follow_ups_plan (issue 18)


class FollowUpRefused(Refused):
    """The follow-up or the rules cannot be changed so; the message says why. Nothing was changed."""


# --- planning and overdue visits (daily, set-based) ----------------------------------------


@transaction.atomic
def follow_ups_plan(
    *, enrolment_ids: Iterable[int] | QuerySet[Any, Any] | None = None, on: dt.date, by: User | None = None
) -> int:
    """Plan the follow-ups of every followed enrolment (active or delivered, begun by `on`, of a
    person whose case is open) that has none yet, at the months of the rules in force on its
    enrolment date. Set-based: one read of the enrolments, one of the rules, bulk inserts.
    Running it again plans nothing more. Returns the follow-ups planned."""
    if connection.vendor == "postgresql":
        # Two runs at once (the daily job and an officer's "plan now") would plan the same
        # enrolments twice: the second waits for the first, then sees its rows.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PLAN_LOCK])
    enrolments = (
        Enrolment.objects.filter(
            status__in=selectors.FOLLOWED, package__phase__in=Phase.values, enrolled_on__lte=on
        )
        .exclude(combatant__status__in=GONE)
        .exclude(Exists(FollowUp.objects.filter(enrolment=OuterRef("pk"))))
    )
    if enrolment_ids is not None:
        ids = enrolment_ids if isinstance(enrolment_ids, QuerySet) else list(enrolment_ids)
        enrolments = enrolments.filter(pk__in=ids)
    periods = selectors.rules_periods()
    rows = enrolments.values_list("pk", "combatant_id", "enrolled_on")
    planned = [
        FollowUp(combatant_id=person_id, enrolment_id=enrolment_id, month=month, due_on=due_on)
        for enrolment_id, person_id, enrolled_on in rows
        for month, due_on in R.follow_up_plan(
            enrolled_on, selectors.rules_on(periods, enrolled_on).follow_up_months
        )
    ]
    bulk_create_with_history(
        planned, FollowUp, batch_size=BATCH, default_user=by, default_change_reason="planned"
    )
    return len(planned)


@transaction.atomic
def follow_ups_flag_overdue(on: dt.date) -> int:
    """Flag the planned follow-ups past their date by more than the days of grace of the rules in
    force on their enrolment date: one UPDATE per version of the rules (a handful), whatever the
    number of follow-ups. Running it again flags nothing more. Returns the follow-ups flagged."""
    planned = FollowUp.objects.filter(status=FollowUp.Status.PLANNED, overdue=False)
    flagged, covered = 0, Q(pk__in=[])
    for start, end, rules in selectors.rules_periods():
        period = Q(enrolment__enrolled_on__gte=start)
        if end is not None:
            period &= Q(enrolment__enrolled_on__lt=end)
        late = planned.filter(period, due_on__lt=on - dt.timedelta(days=rules.grace_days)).exclude(covered)
        flagged += late.update(overdue=True)
        covered |= period
    default = on - dt.timedelta(days=R.Rules().grace_days)
    flagged += planned.exclude(covered).filter(due_on__lt=default).update(overdue=True)
    return flagged


def follow_ups_daily(on: dt.date | None = None) -> dict[str, int]:
    """The daily job: plan what is missing, then flag what is late."""
    on = on or timezone.localdate()
    return {"planned": follow_ups_plan(on=on), "overdue": follow_ups_flag_overdue(on)}


# --- recording a follow-up -----------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    follow_up: FollowUp
    verdict: R.Verdict | None  # None for a visit that found nobody
    explanation: tuple[str, ...]  # what is missing, in the reader's language
    reintegrated: bool  # the person was moved to "reintegrated"


def _refusal(
    follow_up: FollowUp, enrolment: Enrolment, done_on: dt.date, mode: str, status: str
) -> Refused | None:
    if follow_up.status != FollowUp.Status.PLANNED:
        assert follow_up.done_on is not None  # noqa: S101 - a recorded follow-up has its date
        return FollowUpRefused(
            _("This follow-up was already recorded (on %(date)s); it cannot be recorded twice.")
            % {"date": follow_up.done_on.strftime("%d/%m/%Y")}
        )
    if enrolment.status == Enrolment.Status.DROPPED:
        return FollowUpRefused(
            _("The person dropped out of %(package)s: the follow-up stops there.")
            % {"package": enrolment.package}
        )
    if done_on < enrolment.enrolled_on:
        return FollowUpRefused(
            _("A follow-up cannot be dated before the enrolment (on %(date)s).")
            % {"date": enrolment.enrolled_on.strftime("%d/%m/%Y")},
            "done_on",
        )
    if done_on > timezone.localdate():
        return FollowUpRefused(_("A follow-up cannot be dated in the future."), "done_on")
    if mode not in FollowUp.Mode.values:
        return FollowUpRefused(_("Say how the follow-up was done: a visit or by phone."), "mode")
    if status not in (FollowUp.Status.DONE, FollowUp.Status.MISSED):
        return FollowUpRefused(_("A follow-up is recorded as done or as person not found."), "status")
    return None


def _findings_refusal(
    activity_running: bool | None, income: str, acceptance: str, security_incident: bool | None
) -> Refused | None:
    """A done follow-up says what it found, every finding."""
    if activity_running is None:
        return FollowUpRefused(_("Say whether the activity is running."), "activity_running")
    if income not in IncomeBand.values:
        return FollowUpRefused(_("Choose the income band."), "income")
    if acceptance not in Acceptance.values:
        return FollowUpRefused(_("Choose how the community accepts the person."), "acceptance")
    if security_incident is None:
        return FollowUpRefused(_("Say whether there was a security incident."), "security_incident")
    return None


@transaction.atomic
def follow_up_record(
    *,
    follow_up: FollowUp,
    done_on: dt.date,
    mode: str,
    status: str,
    activity_running: bool | None = None,
    income: str = "",
    acceptance: str = "",
    security_incident: bool | None = None,
    needs: str = "",
    by: User,
) -> Recorded:
    """Record what a follow-up found (or that the person was not found), then apply the rules in
    force on its date: a person "reinserted" whom they call reintegrated moves to "reintegrated",
    through the case transition table, the reason naming the rules. Refused, nothing changed,
    for a date before the enrolment or in the future, a second recording, a dropped enrolment."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    enrolment = Enrolment.objects.select_related("package").get(pk=follow_up.enrolment_id)
    refusal = _refusal(follow_up, enrolment, done_on, mode, status)
    if refusal is None and status == FollowUp.Status.DONE:
        refusal = _findings_refusal(activity_running, income, acceptance, security_incident)
    if refusal is not None:
        raise refusal
    if status == FollowUp.Status.MISSED:  # nobody was met: nothing was found
        activity_running, income, acceptance, security_incident = None, "", "", None
    follow_up.status, follow_up.done_on, follow_up.mode = status, done_on, mode
    follow_up.activity_running, follow_up.income, follow_up.acceptance = activity_running, income, acceptance
    follow_up.security_incident, follow_up.needs, follow_up.recorded_by = security_incident, needs, by
    fields = ["status", "done_on", "mode", "activity_running", "income", "acceptance", "security_incident"]
    save_audited(follow_up, by, [*fields, "needs", "recorded_by"])
    if status == FollowUp.Status.MISSED:
        return Recorded(follow_up, None, (), False)
    return _apply_rules(follow_up, enrolment, done_on, by)


def _apply_rules(follow_up: FollowUp, enrolment: Enrolment, on: dt.date, by: User) -> Recorded:
    from ddr.eligibility.services import case_transition

    version = selectors.rules_in_force(on)
    rules = R.Rules.of(version)
    facts = selectors.facts_of(enrolment, FollowUp.objects.filter(enrolment=enrolment))
    verdict = R.reintegration_verdict(facts, rules, on)
    person = Combatant.objects.get(pk=follow_up.combatant_id)
    moved = False
    if verdict.reintegrated and person.status == S.REINSERTED:
        reason = f"reintegration rules {rules.name}, follow-up M{follow_up.month}"
        moved = case_transition(people=[person], to=S.REINTEGRATED, by=by, reason=reason) == 1
    explanation = () if verdict.reintegrated else tuple(R.explain(verdict, rules, facts))
    return Recorded(follow_up, verdict, explanation, moved)


# --- the rules' lifecycle: draft, active, retired ------------------------------------------

COPIED = (
    "follow_up_months",
    "grace_days",
    "min_months",
    "activity_required",
    "acceptance_required",
    "no_incident_required",
)


@transaction.atomic
def reintegration_rules_draft_from(source: ReintegrationRules | None, *, by: User) -> ReintegrationRules:
    """A new draft: a copy of `source` (the rules in force) as the next version, or the defaults."""
    today = timezone.localdate()
    draft = ReintegrationRules(name=source.name if source else _("Reintegration rules"), effective_from=today)
    if source is not None:
        for name in COPIED:
            setattr(draft, name, getattr(source, name))
        draft.effective_from = max(today, source.effective_from + dt.timedelta(days=1))
    latest = ReintegrationRules.objects.filter(name=draft.name).order_by("-version").first()
    draft.version = latest.version + 1 if latest else 1
    draft._history_user = by  # type: ignore[attr-defined]
    draft.save()
    return draft


def reintegration_rules_save(*, rules: ReintegrationRules, by: User) -> ReintegrationRules:
    """Save a draft; the versions activated are never edited (decisions name them)."""
    if rules.status != ReintegrationRules.Status.DRAFT:
        raise FollowUpRefused(_("Only a draft of the rules can be changed."))
    if problem := months_problem(rules):
        raise FollowUpRefused(problem, "follow_up_months")
    rules._history_user = by  # type: ignore[attr-defined]
    rules.save()
    return rules


def months_problem(rules: ReintegrationRules) -> str:
    months = rules.follow_up_months
    if not months or not all(isinstance(m, int) and 0 < m <= 120 for m in months):
        return _("Give the months of the follow-ups, each between 1 and 120, like 3, 6, 12.")
    if max(months) < rules.min_months:
        return _(
            "No follow-up is planned at month %(months)s or later: nobody could ever be reintegrated."
        ) % {"months": rules.min_months}
    return ""


def rules_problems(rules: ReintegrationRules) -> list[str]:
    """What forbids activating a draft: bad months, an overlap with an active version that starts
    on the same day or later (one that started before is ended by the activation)."""
    problems = [p for p in [months_problem(rules)] if p]
    for other in selectors.rules_overlapping(rules).filter(effective_from__gte=rules.effective_from):
        problems.append(
            _(
                "Its period overlaps the active rules %(other)s, which start on %(date)s or later; "
                "end them first."
            )
            % {"other": other, "date": rules.effective_from.strftime("%d/%m/%Y")}
        )
    return problems


@transaction.atomic
def reintegration_rules_activate(*, rules: ReintegrationRules, by: User) -> ReintegrationRules:
    """Activate a draft: the active version whose period it overlaps ends the day it starts, and
    is retired (it still decides for the dates of its period)."""
    rules = ReintegrationRules.objects.select_for_update().get(pk=rules.pk)
    if rules.status != ReintegrationRules.Status.DRAFT:
        raise FollowUpRefused(_("Only a draft of the rules can be activated."))
    if problems := rules_problems(rules):
        raise FollowUpRefused(" ".join(problems))
    for previous in selectors.rules_overlapping(rules).select_for_update():
        previous.effective_to, previous.status = rules.effective_from, ReintegrationRules.Status.RETIRED
        save_audited(previous, by, ["effective_to", "status"], f"replaced by {rules}"[:100])
    rules.status = ReintegrationRules.Status.ACTIVE
    save_audited(rules, by, ["status"], "activated")
    return rules
