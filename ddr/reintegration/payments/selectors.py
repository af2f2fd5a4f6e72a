"""Reads of payments and distributions: what is due, batches and their lines as a user may see
them, the person behind a card, and entitlements settled twice after a merge."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce

from accounts.models import AnyUser
from core.models import Region
from ddr.duplicates.models import Merge
from ddr.registration.benefit import may_benefit_q
from ddr.registration.models import Combatant, card_token_for
from ddr.reintegration.packages.models import Delivery, Enrolment, Entitlement, Package
from ddr.reintegration.payments.models import Distribution, PaymentBatch, PaymentLine

E = Entitlement.State
# What a card's QR code holds (ddr.registration.models.card_token_for).
TOKEN = re.compile(r"^DDR-[0-9A-F]{20}$")


def due_cash(
    user: AnyUser,
    *,
    due_by: dt.date,
    region: Region | None = None,
    package: Package | None = None,
    component_kind: str = "",
) -> QuerySet[Entitlement]:
    """Cash entitlements a batch may pay: due by `due_by`, of an active enrolment, of a person
    `user` may see and who may still benefit (not a child, merged, excluded or deceased)."""
    due = (
        Entitlement.objects.for_user(user)
        .filter(
            state=E.DUE,
            component__delivery=Delivery.CASH,
            due_on__lte=due_by,
            enrolment__status=Enrolment.Status.ACTIVE,
        )
        .filter(may_benefit_q("combatant__"))
    )
    if region is not None:
        due = due.filter(combatant__region=region)
    if package is not None:
        due = due.filter(enrolment__package=package)
    if component_kind:
        due = due.filter(component__kind=component_kind)
    return due


def with_mobile_money(entitlements: QuerySet[Entitlement]) -> QuerySet[Entitlement]:
    """Those whose person has a mobile-money number to be paid on."""
    return entitlements.filter(combatant__profile__mobile_money__gt="")


def batches_for(user: AnyUser) -> QuerySet[PaymentBatch]:
    """Batches `user` sees: a regional officer, their region's; national staff, every batch."""
    return PaymentBatch.objects.for_user(user).select_related("region", "prepared_by", "approved_by")


def lines_for(batch: PaymentBatch, user: AnyUser) -> QuerySet[PaymentLine]:
    """The batch's lines of the people `user` may see, with what a page shows of each."""
    return (
        PaymentLine.objects.for_user(user)
        .filter(batch=batch)
        .select_related("combatant", "entitlement__component")
        .order_by("reference")
    )


def batch_totals(batch: PaymentBatch) -> dict[str, dict[str, int]]:
    """Lines and amounts of the batch by status (the whole batch: these are counts, no names)."""
    rows = (
        PaymentLine.objects.filter(batch=batch)
        .values("status")
        .annotate(n=Count("id"), xof=Sum("amount_xof"))
    )
    return {r["status"]: {"n": r["n"], "xof": r["xof"] or 0} for r in rows.order_by()}


# --- the person behind a card -------------------------------------------------------------


def person_for_token(token: str, user: AnyUser) -> Combatant | None:
    """The person `user` may see whose card holds `token`, among those a distribution can
    concern: people with an entitlement in kind, and merged records (so that their old card is
    recognised and refused). The token is a keyed hash of the person's id: each candidate's is
    computed (about a microsecond each), nothing about the card is stored."""
    token = token.strip().upper()
    if not TOKEN.match(token):
        return None
    in_kind = Entitlement.objects.filter(combatant=OuterRef("pk"), component__delivery=Delivery.IN_KIND)
    candidates = Combatant.objects.for_user(user).filter(Q(Exists(in_kind)) | Q(merged_into__isnull=False))
    for pk in candidates.values_list("pk", flat=True).iterator(chunk_size=10_000):
        if card_token_for(pk) == token:
            return Combatant.objects.select_related("region", "merged_into").get(pk=pk)
    return None


def due_in_kind(person: Combatant) -> QuerySet[Entitlement]:
    """The person's entitlements in kind still to hand over (of an active enrolment)."""
    return (
        Entitlement.objects.filter(
            combatant=person,
            state=E.DUE,
            component__delivery=Delivery.IN_KIND,
            enrolment__status=Enrolment.Status.ACTIVE,
        )
        .select_related("component__package", "component__trade")
        .order_by("due_on", "pk")
    )


def handed_over(person: Combatant) -> QuerySet[Distribution]:
    return Distribution.objects.filter(combatant=person).select_related(
        "entitlement__component", "handed_over_by"
    )


# --- paid twice -----------------------------------------------------------------------------


def paid_twice(user: AnyUser) -> QuerySet[Entitlement]:
    """Entitlements settled (paid or handed over) more than once to one person counted as the
    records merged into them: same package code, component kind and position. Each row is one
    of the settlements; `person_id` is the record kept, `times` how often it was settled.
    Merges undone are not counted. Records of people `user` may not see are left out."""
    kept = Merge.objects.filter(undone_at__isnull=True, absorbed=OuterRef("combatant_id")).values("kept_id")[
        :1
    ]
    group = [F("person_id"), F("component__package__code"), F("component__kind"), F("component__position")]
    settled = (
        Entitlement.objects.for_user(user)
        .filter(state__in=[E.PAID, E.DELIVERED])
        .annotate(person_id=Coalesce(Subquery(kept), F("combatant_id"), output_field=BigIntegerField()))
        .annotate(times=Window(Count("id"), partition_by=group))
    )
    return (
        settled.filter(times__gt=1)
        .select_related("combatant", "component__package")
        .order_by("person_id", "component__package__code", "component__position", "settled_on", "pk")
    )


def recovery_rows(entitlements: Iterable[Entitlement]) -> list[dict[str, Any]]:
    """The paid-twice list as a page shows it: the settlements of each group, the first one
    kept and each later one to recover, with how it was settled (payment line or hand-over)."""
    items = list(entitlements)
    ids = [e.pk for e in items]
    lines = dict(
        PaymentLine.objects.filter(entitlement_id__in=ids, status=PaymentLine.Status.PAID).values_list(
            "entitlement_id", "reference"
        )
    )
    places = dict(Distribution.objects.filter(entitlement_id__in=ids).values_list("entitlement_id", "place"))
    kept_people = Combatant.objects.in_bulk({e.person_id for e in items})  # type: ignore[attr-defined]
    rows: list[dict[str, Any]] = []
    previous: tuple[Any, ...] | None = None
    for e in items:
        key = (e.person_id, e.component.package.code, e.component.kind, e.component.position)  # type: ignore[attr-defined]
        rows.append(
            {
                "entitlement": e,
                "person": kept_people.get(e.person_id),  # type: ignore[attr-defined]
                "first": key != previous,
                "how": lines.get(e.pk) or places.get(e.pk, ""),
            }
        )
        previous = key
    return rows


# --- the person's page ------------------------------------------------------------------------


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of this part (templates/ddr/reintegration/_person_payments.html):
    their payment lines and the hand-overs in kind."""
    lines = (
        PaymentLine.objects.for_user(user)
        .filter(combatant=person)
        .select_related("batch", "entitlement__component__package")
        .order_by("-batch__prepared_at", "reference")
    )
    distributions = (
        Distribution.objects.for_user(user)
        .filter(combatant=person)
        .select_related("entitlement__component__package", "handed_over_by")
    )
    return {"payment_lines": list(lines), "distributions": list(distributions)}
