"""Every write of appeals: filed against one decision, heard by a deciding body on a date, and
ended upheld, overturned or withdrawn. An overturn goes through the very service that made the
decision (merge_undo, medical_record, age_assess, list_status_change, candidate_rank_change,
pathway_set), in the same transaction as the appeal's outcome: either both happen, audited, or
neither. The appeal is closed first, so the freeze it held (a merge not undone by hand, a list's
status, a pathway) lets its own overturn through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.permissions import has_role
from core.audit import save_audited
from core.dates import shown_date
from core.errors import Refused
from core.models import Decision as RegisterDecision
from ddr.accountability.appeals import rules
from ddr.accountability.appeals.models import Appeal
from ddr.accountability.appeals.selectors import DECIDE_ROLES, FILE_ROLES, LIST_ROLES
from ddr.duplicates.models import Merge
from ddr.eligibility.selectors import decided_by
from ddr.lists.models import SubmittedList
from ddr.registration.models import Combatant, Pathway
from ddr.screening.models import AgeAssessment, MedicalExam
from integration.models import Candidate
from integration.models.cohorts import ARMY_RANKS

K, S = Appeal.Kind, Appeal.Status


class AppealRefused(Refused):
    """The appeal cannot be filed, scheduled, decided or withdrawn; the message says why.
    Nothing was changed."""


def _last_changed_by(record: models.Model, field: str) -> int | None:
    """Who last gave `field` its current value, from the record's audit trail."""
    rows = record.history.order_by("history_date", "history_id").values_list(field, "history_user_id")  # type: ignore[attr-defined]
    who: int | None = None
    previous: Any = object()
    for value, user_id in rows:
        if value != previous:
            who, previous = user_id, value
    return who


class _NotFound(AppealRefused):
    field = "decision"

    def __init__(self) -> None:
        super().__init__(_("This decision does not exist, or is not in your scope."))


Found = tuple[models.Model, dict[str, Any]]


def _pathway(decision: int, by: User) -> Found:
    person = Combatant.objects.for_user(by).filter(pk=decision).first()
    if person is None:
        raise _NotFound
    return person, {
        "combatant": person,
        "ruleset": decided_by(person),
        "contested_value": person.pathway,
        "decision_by_id": _last_changed_by(person, "pathway"),
        "region_id": person.region_id,
    }


def _medical(decision: int, by: User) -> Found:
    exam = (
        MedicalExam.objects.for_user(by).select_related("combatant").filter(pk=decision, final=True).first()
    )
    if exam is None:
        raise _NotFound
    return exam, {
        "medical_exam": exam,
        "combatant": exam.combatant,
        "contested_value": exam.result,
        "decision_by_id": exam.recorded_by_id,
        "region_id": exam.combatant.region_id,
    }


def _age(decision: int, by: User) -> Found:
    age = AgeAssessment.objects.for_user(by).select_related("combatant").filter(pk=decision).first()
    if age is None:
        raise _NotFound
    return age, {
        "age_assessment": age,
        "combatant": age.combatant,
        "contested_value": str(age.assessed_age),
        "decision_by_id": age.assessed_by_id,
        "region_id": age.combatant.region_id,
    }


def _rank(decision: int, by: User) -> Found:
    assigned = Candidate.objects.for_user(by).filter(status=Candidate.Status.ASSIGNED)
    candidate = assigned.select_related("combatant").filter(pk=decision).first()
    if candidate is None:
        raise _NotFound
    return candidate, {
        "candidate": candidate,
        "combatant": candidate.combatant,
        "contested_value": candidate.army_rank,
        "decision_by_id": _last_changed_by(candidate, "army_rank"),
        "region_id": candidate.combatant.region_id,
    }


def _list_status(decision: int, by: User) -> Found:
    submitted = SubmittedList.objects.select_related("movement").filter(pk=decision).first()
    if submitted is None or not has_role(by, LIST_ROLES):  # lists are national
        raise _NotFound
    return submitted, {
        "submitted_list": submitted,
        "movement": submitted.movement,
        "contested_value": submitted.status,
        "decision_by_id": _last_changed_by(submitted, "status"),
    }


def _merge(decision: int, by: User) -> Found:
    merges = Merge.objects.for_user(by).filter(undone_at__isnull=True)
    merge = merges.select_related("kept", "absorbed").filter(pk=decision).first()
    if merge is None:
        raise _NotFound
    return merge, {
        "merge": merge,
        "contested_value": merge.absorbed.registration_number,
        "decision_by_id": merge.merged_by_id,
        "region_id": merge.kept.region_id,
    }


# The contested record of each kind in `by`'s scope, and the appeal's fields it fills.
DECISIONS: dict[str, Callable[[int, User], Found]] = {
    K.ELIGIBILITY: _pathway,
    K.MEDICAL: _medical,
    K.AGE: _age,
    K.RANK: _rank,
    K.LIST_STATUS: _list_status,
    K.MERGE: _merge,
}


def _already(kind: str) -> AppealRefused:
    return AppealRefused(
        _("This decision is already under an open appeal: decide or withdraw that one first."), "decision"
    )


def appeal_file(
    *,
    kind: str,
    decision: int,
    grounds: str,
    filed_on: dt.date,
    by: User,
    person: Combatant | None = None,
    deciding_body: str = "",
) -> Appeal:
    """An appeal against one decision, by the person it concerns (`person`: which record of a
    merge appeals; the absorbed one by default) or by their movement for a list."""
    if not has_role(by, FILE_ROLES):
        raise AppealRefused(_("Your role does not file appeals."))
    if refusal := rules.filing_refusal(filed_on=filed_on, today=timezone.localdate(), grounds=grounds):
        raise AppealRefused(refusal, "filed_on" if filed_on > timezone.localdate() else "grounds")
    if kind not in DECISIONS:
        raise AppealRefused(_("Choose the decision contested."), "kind")
    record, fields = DECISIONS[kind](decision, by)
    if isinstance(record, Merge):
        appellant = (
            person if person is not None and person.pk in (record.kept_id, record.absorbed_id) else None
        )
        fields["combatant"] = appellant or record.absorbed
    field = Appeal.DECISION_FIELDS[K(kind)]
    open_ = Appeal.objects.filter(status__in=Appeal.OPEN, **{field: record})
    if kind == K.ELIGIBILITY:
        open_ = open_.filter(kind=K.ELIGIBILITY)
    if open_.exists():
        raise _already(kind)
    appeal = Appeal(
        kind=kind,
        grounds=grounds.strip(),
        filed_on=filed_on,
        filed_by=by,
        deciding_body=deciding_body.strip()[:200],
        **fields,
    )
    appeal._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError as exc:  # appeal_open_once_*: another appeal was filed at the same moment
        raise _already(kind) from exc
    return appeal


def _locked(appeal: Appeal, by: User) -> Appeal:
    if not has_role(by, DECIDE_ROLES):
        raise AppealRefused(_("Only national staff schedule and decide appeals."))
    locked = Appeal.objects.for_user(by).select_for_update(of=("self",)).filter(pk=appeal.pk).first()
    if locked is None:
        raise AppealRefused(_("This appeal does not exist, or is not in your scope."))
    return locked


@transaction.atomic
def appeal_schedule(*, appeal: Appeal, hearing_on: dt.date, deciding_body: str, by: User) -> Appeal:
    """The hearing set (or moved) before the deciding body."""
    appeal = _locked(appeal, by)
    if refusal := rules.step_refusal(appeal.status, S.SCHEDULED):
        raise AppealRefused(refusal)
    if refusal := rules.hearing_refusal(
        hearing_on=hearing_on, filed_on=appeal.filed_on, deciding_body=deciding_body
    ):
        raise AppealRefused(refusal, "hearing_on" if hearing_on < appeal.filed_on else "deciding_body")
    appeal.hearing_on, appeal.deciding_body, appeal.status = (
        hearing_on,
        deciding_body.strip()[:200],
        S.SCHEDULED,
    )
    save_audited(appeal, by, ["hearing_on", "deciding_body", "status"], gettext_noop("hearing scheduled"))
    return appeal


@transaction.atomic
def appeal_hear(*, appeal: Appeal, by: User) -> Appeal:
    """The hearing was held; the decision follows."""
    appeal = _locked(appeal, by)
    if refusal := rules.step_refusal(appeal.status, S.HEARD):
        raise AppealRefused(refusal)
    if appeal.hearing_on and appeal.hearing_on > timezone.localdate():
        raise AppealRefused(
            _("The hearing is on %(date)s: it has not been held yet.")
            % {"date": shown_date(appeal.hearing_on)}
        )
    appeal.status = S.HEARD
    save_audited(appeal, by, ["status"], gettext_noop("heard"))
    return appeal


@transaction.atomic
def appeal_withdraw(*, appeal: Appeal, reasons: str, by: User) -> Appeal:
    """The appellant withdraws: the decision stands and what the appeal froze moves again."""
    if not has_role(by, FILE_ROLES):
        raise AppealRefused(_("Your role does not file appeals."))
    locked = Appeal.objects.for_user(by).select_for_update(of=("self",)).filter(pk=appeal.pk).first()
    if locked is None:
        raise AppealRefused(_("This appeal does not exist, or is not in your scope."))
    if refusal := rules.step_refusal(locked.status, S.WITHDRAWN):
        raise AppealRefused(refusal)
    if not reasons.strip():
        raise AppealRefused(_("Say why the appeal is withdrawn."), "reasons")
    locked.status, locked.reasons = S.WITHDRAWN, reasons.strip()
    locked.decided_at = timezone.now()
    save_audited(locked, by, ["status", "reasons", "decided_at"], gettext_noop("withdrawn"))
    return locked


def _new_value_choices(kind: str) -> list[str] | None:
    choices: dict[str, list[str] | None] = {
        K.MEDICAL: list(MedicalExam.Result.values),
        K.ELIGIBILITY: list(Pathway.values),
        K.LIST_STATUS: list(SubmittedList.Status.values),
        K.RANK: list(ARMY_RANKS),
        K.AGE: [str(n) for n in range(0, 100)],
        K.MERGE: None,
    }
    return choices[kind]


@transaction.atomic
def appeal_decide(
    *,
    appeal: Appeal,
    outcome: str,
    decided_on: dt.date,
    reasons: str,
    by: User,
    new_value: str = "",
    ruling: RegisterDecision | None = None,
) -> Appeal:
    """Upheld: the decision stands, nothing else changes. Overturned: the decision is replaced by
    `new_value` (a merge is undone) through the service that made it, never by whoever made it."""
    appeal = _locked(appeal, by)
    if refusal := rules.step_refusal(appeal.status, outcome if outcome in rules.OUTCOMES else S.UPHELD):
        raise AppealRefused(refusal)
    if refusal := rules.outcome_refusal(
        outcome=outcome,
        decided_on=decided_on,
        filed_on=appeal.filed_on,
        hearing_on=appeal.hearing_on,
        today=timezone.localdate(),
        reasons=reasons,
    ):
        field = "reasons" if not reasons.strip() and outcome in rules.OUTCOMES else "decided_on"
        raise AppealRefused(refusal, "outcome" if outcome not in rules.OUTCOMES else field)
    if outcome == S.OVERTURNED:
        if refusal := rules.same_decider_refusal(original_by_id=appeal.decision_by_id, by_id=by.pk):
            raise AppealRefused(refusal)
        if appeal.kind == K.MERGE:
            new_value = "undone"
        elif refusal := rules.new_value_refusal(
            contested=appeal.contested_value,
            new=str(new_value).strip(),
            allowed=_new_value_choices(appeal.kind),
        ):
            raise AppealRefused(refusal, "new_value")
    appeal.status, appeal.decided_by, appeal.decided_on = outcome, by, decided_on
    appeal.reasons, appeal.decided_at = reasons.strip(), timezone.now()
    appeal.new_value = str(new_value).strip() if outcome == S.OVERTURNED else ""
    appeal.ruling = ruling
    reason = gettext_noop("overturned") if outcome == S.OVERTURNED else gettext_noop("upheld")
    fields = ["status", "decided_by", "decided_on", "reasons", "decided_at", "new_value", "ruling"]
    save_audited(appeal, by, fields, reason)
    if outcome == S.OVERTURNED:
        _overturn(appeal, by)
    return appeal


def _overturn(appeal: Appeal, by: User) -> None:
    """The contested decision replaced through its own service (audited there)."""
    from ddr.duplicates.services import merge_undo
    from ddr.eligibility.services import pathway_set
    from ddr.lists.services import list_status_change
    from ddr.screening.services import age_assess, medical_record
    from integration.services import candidate_rank_change

    note = f"appeal {appeal.pk} overturned"
    day, record, new = appeal.decided_on or timezone.localdate(), appeal.decision(), appeal.new_value
    if isinstance(record, Merge):
        merge_undo(merge=record, by=by)
    elif isinstance(record, MedicalExam):
        examiner = (appeal.deciding_body or str(_("Appeal")))[:200]
        medical_record(
            person=record.combatant,
            examined_on=day,
            examiner=examiner,
            result=new,
            final=True,
            note=note,
            by=by,
        )
    elif isinstance(record, AgeAssessment):
        evidence = _("Appeal %(n)s: %(body)s") % {"n": appeal.pk, "body": appeal.deciding_body}
        age_assess(
            person=record.combatant, assessed_on=day, evidence=evidence[:300], assessed_age=int(new), by=by
        )
    elif isinstance(record, SubmittedList):
        list_status_change(submitted=record, status=new, by=by)
    elif isinstance(record, Candidate):
        candidate_rank_change(candidate=record, rank=new, reason=note, by=by)
    elif isinstance(record, Combatant):
        pathway_set(person=record, to=new, reason="appeal_overturned", by=by, note=note)
