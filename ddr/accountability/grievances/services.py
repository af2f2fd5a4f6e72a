"""Grievance services: receiving one (its deadlines from the category's table), each step of its
handling (acknowledge, assign, refer, resolve, reopen, close), each locked, checked, audited and
written as a dated event; and the job that flags the overdue steps (set-based, idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from cantonment.models import Site
from core.audit import save_audited
from core.errors import Refused
from core.models import Region
from cvr.models import Project
from ddr.accountability.grievances import rules as R
from ddr.accountability.grievances import selectors
from ddr.accountability.grievances.models import (
    OPEN,
    TARGETS,
    Accepted,
    Channel,
    Complainant,
    Grievance,
    GrievanceCategory,
    GrievanceEvent,
    Subject,
    Urgency,
)
from ddr.models import ArmedGroup, Combatant, PaymentLine, SubmittedList
from integration.models import Unit

St = Grievance.Status
Kind = GrievanceEvent.Kind


class GrievanceRefused(Refused):
    """The grievance cannot be recorded or moved so; the message says why. Nothing was changed."""


def _event(grievance: Grievance, kind: str, at: dt.datetime, by: User | None, note: str = "") -> None:
    event = GrievanceEvent(grievance=grievance, kind=kind, at=at, by=by, note=note[:500])
    event._history_user = by  # type: ignore[attr-defined]
    event.save()


def _refuse(problems: list[tuple[str, str | Promise]]) -> None:
    if problems:
        field, message = problems[0]
        raise GrievanceRefused(message, field)


def _choice(value: str, choices: type[models.TextChoices], field: str) -> None:
    if value not in choices.values:
        raise GrievanceRefused(_("Choose one of the values offered."), field)


def _target_region(target: Any) -> Region | None:
    if isinstance(target, PaymentLine):
        return target.combatant.region
    if isinstance(target, Combatant | Site | Unit | Project):
        return target.region
    if isinstance(target, User):
        return target.region
    return None


def _check_targets(subject_kind: str, targets: dict[str, Any], by: User) -> Any:
    """The one target of its kind, which the receiver may see; refused otherwise."""
    field = TARGETS[subject_kind]
    for name, value in targets.items():
        if name != field and value is not None:
            raise GrievanceRefused(_("Give only the record the grievance is about."), name)
    target = targets.get(field)
    if target is None:
        raise GrievanceRefused(_("Say which record the grievance is about."), field)
    scoped: dict[str, Any] = {
        "subject_person": Combatant.objects.for_user(by),
        "subject_list": SubmittedList.objects.all(),
        "subject_site": Site.objects.for_user(by),
        "subject_unit": Unit.objects.for_user(by),
        "subject_project": Project.objects.for_user(by),
        "subject_payment": PaymentLine.objects.for_user(by),
        "against": User.objects.filter(is_active=True).exclude(role=Role.ANALYST),
    }
    if not scoped[field].filter(pk=target.pk).exists():
        raise GrievanceRefused(_("This record is not one you may name."), field)
    return target


@transaction.atomic
def grievance_receive(
    *,
    received_on: dt.datetime,
    channel: str,
    complainant_kind: str,
    subject_kind: str,
    category: str,
    description: str,
    by: User,
    complainant_person: Combatant | None = None,
    complainant_movement: ArmedGroup | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    subject_person: Combatant | None = None,
    subject_list: SubmittedList | None = None,
    subject_site: Site | None = None,
    subject_unit: Unit | None = None,
    subject_project: Project | None = None,
    subject_payment: PaymentLine | None = None,
    against: User | None = None,
    urgency: str = Urgency.NORMAL,
    region: Region | None = None,
    sensitive: bool = False,
    acknowledge_by: dt.datetime | None = None,
    answer_by: dt.datetime | None = None,
) -> Grievance:
    """Record a grievance as received: its deadlines from its category's table (unless given),
    its region from what it is about (or the complainant, or as given). Refused, nothing written:
    an anonymous grievance with a contact, a deadline before the receipt, a receipt in the
    future, a target missing or of another kind, a registered complainant missing."""
    now = timezone.now()
    _choice(channel, Channel, "channel")
    _choice(complainant_kind, Complainant, "complainant_kind")
    _choice(subject_kind, Subject, "subject_kind")
    _choice(category, GrievanceCategory, "category")
    _choice(urgency, Urgency, "urgency")
    _refuse(
        R.receipt_problems(
            received_on=received_on,
            now=now,
            complainant_kind=complainant_kind,
            contact_name=contact_name,
            contact_phone=contact_phone,
            acknowledge_by=acknowledge_by,
            answer_by=answer_by,
        )
    )
    if complainant_kind in (Complainant.PERSON, Complainant.FAMILY) and complainant_person is not None:
        if not Combatant.objects.for_user(by).filter(pk=complainant_person.pk).exists():
            raise GrievanceRefused(_("This record is not one you may name."), "complainant_person")
    elif complainant_person is not None:
        raise GrievanceRefused(
            _("Only a registered person or their family is linked to a person of the register."),
            "complainant_person",
        )
    if complainant_kind == Complainant.PERSON and complainant_person is None:
        raise GrievanceRefused(_("Say which registered person complains."), "complainant_person")
    if complainant_kind == Complainant.MOVEMENT and complainant_movement is None:
        raise GrievanceRefused(_("Say which movement complains."), "complainant_movement")
    if complainant_kind != Complainant.MOVEMENT:
        complainant_movement = None
    targets = {
        "subject_person": subject_person,
        "subject_list": subject_list,
        "subject_site": subject_site,
        "subject_unit": subject_unit,
        "subject_project": subject_project,
        "subject_payment": subject_payment,
        "against": against,
    }
    target = _check_targets(subject_kind, targets, by)
    if against is not None and against.pk == by.pk:
        raise GrievanceRefused(_("A grievance against you is received by someone else."), "against")
    region = _target_region(target) or (complainant_person.region if complainant_person else None) or region
    if by.role == Role.REGIONAL_OFFICER and region is not None and region.pk != by.region_id:
        raise GrievanceRefused(_("You receive the grievances of your region only."), "region")
    if by.role == Role.REGIONAL_OFFICER and region is None:
        region = by.region
    deadlines = selectors.deadlines_for(category)
    grievance = Grievance(
        received_on=received_on,
        channel=channel,
        complainant_kind=complainant_kind,
        complainant_person=complainant_person,
        complainant_movement=complainant_movement,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        subject_kind=subject_kind,
        category=category,
        sensitive=R.is_sensitive(category, sensitive),
        urgency=urgency,
        region=region,
        description=description.strip(),
        acknowledge_by=acknowledge_by or deadlines.acknowledge_by(received_on),
        answer_by=answer_by or deadlines.answer_by(received_on),
        created_by=by,
        **{TARGETS[subject_kind]: target},
    )
    if not grievance.description:
        raise GrievanceRefused(_("Write what the grievance says."), "description")
    grievance._history_user = by  # type: ignore[attr-defined]
    grievance.save()
    _event(grievance, Kind.RECEIVED, received_on, by, str(grievance.get_channel_display()))
    return grievance


def _lock(grievance: Grievance, to: str, by: User) -> Grievance:
    """The grievance under a row lock, if `by` may read it and its status may go `to`."""
    locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
    if not selectors.may_read(by, locked):
        raise GrievanceRefused(_("You may not handle this grievance."))
    if not R.may_go(locked.status, to):
        raise GrievanceRefused(
            _("A grievance “%(status)s” cannot be moved to “%(to)s”.")
            % {"status": locked.get_status_display(), "to": St(to).label}
        )
    return locked


def _when(grievance: Grievance, at: dt.datetime | None) -> dt.datetime:
    at = at or timezone.now()
    if at < grievance.received_on:
        raise GrievanceRefused(_("A step cannot be dated before the grievance was received."), "at")
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise GrievanceRefused(_("A step cannot be dated in the future."), "at")
    return at


@transaction.atomic
def grievance_acknowledge(
    *, grievance: Grievance, by: User, at: dt.datetime | None = None, note: str = ""
) -> Grievance:
    """The complainant was told the grievance was received: its overdue flag goes."""
    grievance = _lock(grievance, St.ACKNOWLEDGED, by)
    at = _when(grievance, at)
    grievance.status, grievance.acknowledged_at, grievance.acknowledge_overdue = St.ACKNOWLEDGED, at, False
    save_audited(
        grievance, by, ["status", "acknowledged_at", "acknowledge_overdue"], gettext_noop("acknowledged")
    )
    _event(grievance, Kind.ACKNOWLEDGED, at, by, note)
    return grievance


@transaction.atomic
def grievance_assign(*, grievance: Grievance, assignee: User, by: User, note: str = "") -> Grievance:
    """Give an open grievance to someone who may read it (never the one it is against); an
    acknowledged or reopened one is then in progress."""
    grievance = Grievance.objects.select_for_update().get(pk=grievance.pk)
    if not selectors.may_read(by, grievance):
        raise GrievanceRefused(_("You may not handle this grievance."))
    if grievance.status not in OPEN:
        raise GrievanceRefused(_("Only an open grievance is assigned."))
    if not selectors.handlers_for(grievance).filter(pk=assignee.pk).exists() or not selectors.may_read(
        assignee, grievance
    ):
        raise GrievanceRefused(
            _("%(name)s may not read this grievance: choose someone else.")
            % {"name": assignee.get_full_name() or assignee.username},
            "assignee",
        )
    grievance.assigned_to = assignee
    fields = ["assigned_to"]
    if grievance.status in (St.ACKNOWLEDGED, St.REOPENED):
        grievance.status = St.IN_PROGRESS
        fields.append("status")
    save_audited(grievance, by, fields, gettext_noop("assigned"))
    _event(grievance, Kind.ASSIGNED, timezone.now(), by, assignee.get_full_name() or assignee.username)
    return grievance


@transaction.atomic
def grievance_refer(
    *, grievance: Grievance, referred_to: str, by: User, at: dt.datetime | None = None
) -> Grievance:
    """Refer to another body (the CNDDR, a medical board, the police, a protection partner)."""
    if not referred_to.strip():
        raise GrievanceRefused(_("Say to which body the grievance is referred."), "referred_to")
    grievance = _lock(grievance, St.REFERRED, by)
    at = _when(grievance, at)
    grievance.status, grievance.referred_to, grievance.referred_on = St.REFERRED, referred_to.strip(), at
    save_audited(grievance, by, ["status", "referred_to", "referred_on"], gettext_noop("referred"))
    _event(grievance, Kind.REFERRED, at, by, grievance.referred_to)
    return grievance


@transaction.atomic
def grievance_resolve(
    *,
    grievance: Grievance,
    answer: str,
    accepted: str = Accepted.UNKNOWN,
    by: User,
    at: dt.datetime | None = None,
) -> Grievance:
    """The answer given to the complainant, and whether they accepted it: both overdue flags go
    (an answer acknowledges too)."""
    if not answer.strip():
        raise GrievanceRefused(_("Write the answer given to the complainant."), "answer")
    _choice(accepted, Accepted, "accepted")
    grievance = _lock(grievance, St.RESOLVED, by)
    at = _when(grievance, at)
    grievance.status, grievance.resolved_on = St.RESOLVED, at
    grievance.answer, grievance.accepted = answer.strip(), accepted
    grievance.acknowledged_at = grievance.acknowledged_at or at
    grievance.acknowledge_overdue = grievance.answer_overdue = False
    fields = ["status", "resolved_on", "answer", "accepted", "acknowledged_at"]
    save_audited(grievance, by, [*fields, "acknowledge_overdue", "answer_overdue"], gettext_noop("resolved"))
    _event(grievance, Kind.RESOLVED, at, by, str(Accepted(accepted).label))
    return grievance


@transaction.atomic
def grievance_reopen(
    *, grievance: Grievance, reason: str, by: User, at: dt.datetime | None = None
) -> Grievance:
    """Reopen a resolved grievance (the answer was not accepted, something new): a new answer is
    due within the category's time, counted from now."""
    if not reason.strip():
        raise GrievanceRefused(_("Say why the grievance is reopened."), "reason")
    grievance = _lock(grievance, St.REOPENED, by)
    at = _when(grievance, at)
    grievance.status, grievance.reopen_reason = St.REOPENED, reason.strip()[:500]
    grievance.resolved_on, grievance.answer_overdue = None, False
    grievance.answer_by = selectors.deadlines_for(grievance.category).answer_by(at)
    fields = ["status", "reopen_reason", "resolved_on", "answer_overdue", "answer_by"]
    save_audited(grievance, by, fields, gettext_noop("reopened"))
    _event(grievance, Kind.REOPENED, at, by, grievance.reopen_reason)
    return grievance


@transaction.atomic
def grievance_close(*, grievance: Grievance, by: User, at: dt.datetime | None = None) -> Grievance:
    """Close a resolved grievance: nothing more is done."""
    grievance = _lock(grievance, St.CLOSED, by)
    at = _when(grievance, at)
    grievance.status, grievance.closed_on = St.CLOSED, at
    save_audited(grievance, by, ["status", "closed_on"], gettext_noop("closed"))
    _event(grievance, Kind.CLOSED, at, by)
    return grievance


@transaction.atomic
def grievances_flag_overdue(now: dt.datetime | None = None) -> dict[str, int]:
    """Flag the steps past their deadline (not acknowledged; open and not answered), each with an
    event on its grievance, and clear a flag whose step is done (a step recorded by any other path).
    Set-based: a few UPDATEs whatever the number of grievances. Running it again changes nothing."""
    now = now or timezone.now()
    late_ack = Grievance.objects.filter(status=St.RECEIVED, acknowledge_overdue=False, acknowledge_by__lt=now)
    late_answer = Grievance.objects.filter(status__in=OPEN, answer_overdue=False, answer_by__lt=now)
    ack_ids = list(late_ack.values_list("pk", flat=True))
    answer_ids = list(late_answer.values_list("pk", flat=True))
    Grievance.objects.filter(pk__in=ack_ids).update(acknowledge_overdue=True)
    Grievance.objects.filter(pk__in=answer_ids).update(answer_overdue=True)
    events = [
        GrievanceEvent(grievance_id=pk, kind=Kind.OVERDUE, at=now, note="acknowledgement") for pk in ack_ids
    ] + [GrievanceEvent(grievance_id=pk, kind=Kind.OVERDUE, at=now, note="answer") for pk in answer_ids]
    bulk_create_with_history(
        events, GrievanceEvent, batch_size=1000, default_change_reason=gettext_noop("overdue")
    )
    cleared = Grievance.objects.filter(Q(acknowledge_overdue=True) & ~Q(status=St.RECEIVED)).update(
        acknowledge_overdue=False
    )
    cleared += Grievance.objects.filter(Q(answer_overdue=True) & ~Q(status__in=OPEN)).update(
        answer_overdue=False
    )
    return {"acknowledgement": len(ack_ids), "answer": len(answer_ids), "cleared": cleared}
