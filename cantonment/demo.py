"""Demo data for cantonment, written through the same services as real work (so it is audited and
obeys capacity): the 24 proposals and 8 built sites, the Kidal pilots, the Kati transit camp with
people on it, weapons handed in with their chain of custody, stock checks, and equipment."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from cantonment.inventory import services as inventory
from cantonment.inventory.models import InventoryItem
from cantonment.sites import services as stays
from cantonment.sites.models import Site, SiteEvent
from cantonment.weapons import services as weapons
from cantonment.weapons.models import StockCheck, StorageLocation, WamItem
from ddr.models import Category, Combatant, DeclaredWeapon, Sex

# Approximate coordinates of the places the sites are named after (demo data).
COORDINATES = {
    "Likrakar": (19.05, 1.10),
    "Fafa": (15.33, 0.50),
    "Inékar": (15.95, 3.15),
    "Ber": (16.45, -2.49),
    "Tessalit": (20.20, 1.01),
    "Tin Fatimata": (16.90, -3.40),
    "Ilouk": (16.10, 0.30),
    "Tabankort": (17.85, 0.12),
    "Anéfis": (18.05, 0.60),
    "Aguelhok": (19.46, 0.86),
    "Tarkint": (17.33, 0.15),
    "Léré": (15.71, -4.91),
    "Goundam": (16.41, -3.67),
    "Bourem": (16.95, -0.35),
    "Andéramboukane": (15.42, 3.03),
    "Tinzaouatène": (19.95, 2.98),
    "Talataye": (15.55, 1.95),
    "Tin-Essako": (18.45, 2.48),
    "Almoustarat": (17.35, 0.82),
    "Intahaka": (16.83, 0.00),
    "Gossi": (15.82, -1.30),
    "Tidermène": (16.60, 3.30),
    "Abeïbara": (19.12, 1.75),
    "Ersane": (16.00, -3.50),
    "Ténenkou": (14.46, -4.92),
    "Douentza": (15.00, -2.95),
    "Bankass": (14.08, -3.52),
    "Kati": (12.74, -8.07),
    "Kidal": (18.44, 1.41),
}
S = Site.Status
BUILT_STEPS = [
    (S.PROPOSED, dt.date(2015, 12, 1), "Mouvements signataires"),
    (S.VALIDATED, dt.date(2016, 4, 15), "Commission technique de sécurité (CTS)"),
    (S.UNDER_CONSTRUCTION, dt.date(2016, 9, 1), "MINUSMA / UNOPS"),
    (S.BUILT, dt.date(2017, 6, 30), "Commission technique de sécurité (CTS)"),
]
PILOT_STEPS = [
    (S.PROPOSED, dt.date(2015, 10, 1), "CMA"),
    (S.VALIDATED, dt.date(2015, 11, 10), "Commission technique de sécurité (CTS)"),
    (S.UNDER_CONSTRUCTION, dt.date(2015, 12, 1), "MINUSMA"),
    (S.BUILT, dt.date(2016, 1, 20), "MINUSMA"),
    (S.OPERATIONAL, dt.date(2016, 2, 1), "CNDDR"),
    (S.CLOSED, dt.date(2017, 5, 31), "CNDDR"),
]
KATI_STEPS = [
    (S.PROPOSED, dt.date(2022, 6, 1), "CNDDR"),
    (S.VALIDATED, dt.date(2022, 7, 15), "Gouvernement"),
    (S.UNDER_CONSTRUCTION, dt.date(2022, 9, 1), "CNDDR"),
    (S.BUILT, dt.date(2023, 1, 15), "CNDDR"),
    (S.OPERATIONAL, dt.date(2023, 2, 1), "CNDDR"),
]
CONTENTS = [
    ("Tentes et bâches", "lots"),
    ("Lits de camp", "lits"),
    ("Kits de réinsertion (menuiserie)", "kits"),
    ("Matériel informatique d'enregistrement", "postes"),
    ("Groupes électrogènes", "unités"),
    ("Citernes d'eau", "unités"),
    ("Kits de cuisine", "kits"),
]


def seed(rng: random.Random, sites: list[Site], admin: User) -> None:
    for site in sites:
        place = next((p for p in COORDINATES if p in site.name), None)
        if place:
            site.latitude, site.longitude = (
                round(c + rng.uniform(-0.05, 0.05), 4) for c in COORDINATES[place]
            )
    Site.objects.bulk_update(sites, ["latitude", "longitude"])
    _lifecycle(sites, admin)
    kati = next(s for s in sites if s.kind == Site.Kind.TRANSIT)
    pilot = next(s for s in sites if s.kind == Site.Kind.PRE_CANTONMENT)
    present = _stays(rng, kati, admin)
    _weapons(rng, kati, pilot, present, admin)
    _equipment(rng, sites, admin)


def _lifecycle(sites: list[Site], admin: User) -> None:
    events = []
    for site in sites:
        steps: Sequence[tuple[str, dt.date, str]] = {
            S.BUILT: BUILT_STEPS,
            S.CLOSED: PILOT_STEPS,
            S.OPERATIONAL: KATI_STEPS,
            S.PROPOSED: [(S.PROPOSED, dt.date(2016, 3, 1), str(site.proposed_by or "CNDDR"))],
        }.get(S(site.status), [])
        events += [
            SiteEvent(site=site, status=status, on=on, decided_by=body, recorded_by=admin)
            for status, on, body in steps
        ]
    bulk_create_with_history(events, SiteEvent, default_user=admin, default_change_reason="demo data")


def _stays(rng: random.Random, kati: Site, admin: User) -> list[Combatant]:
    """About forty people at Kati, checked in over the last eight weeks: some now overstay."""
    today = timezone.localdate()
    candidates = list(
        Combatant.objects.filter(region__code__in=["KOU", "SEG", "MOP", "BKO"])
        .exclude(category=Category.CHILD)
        .exclude(status__in=stays.NOT_ADMITTED)
        .order_by("pk")[:60]
    )
    present = []
    women = 0
    for person in candidates:
        if person.sex == Sex.FEMALE:
            if women >= kati.places_for_women:
                continue
            women += 1
        stays.check_in(person=person, site=kati, on=today - dt.timedelta(days=rng.randint(0, 56)), by=admin)
        present.append(person)
        if len(present) == 42:
            break
    for person in present[:4]:  # a few have already left
        stay = person.stays.get()
        stays.check_out(stay=stay, on=min(today, stay.checked_in_on + dt.timedelta(days=20)), by=admin)
    stays.stays_flag(today)
    for back in range(14):
        stays.headcount_record(today - dt.timedelta(days=back))
    return present


def _weapons(rng: random.Random, kati: Site, pilot: Site, present: list[Combatant], admin: User) -> None:
    armoury = StorageLocation.objects.create(name="Armurerie du camp de Kati", region=kati.region, site=kati)
    container = StorageLocation.objects.create(name="Conteneur WAM Kidal", region=pilot.region, site=pilot)
    depot = StorageLocation.objects.create(name="Magasin d'armes de Kidal (MINUSMA)", region=pilot.region)
    today = timezone.localdate()
    declared = {w.combatant_id: w for w in DeclaredWeapon.objects.filter(combatant__in=present)}
    for person in present:
        stay = person.stays.order_by("-checked_in_on").get()
        weapon = declared.get(person.pk)
        if weapon is None and rng.random() > 0.1:
            continue
        serial = weapon.serial_number if weapon else f"XX{rng.randint(100000, 999999)}"  # never declared
        weapons.hand_in(
            site=kati,
            location=armoury,
            kind=WamItem.Kind.WEAPON,
            received_on=stay.checked_in_on,
            custodian="Adjudant-chef Diarra",
            by=admin,
            person=person,
            weapon_type=weapon.kind if weapon else "assault_rifle",
            calibre="7,62",
            serial_number=serial,
            condition=weapon.condition if weapon else "unknown",
        )
    for _ in range(4):
        weapons.hand_in(
            site=kati,
            location=armoury,
            kind=WamItem.Kind.AMMUNITION,
            received_on=today - dt.timedelta(days=rng.randint(1, 50)),
            custodian="Adjudant-chef Diarra",
            by=admin,
            calibre="7,62 x 39",
            quantity=rng.randrange(60, 600, 30),
        )
    # The Kidal pilot (2016-17): weapons moved to the mission's depot, some destroyed.
    kidal_people = list(Combatant.objects.filter(region__code="KID", has_weapon=True).order_by("pk")[:30])
    kidal_declared = {w.combatant_id: w for w in DeclaredWeapon.objects.filter(combatant__in=kidal_people)}
    for n, person in enumerate(kidal_people):
        weapon = kidal_declared.get(person.pk)
        if weapon is None:
            continue
        item = weapons.hand_in(
            site=pilot,
            location=container,
            kind=WamItem.Kind.WEAPON,
            received_on=dt.date(2016, 2, 1) + dt.timedelta(days=n * 3),
            custodian="Sergent Ag Mohamed",
            by=admin,
            person=person,
            weapon_type=weapon.kind,
            calibre=weapon.calibre,
            serial_number=weapon.serial_number,
            condition=weapon.condition,
        )
        weapons.transfer(
            item=item,
            from_location=container,
            to_location=depot,
            custodian="Capitaine Ndiaye (MINUSMA)",
            on=dt.date(2017, 5, 20),
            by=admin,
            reference="Bordereau MINUSMA 2017/112",
        )
        if item.condition == "unserviceable":
            weapons.dispose(
                item=item,
                how=WamItem.Status.DESTROYED,
                reference="PV de destruction 2017-03",
                on=dt.date(2017, 9, 12),
                by=admin,
            )
    # Three weeks ago a weekly and a full check were generated; the full one was done, the weekly not.
    weapons.stock_checks_generate(today - dt.timedelta(days=21), rng)
    for check in StockCheck.objects.filter(kind=StockCheck.Kind.FULL):
        results = {line.pk: ("found", "") for line in check.lines.all()}
        weapons.stock_check_record(check=check, results=results, on=today - dt.timedelta(days=18), by=admin)
    weapons.stock_checks_generate(today, rng)


def _equipment(rng: random.Random, sites: list[Site], admin: User) -> None:
    """More than a hundred containers of DDR and CVR equipment; twelve handed over at Gao."""
    by_region: dict[str, tuple[Any, Site]] = {}
    for site in sites:
        by_region.setdefault(site.region.code, (site.region, site))
    regions = [by_region[c] for c in ("GAO", "KID", "TBK", "MEN", "KOU") if c in by_region]
    items = []
    for n in range(1, 113):
        region, site = regions[n % len(regions)]
        contents, unit = rng.choice(CONTENTS)
        items.append(
            InventoryItem(
                code=f"CONT-DDR-{n:03d}",
                kind=InventoryItem.Kind.CONTAINER,
                contents=contents,
                quantity=rng.randint(5, 80),
                unit=unit,
                region=region,
                site=site if rng.random() < 0.5 else None,
                location=f"Base MINUSMA {region.name}",
                custodian="UNOPS",
            )
        )
    bulk_create_with_history(items, InventoryItem, default_user=admin, default_change_reason="demo data")
    gao = [i for i in InventoryItem.objects.filter(region__code="GAO").order_by("code")]
    inventory.movement_record(
        item=gao[0], direction="out", quantity=2, on=dt.date(2023, 6, 1), counterpart="Site de Fafa", by=admin
    )
    try:
        _handover(gao[:12], admin)
    except stays.CantonmentRefused as exc:  # a machine without Pango: the rest of the demo stands
        logging.getLogger(__name__).warning("Demo handover skipped: %s", exc)


def _handover(items: list[InventoryItem], admin: User) -> None:
    inventory.handover_make(
        items=items,
        reference="REM-GAO-2023-001",
        authority="Gouvernorat de la région de Gao",
        received_by="M. le Gouverneur de Gao",
        on=dt.date(2023, 12, 15),
        by=admin,
        note="Retrait de la MINUSMA : conteneurs remis pour réemploi par les services régionaux.",
    )
