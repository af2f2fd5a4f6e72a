"""Weapons and ammunition: hand-in, chain of custody, final disposal, stock checks, reconciliation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from accounts.models import AnyUser, User
from cantonment.sites.models import Site
from cantonment.weapons.models import StockCheck, WamItem
from core.suppression import Base
from ddr.models import ArmedGroup, Combatant, DeclaredWeapon


def items_for(user: AnyUser) -> QuerySet[WamItem]:
    """Items of the user's sites, each with `holder_id`: who handed it in, when the user may see
    that person (else null). Items belong to a site; their holder is shown only through `holder_id`,
    so another region's person or a child is never named by a weapon handed in on one's site."""
    holder = Combatant.objects.for_user(user).filter(pk=OuterRef("combatant_id")).values("pk")[:1]
    return WamItem.objects.for_user(user).annotate(holder_id=Subquery(holder))


def overdue_checks(today: dt.date | None = None) -> Any:
    today = today or timezone.localdate()
    return StockCheck.objects.filter(done_on__isnull=True, due_on__lt=today)


@dataclass(frozen=True)
class MovementReconciliation:
    movement: str
    declared: int
    handed_in: int
    matched: int
    not_handed_in: int


@dataclass(frozen=True)
class Reconciliation:
    by_movement: list[MovementReconciliation]
    by_site: list[tuple[str, int, int]]  # site, weapons, rounds
    undeclared: list[WamItem]  # handed in by someone who never declared that serial
    declared_twice: list[tuple[str, list[str]]]  # serial, registration numbers


@dataclass(frozen=True)
class ReconciliationBase:
    """Analysts' base tables (`core.suppression`): weapons by (movement, site, what) and rounds
    by site, small cells dropped; two standalone counts to pass through `visible`."""

    weapons: Base
    rounds: Base
    undeclared_serials: int
    serials_declared_twice: int


def reconciliation_base(user: User) -> ReconciliationBase:
    declared = DeclaredWeapon.objects.filter(combatant__in=Combatant.objects.for_user(user))
    items = WamItem.objects.for_user(user)
    weapons = items.filter(kind=WamItem.Kind.WEAPON)
    cells: dict[tuple[Any, ...], int] = {}
    for movement, site, undeclared, n in (
        weapons.annotate(undeclared=ExpressionWrapper(Q(declared__isnull=True), output_field=BooleanField()))
        .values_list("combatant__movement__code", "site__name", "undeclared")
        .annotate(n=Count("id"))
        .order_by()
    ):
        what = "anonymous" if movement is None else "undeclared" if undeclared else "matched"
        cells[(movement, site, what)] = cells.get((movement, site, what), 0) + n
    for movement, n in (
        declared.filter(handed_in__isnull=True)
        .values_list("combatant__movement__code")
        .annotate(n=Count("id"))
        .order_by()
    ):
        cells[(movement, None, "not_handed_in")] = n
    rounds = (
        items.filter(kind=WamItem.Kind.AMMUNITION)
        .values_list("site__name")
        .annotate(n=Sum("quantity"))
        .order_by()
    )
    report = reconciliation(user)
    return ReconciliationBase(
        weapons=Base(["movement", "site", "what"], cells),
        rounds=Base(["site"], {(site,): n or 0 for site, n in rounds}),
        undeclared_serials=len(report.undeclared),
        serials_declared_twice=len(report.declared_twice),
    )


def reconciliation(
    user: User, *, movement: ArmedGroup | None = None, site: Site | None = None
) -> Reconciliation:
    """Weapons declared at registration against weapons handed in: a few grouped queries."""
    people = Combatant.objects.for_user(user)
    declared = DeclaredWeapon.objects.filter(combatant__in=people)
    items = items_for(user).filter(kind=WamItem.Kind.WEAPON)
    if movement is not None:
        declared = declared.filter(combatant__movement=movement)
        items = items.filter(combatant__movement=movement)
    if site is not None:
        items = items.filter(site=site)
    declared_rows = {
        r["combatant__movement__code"]: r
        for r in declared.values("combatant__movement__code").annotate(
            # A declared weapon is handed in at most once (serials are unique): a LEFT JOIN counts it.
            n=Count("id"),
            matched=Count("handed_in"),
        )
    }
    handed_rows = {
        r["combatant__movement__code"]: r["n"]
        for r in items.filter(combatant__isnull=False)
        .values("combatant__movement__code")
        .annotate(n=Count("id"))
    }
    by_movement = [
        MovementReconciliation(
            movement=code,
            declared=declared_rows.get(code, {}).get("n", 0),
            handed_in=handed_rows.get(code, 0),
            matched=declared_rows.get(code, {}).get("matched", 0),
            not_handed_in=declared_rows.get(code, {}).get("n", 0)
            - declared_rows.get(code, {}).get("matched", 0),
        )
        for code in sorted(set(declared_rows) | set(handed_rows))
    ]
    all_items = WamItem.objects.for_user(user)
    if site is not None:
        all_items = all_items.filter(site=site)
    if movement is not None:
        all_items = all_items.filter(combatant__movement=movement)
    by_site = [
        (r["site__name"], r["weapons"], r["rounds"] or 0)
        for r in all_items.values("site__name")
        .annotate(
            weapons=Count("id", filter=Q(kind=WamItem.Kind.WEAPON)),
            rounds=Sum("quantity", filter=Q(kind=WamItem.Kind.AMMUNITION)),
        )
        .order_by("site__name")
    ]
    undeclared = list(
        items.filter(combatant__isnull=False, declared__isnull=True)
        .exclude(serial_number="")
        .select_related("combatant", "site", "project")
        .order_by("serial_number")[:500]
    )
    twice = (
        declared.exclude(serial_number="")
        .values("serial_number")
        .annotate(n=Count("id"))  # a person declaring one serial twice is sorted out below
        .filter(n__gt=1)
        .order_by("serial_number")[:500]
    )
    serials = [r["serial_number"] for r in twice]
    holders: dict[str, list[str]] = {s: [] for s in serials}
    for serial, number in declared.filter(serial_number__in=serials).values_list(
        "serial_number", "combatant__registration_number"
    ):
        holders[serial].append(number)
    twice_declared = [(s, sorted(set(holders[s]))) for s in serials if len(set(holders[s])) > 1]
    return Reconciliation(by_movement, by_site, undeclared, twice_declared)


