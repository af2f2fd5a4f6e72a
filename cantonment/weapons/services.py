"""Weapons and ammunition: hand-in, chain of custody, final disposal, stock checks, reconciliation."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import (
    Exists,
    OuterRef,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from cantonment.sites.models import Site
from cantonment.sites.services import CantonmentRefused
from cantonment.weapons.models import CustodyEvent, StockCheck, StockCheckLine, StorageLocation, WamItem
from core.audit import save_audited
from core.dates import shown_date
from ddr.models import Combatant, DeclaredWeapon

if TYPE_CHECKING:
    from cvr.models import Project

WEEKLY_SHARE = 0.10  # IDDRS 4.10: a random tenth of the serials held, every week
FULL_CHECK_EVERY = dt.timedelta(days=182)
CHECK_DELAY = dt.timedelta(days=7)  # a check list is due a week after it is generated


def serial_key(serial: str) -> str:
    """Serials as stamped: upper case, without the spaces and dashes people type between groups."""
    return "".join(ch for ch in serial.upper() if ch.isalnum())


# --- hand-in and custody ------------------------------------------------------------------


def _check_place(
    site: Site | None, location: StorageLocation, collection_place: str, project: Project | None
) -> None:
    """Where a hand-in was received agrees with where it is stored and who collected it."""
    if site is None and not collection_place:
        raise CantonmentRefused(_("Name the site, or the place of collection outside the sites."), "site")
    if site is not None and location.region_id != site.region_id:
        raise CantonmentRefused(_("The storage location must be in the site's region."), "location")
    if project is not None:
        if not project.with_wam:
            raise CantonmentRefused(
                _("Project %(code)s has no weapons and ammunition component.") % {"code": project.code},
                "project",
            )
        if project.region_id != location.region_id:
            raise CantonmentRefused(_("The storage location must be in the project's region."), "location")


@transaction.atomic
def hand_in(
    *,
    site: Site | None,
    location: StorageLocation,
    kind: str,
    received_on: dt.date,
    custodian: str,
    by: User,
    person: Combatant | None = None,
    weapon_type: str = "",
    calibre: str = "",
    serial_number: str = "",
    quantity: int = 1,
    condition: str = DeclaredWeapon.Condition.UNKNOWN,
    collection_place: str = "",
    project: Project | None = None,
) -> WamItem:
    """Register a weapon or lot of ammunition handed in, linked to the weapon its holder declared:
    on a site, or outside the sites at a collection point (a CVR project's WAM component)."""
    serial = serial_key(serial_number)
    collection_place = collection_place.strip()
    if received_on > timezone.localdate():
        raise CantonmentRefused(_("A hand-in cannot be dated in the future."), "received_on")
    _check_place(site, location, collection_place, project)
    if kind == WamItem.Kind.WEAPON:
        quantity = 1
        if serial:
            existing = WamItem.objects.filter(kind=WamItem.Kind.WEAPON, serial_number=serial).first()
            if existing:
                raise CantonmentRefused(
                    _("Serial %(serial)s was already handed in on %(d)s (receipt %(receipt)s).")
                    % {"serial": serial, "d": existing.received_on, "receipt": existing.receipt_number},
                    "serial_number",
                )
    elif quantity < 1:
        raise CantonmentRefused(_("An ammunition lot holds at least one round."), "quantity")
    declared = None
    if person is not None and serial:
        declared = next(
            (w for w in person.weapons.exclude(serial_number="") if serial_key(w.serial_number) == serial),
            None,
        )
    item = WamItem(
        kind=kind,
        weapon_type=weapon_type if kind == WamItem.Kind.WEAPON else "",
        calibre=calibre,
        serial_number=serial if kind == WamItem.Kind.WEAPON else "",
        quantity=quantity,
        condition=condition,
        combatant=person,
        declared=declared,
        site=site,
        collection_place="" if site is not None else collection_place,
        project=project,
        received_on=received_on,
        received_by=by,
        location=location,
        custodian=custodian,
    )
    item._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # a concurrent hand-in of the same serial
        raise CantonmentRefused(
            _("Serial %(serial)s was already handed in.") % {"serial": serial}, "serial_number"
        ) from exc
    CustodyEvent.objects.create(
        item=item,
        kind=CustodyEvent.Kind.RECEIVED,
        on=received_on,
        to_location=location,
        to_custodian=custodian,
        recorded_by=by,
    )
    return item


def _held(item: WamItem) -> WamItem:
    item = WamItem.objects.select_for_update().select_related("location").get(pk=item.pk)
    if not item.is_held:
        raise CantonmentRefused(
            _("%(item)s is no longer held: %(status)s.")
            % {"item": item.receipt_number, "status": item.get_status_display()}
        )
    return item


@transaction.atomic
def transfer(
    *,
    item: WamItem,
    from_location: StorageLocation,
    to_location: StorageLocation,
    custodian: str,
    on: dt.date,
    by: User,
    reference: str = "",
) -> CustodyEvent:
    """Move an item to another place or custodian; only from where it actually is."""
    item = _held(item)
    if item.location_id != from_location.pk:
        raise CantonmentRefused(
            _("%(from)s does not hold %(item)s: it is at %(at)s.")
            % {"from": from_location, "item": item.receipt_number, "at": item.location},
            "from_location",
        )
    if to_location.pk == from_location.pk and custodian == item.custodian:
        raise CantonmentRefused(_("Nothing changes: same place, same custodian."), "to_location")
    last = item.custody.order_by("-on", "-id").first()
    if last and on < last.on:
        raise CantonmentRefused(
            _("A transfer cannot be dated before the last custody event (%(d)s).")
            % {"d": shown_date(last.on)},
            "on",
        )
    event = CustodyEvent.objects.create(
        item=item,
        kind=CustodyEvent.Kind.TRANSFER,
        on=on,
        from_location=from_location,
        to_location=to_location,
        from_custodian=item.custodian,
        to_custodian=custodian,
        reference=reference,
        recorded_by=by,
    )
    item.location, item.custodian = to_location, custodian
    save_audited(item, by, ["location", "custodian"], f"transfer {reference}"[:100])
    return event


@transaction.atomic
def dispose(*, item: WamItem, how: str, reference: str, on: dt.date, by: User) -> CustodyEvent:
    """Final disposal: destroyed, or transferred to the national forces, always with a reference."""
    item = _held(item)
    if how not in (WamItem.Status.DESTROYED, WamItem.Status.TRANSFERRED):
        raise CantonmentRefused(_("Unknown disposal."), "how")
    if not reference.strip():
        raise CantonmentRefused(_("A final disposal needs its reference (record or decision)."), "reference")
    event = CustodyEvent.objects.create(
        item=item,
        kind=CustodyEvent.Kind.DISPOSAL,
        on=on,
        from_location=item.location,
        from_custodian=item.custodian,
        to_custodian=str(WamItem.Status(how).label),
        reference=reference,
        recorded_by=by,
    )
    item.status, item.disposed_on, item.disposal_reference = how, on, reference
    save_audited(item, by, ["status", "disposed_on", "disposal_reference"], f"disposal {reference}"[:100])
    return event


# --- stock checks -------------------------------------------------------------------------


@transaction.atomic
def stock_checks_generate(today: dt.date | None = None, rng: random.Random | None = None) -> int:
    """This week's sample check for every location holding weapons, and a full check where the
    last one is six months old. Idempotent: a week's check is generated once."""
    today = today or timezone.localdate()
    rng = rng or random.SystemRandom()
    week_start = today - dt.timedelta(days=today.weekday())
    made = 0
    held = WamItem.objects.filter(status=WamItem.Status.HELD)
    for location in StorageLocation.objects.filter(Exists(held.filter(location=OuterRef("pk")))):
        items = list(held.filter(location=location).values_list("pk", "kind"))
        serials = [pk for pk, kind in items if kind == WamItem.Kind.WEAPON]
        if (
            serials
            and not location.checks.filter(kind=StockCheck.Kind.WEEKLY, generated_on__gte=week_start).exists()
        ):
            sample = rng.sample(serials, math.ceil(len(serials) * WEEKLY_SHARE))
            made += _check_list(location, StockCheck.Kind.WEEKLY, today, sample)
        if not location.checks.filter(
            kind=StockCheck.Kind.FULL, generated_on__gt=today - FULL_CHECK_EVERY
        ).exists():
            made += _check_list(location, StockCheck.Kind.FULL, today, [pk for pk, _kind in items])
    return made


def _check_list(location: StorageLocation, kind: str, today: dt.date, item_ids: list[int]) -> int:
    check = StockCheck.objects.create(
        location=location, kind=kind, generated_on=today, due_on=today + CHECK_DELAY
    )
    lines = [StockCheckLine(check_list=check, item_id=pk) for pk in sorted(item_ids)]
    bulk_create_with_history(
        lines, StockCheckLine, default_change_reason=gettext_noop("stock check generated")
    )
    return 1


@transaction.atomic
def stock_check_record(
    *, check: StockCheck, results: dict[int, tuple[str, str]], on: dt.date, by: User
) -> StockCheck:
    """Record every line of a check list (found, missing, discrepancy with a note); all or nothing."""
    check = StockCheck.objects.select_for_update().get(pk=check.pk)
    if check.done_on:
        raise CantonmentRefused(_("This check was already recorded on %(d)s.") % {"d": check.done_on})
    lines = list(check.lines.all())
    missing = [
        line for line in lines if results.get(line.pk, ("", ""))[0] not in StockCheckLine.Result.values[1:]
    ]
    if missing:
        raise CantonmentRefused(
            _("%(n)s lines have no result: every line must be checked.") % {"n": len(missing)}
        )
    unexplained = [
        line
        for line in lines
        if results[line.pk][0] == StockCheckLine.Result.DISCREPANCY and not results[line.pk][1].strip()
    ]
    if unexplained:
        raise CantonmentRefused(_("Describe each discrepancy."))
    for line in lines:
        line.result, line.note = results[line.pk][0], results[line.pk][1].strip()[:300]
    bulk_update_with_history(lines, StockCheckLine, ["result", "note"], default_user=by)
    check.done_on, check.done_by = on, by
    save_audited(check, by, ["done_on", "done_by"])
    return check


# --- reconciliation -----------------------------------------------------------------------
