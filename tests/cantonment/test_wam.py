"""Weapons and ammunition: hand-in, chain of custody, disposal, stock checks, reconciliation; and
equipment handed over to a national authority."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

import pytest
from django.utils import timezone, translation

from accounts.models import User
from cantonment.inventory import services as inventory
from cantonment.inventory.models import HandedOverError
from cantonment.models import CustodyEvent, InventoryItem, StockCheck, StorageLocation, WamItem
from cantonment.sites.services import CantonmentRefused
from cantonment.weapons import selectors as weapons_selectors
from cantonment.weapons import services as weapons
from ddr.models import DeclaredWeapon

from ..factories import CombatantFactory, SiteFactory, group, region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Refusals are matched on their English text here; the pages' tests read them in French."""
    with translation.override("en"):
        yield


TODAY = timezone.localdate()


@pytest.fixture
def site() -> Any:
    return SiteFactory.create(name="Fafa")


@pytest.fixture
def armoury(site: Any) -> StorageLocation:
    return StorageLocation.objects.create(name="Armurerie Fafa", region=site.region, site=site)


def _hand_in(site: Any, location: Any, by: User, **kwargs: Any) -> WamItem:
    values = {
        "kind": WamItem.Kind.WEAPON,
        "weapon_type": "assault_rifle",
        "calibre": "7.62",
        "custodian": "Sgt Diarra",
    }
    return weapons.hand_in(site=site, location=location, received_on=TODAY, by=by, **{**values, **kwargs})


def test_hand_in_links_the_weapon_declared_at_registration_by_serial(
    site: Any, armoury: Any, commission_officer: Any
) -> None:
    person = CombatantFactory.create()
    declared = DeclaredWeapon.objects.create(
        combatant=person, kind="assault_rifle", serial_number="ak-47 1234"
    )
    item = _hand_in(site, armoury, commission_officer, person=person, serial_number="AK47-1234")
    assert item.serial_number == "AK471234" and item.declared == declared
    received = item.custody.get()
    assert (received.kind, received.to_location) == (CustodyEvent.Kind.RECEIVED, armoury)
    # The same serial cannot be handed in twice, however it is typed.
    with pytest.raises(CantonmentRefused, match="already handed in"):
        _hand_in(site, armoury, commission_officer, serial_number="ak47 1234")
    assert WamItem.objects.count() == 1


def test_ammunition_lots_carry_their_quantity(site: Any, armoury: Any, commission_officer: Any) -> None:
    lot = _hand_in(
        site, armoury, commission_officer, kind=WamItem.Kind.AMMUNITION, quantity=240, weapon_type=""
    )
    assert (lot.quantity, lot.serial_number) == (240, "")
    with pytest.raises(CantonmentRefused):
        _hand_in(site, armoury, commission_officer, kind=WamItem.Kind.AMMUNITION, quantity=0)


def test_chain_of_custody_only_from_where_the_weapon_is(
    site: Any, armoury: Any, commission_officer: Any
) -> None:
    depot = StorageLocation.objects.create(name="Dépôt Gao", region=site.region)
    item = _hand_in(site, armoury, commission_officer, serial_number="X1")
    with pytest.raises(CantonmentRefused, match="does not hold"):
        weapons.transfer(
            item=item,
            from_location=depot,
            to_location=armoury,
            custodian="Cne Sow",
            on=TODAY,
            by=commission_officer,
        )
    weapons.transfer(
        item=item,
        from_location=armoury,
        to_location=depot,
        custodian="Cne Sow",
        on=TODAY,
        by=commission_officer,
    )
    item.refresh_from_db()
    assert (item.location, item.custodian) == (depot, "Cne Sow")
    with pytest.raises(CantonmentRefused, match="reference"):
        weapons.dispose(item=item, how=WamItem.Status.DESTROYED, reference=" ", on=TODAY, by=commission_officer)
    weapons.dispose(
        item=item, how=WamItem.Status.DESTROYED, reference="PV-2019-04", on=TODAY, by=commission_officer
    )
    with pytest.raises(CantonmentRefused, match="no longer held"):
        weapons.transfer(
            item=item,
            from_location=depot,
            to_location=armoury,
            custodian="X",
            on=TODAY,
            by=commission_officer,
        )
    chain = list(item.custody.values_list("kind", "to_custodian"))
    assert [kind for kind, _ in chain] == ["received", "transfer", "disposal"]
    assert item.history.first().history_user == commission_officer


def test_weekly_checks_sample_a_tenth_and_a_full_check_every_six_months(
    site: Any, armoury: Any, commission_officer: Any
) -> None:
    for n in range(25):
        _hand_in(site, armoury, commission_officer, serial_number=f"S{n}")
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    assert weapons.stock_checks_generate(monday, random.Random(1)) == 2
    weekly = StockCheck.objects.get(kind=StockCheck.Kind.WEEKLY)
    assert weekly.lines.count() == 3  # ceil(10% of 25)
    assert StockCheck.objects.get(kind=StockCheck.Kind.FULL).lines.count() == 25
    assert weapons.stock_checks_generate(monday + dt.timedelta(days=2)) == 0  # once a week
    assert weapons.stock_checks_generate(monday + dt.timedelta(days=7)) == 1  # next week: weekly only
    # Not done a week after it fell due: overdue.
    assert set(weapons_selectors.overdue_checks(monday + dt.timedelta(days=8))) == {
        weekly,
        StockCheck.objects.get(kind="full"),
    }


def test_recording_a_check_needs_every_line_and_explained_discrepancies(
    site: Any, armoury: Any, commission_officer: Any
) -> None:
    for n in range(3):
        _hand_in(site, armoury, commission_officer, serial_number=f"S{n}")
    weapons.stock_checks_generate(TODAY, random.Random(1))
    check = StockCheck.objects.get(kind=StockCheck.Kind.FULL)
    lines = list(check.lines.all())
    with pytest.raises(CantonmentRefused, match="no result"):
        weapons.stock_check_record(
            check=check, results={lines[0].pk: ("found", "")}, on=TODAY, by=commission_officer
        )
    results = {line.pk: ("found", "") for line in lines}
    results[lines[2].pk] = ("discrepancy", "")
    with pytest.raises(CantonmentRefused, match="discrepancy"):
        weapons.stock_check_record(check=check, results=results, on=TODAY, by=commission_officer)
    results[lines[2].pk] = ("discrepancy", "Numéro de série limé")
    weapons.stock_check_record(check=check, results=results, on=TODAY, by=commission_officer)
    check.refresh_from_db()
    assert check.done_on == TODAY and check.lines.filter(result="discrepancy").count() == 1
    assert check not in weapons_selectors.overdue_checks(TODAY + dt.timedelta(days=30))


def test_reconciliation_per_movement_with_undeclared_and_twice_declared_serials(
    site: Any, armoury: Any, commission_officer: Any
) -> None:
    gatia, mnla = group("GATIA"), group("MNLA")
    a = CombatantFactory.create(movement=gatia)
    b = CombatantFactory.create(movement=gatia)
    c = CombatantFactory.create(movement=mnla)
    DeclaredWeapon.objects.create(combatant=a, kind="rifle", serial_number="D1")
    DeclaredWeapon.objects.create(combatant=b, kind="rifle", serial_number="D1")  # declared twice
    DeclaredWeapon.objects.create(combatant=c, kind="rifle", serial_number="M1")
    _hand_in(site, armoury, commission_officer, person=a, serial_number="D1")
    _hand_in(site, armoury, commission_officer, person=c, serial_number="Z9")  # never declared by c
    report = weapons_selectors.reconciliation(commission_officer)
    rows = {r.movement: r for r in report.by_movement}
    assert (rows["GATIA"].declared, rows["GATIA"].handed_in, rows["GATIA"].matched) == (2, 1, 1)
    assert (rows["MNLA"].declared, rows["MNLA"].handed_in, rows["MNLA"].not_handed_in) == (1, 1, 1)
    assert [i.serial_number for i in report.undeclared] == ["Z9"]
    assert report.declared_twice == [("D1", sorted([a.registration_number, b.registration_number]))]
    assert report.by_site == [("Fafa", 2, 0)]


def test_handover_freezes_items_and_stores_a_pdf_receipt_with_its_hash(commission_officer: Any) -> None:
    gao = region("GAO")
    items = [
        InventoryItem.objects.create(
            code=f"CONT-{n}", contents="Tentes", region=gao, location="Gao", custodian="UNOPS"
        )
        for n in range(3)
    ]
    inventory.movement_record(
        item=items[0],
        direction="out",
        quantity=1,
        on=TODAY,
        counterpart="Site de Fafa",
        by=commission_officer,
    )
    with pytest.raises(CantonmentRefused, match="Only 0"):
        inventory.movement_record(
            item=items[0], direction="out", quantity=1, on=TODAY, counterpart="x", by=commission_officer
        )
    handover = inventory.handover_make(
        items=items[:2],
        reference="REM-2024-001",
        authority="CNDDR",
        received_by="M. Coulibaly, directeur",
        on=TODAY,
        by=commission_officer,
    )
    pdf = handover.receipt.read()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == handover.receipt_sha256
    frozen = InventoryItem.objects.get(code="CONT-0")
    assert frozen.handover == handover
    assert frozen.history.first().history_change_reason == "handover REM-2024-001"
    frozen.custodian = "Quelqu'un"
    with pytest.raises(HandedOverError):
        frozen.save()
    with pytest.raises(CantonmentRefused, match="handed over"):
        inventory.movement_record(
            item=frozen, direction="in", quantity=1, on=TODAY, counterpart="x", by=commission_officer
        )
    with pytest.raises(CantonmentRefused, match="Already handed over: CONT-1"):
        inventory.handover_make(
            items=items[1:],
            reference="REM-2",
            authority="x",
            received_by="y",
            on=TODAY,
            by=commission_officer,
        )
    assert InventoryItem.objects.get(code="CONT-2").handover is None


def test_without_pango_nothing_is_handed_over_and_the_reason_is_given(
    monkeypatch: Any, commission_officer: Any
) -> None:
    from core import pdf

    def no_pango(html: str) -> bytes:
        raise pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(inventory, "html_to_pdf", no_pango)
    item = InventoryItem.objects.create(
        code="C-1", contents="Lits", region=region("GAO"), location="Gao", custodian="U"
    )
    with pytest.raises(CantonmentRefused, match="install Pango"):
        inventory.handover_make(
            items=[item], reference="R-1", authority="A", received_by="B", on=TODAY, by=commission_officer
        )
    item.refresh_from_db()
    assert item.handover is None and not item.__class__.objects.filter(handover__isnull=False).exists()
    from cantonment.models import Handover

    assert not Handover.objects.exists()
