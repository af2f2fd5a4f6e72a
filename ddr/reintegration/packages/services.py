"""Enrolment in a package (one person, or a whole cohort set-based), the entitlements it gives,
and what follows when they are settled: the enrolment delivered, the person reinserted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from core.audit import save_audited
from core.bulk import insert_with_history
from core.errors import Refused
from ddr.duplicates.models import DuplicatePair
from ddr.registration.models import Combatant
from ddr.reintegration.packages import rules
from ddr.reintegration.packages.models import Component, Enrolment, Entitlement, Package, Phase

S = Combatant.Status
# The statuses from which delivering the short-term package makes a person "reinserted"
# (the case transition table, ddr.eligibility.services.TRANSITIONS).
BEFORE_REINSERTION = (S.ORIENTED, S.DEMOBILISED, S.IN_TRAINING)


class EnrolmentRefused(Refused):
    """The enrolment cannot be made; the message says why. Nothing was changed."""


def package_in_force(code: str, on: dt.date) -> Package | None:
    """The version of package `code` in force on `on`."""
    versions = Package.objects.filter(code=code, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)
    )
    return versions.order_by("-version").first()


def _entitlement_rows(
    enrolments: Iterable[tuple[int, int, dt.date]], components: list[Component]
) -> list[dict[str, Any]]:
    """One entitlement per (enrolment, component): (enrolment id, person id, enrolled on)."""
    return [
        {
            "enrolment_id": enrolment_id,
            "combatant_id": person_id,
            "component_id": component.pk,
            "amount_xof": component.amount_xof,
            "due_on": on + dt.timedelta(days=component.due_after_days),
        }
        for enrolment_id, person_id, on in enrolments
        for component in components
    ]


@transaction.atomic
def enrolment_create(*, person: Combatant, package: Package, on: dt.date, by: User) -> Enrolment:
    """Enrol one person; refused, with the reason, when they may not benefit or the package does
    not serve them."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    in_pair = DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).touching([person.pk]).exists()
    enrolled = Enrolment.objects.filter(combatant=person, package__code=package.code).exists()
    if refusal := rules.package_refusal(person, package, on, in_open_pair=in_pair, enrolled=enrolled):
        raise EnrolmentRefused(refusal)
    enrolment = Enrolment(combatant=person, package=package, enrolled_on=on, enrolled_by=by)
    enrolment._history_user = by  # type: ignore[attr-defined]
    enrolment.save()
    components = list(package.components.all())
    insert_with_history(Entitlement, _entitlement_rows([(enrolment.pk, person.pk, on)], components), user=by)
    return enrolment


@transaction.atomic
def cohort_enrol(*, people: QuerySet[Combatant], package: Package, on: dt.date, by: User) -> tuple[int, int]:
    """Enrol every person of `people` who may be enrolled, set-based; returns (enrolled, left out).
    Those left out are the ones the single enrolment would refuse (children, merged, excluded,
    in an open pair, not served by the package, already enrolled)."""
    if not rules.in_force(package, on):
        raise EnrolmentRefused(
            str(rules.MESSAGES[rules.NOT_IN_FORCE]) % {"package": package, "on": on.strftime("%d/%m/%Y")}
        )
    total = people.count()
    ids = list(people.filter(rules.may_enrol_q(package)).order_by("pk").values_list("pk", flat=True))
    enrolment_ids = insert_with_history(
        Enrolment,
        [
            {"combatant_id": pk, "package_id": package.pk, "enrolled_on": on, "enrolled_by_id": by.pk}
            for pk in ids
        ],
        user=by,
        reason="cohort",
    )
    components = list(package.components.all())
    rows = _entitlement_rows(((e, p, on) for e, p in zip(enrolment_ids, ids, strict=True)), components)
    insert_with_history(Entitlement, rows, user=by, reason="cohort")
    return len(ids), total - len(ids)


@transaction.atomic
def enrolment_drop(*, enrolment: Enrolment, on: dt.date, reason: str, by: User) -> Enrolment:
    """The person dropped out: the enrolment says why, and what was not yet paid is cancelled."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise EnrolmentRefused(_("Only an active enrolment can be dropped."))
    if not reason.strip():
        raise EnrolmentRefused(_("Say why the person dropped out."))
    if on < enrolment.enrolled_on:
        raise EnrolmentRefused(_("A dropout cannot be dated before the enrolment."))
    enrolment.status, enrolment.dropped_on, enrolment.dropout_reason = Enrolment.Status.DROPPED, on, reason
    save_audited(enrolment, by, ["status", "dropped_on", "dropout_reason"])
    for entitlement in enrolment.entitlements.filter(state=Entitlement.State.DUE):
        entitlement.state = Entitlement.State.CANCELLED
        save_audited(entitlement, by, ["state"], "dropout")
    return enrolment


def enrolments_settle(*, enrolment_ids: Iterable[int], by: User, reason: str = "") -> tuple[int, int]:
    """After entitlements were paid or handed over: each enrolment whose every entitlement is
    settled (paid, delivered or cancelled) is delivered; people whose short-term package is
    delivered become "reinserted". Set-based; returns (enrolments delivered, people reinserted).
    Call inside the transaction that settled the entitlements."""
    from ddr.eligibility.services import case_transition

    open_states = (Entitlement.State.DUE, Entitlement.State.IN_BATCH)
    done = list(
        Enrolment.objects.filter(pk__in=list(enrolment_ids), status=Enrolment.Status.ACTIVE)
        .select_related("package")
        .annotate(left=Count("entitlements", filter=Q(entitlements__state__in=open_states)))
        .filter(left=0)
    )
    if not done:
        return 0, 0
    for enrolment in done:
        enrolment.status = Enrolment.Status.COMPLETED
    bulk_update_with_history(
        done, Enrolment, ["status"], batch_size=1000, default_user=by, default_change_reason=reason[:100]
    )
    short_term = [e.combatant_id for e in done if e.package.phase == Phase.REINSERTION]
    people = Combatant.objects.filter(pk__in=short_term, status__in=BEFORE_REINSERTION)
    moved = case_transition(people=people, to=S.REINSERTED, by=by, reason=reason or "package delivered")
    return len(done), moved
