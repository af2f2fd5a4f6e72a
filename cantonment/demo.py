"""Demo data for cantonment, written through the same services as real work (so it is audited and
obeys capacity): the 24 proposals and 8 built sites, the Kidal pilots, the Kati transit camp with
people on it, weapons handed in with their chain of custody, stock checks, and equipment.
Dates are the report's (lessons learned 2024, 3.1.1 and 3.4); a day it does not give is invented
and the step's note says so."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from cantonment.inventory import services as inventory
from cantonment.inventory.models import InventoryItem
from cantonment.sites import services as stays
from cantonment.sites.models import Site, SiteEvent
from cantonment.weapons import services as weapons
from cantonment.weapons.models import StockCheck, StorageLocation, WamItem
from ddr.models import Category, Combatant, DeclaredWeapon, Sex

# Approximate coordinates of the places the sites are named after (demo data, not in the report).
COORDINATES = {
    "Likrakar": (17.20, -2.10),
    "Fafa": (15.33, 0.50),
    "Inékar": (15.95, 3.15),
    "Ber": (16.45, -2.49),
    "Tessalit": (20.20, 1.01),
    "Tin Fatimata": (16.55, 0.75),
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
    "Agharous Keyone": (18.30, 1.20),
    "Kidal": (18.44, 1.41),
}
S = Site.Status
CTS = "Commission technique de sécurité (CTS)"
INVENTED_DAY = "Démo : jour absent du rapport, inventé."
# The 24 proposals, surveyed after the modus operandi of 18 February 2014 (3.1.1; the report prints
# "April 2013", before the text that led to it).
PROPOSED = (
    dt.date(2014, 4, 15),
    "Mouvements signataires",
    "Rapport 2024, 3.1.1 : sites proposés par les groupes armés, reconnus en avril après le modus "
    "operandi du 18 février 2014 (le rapport imprime 2013) ; jour inventé.",
)
# The first three were finished on 20 May 2015; three more begun on 25 April, two on 15 May
# (3.1.1, note 8). The report has the CTS approve the eight before they were built, though the CTS
# came with the agreement of June 2015: its date is invented, as is every completion but the first.
APPROVED = (
    "Rapport 2024, 3.1.1 : approuvé par la CTS, puis construit. Démo : date absente du rapport, inventée "
    "(la CTS naît de l'accord de 2015, après le début des travaux)."
)
FIRST_THREE = {"Likrakar", "Fafa", "Inékar"}
BEGUN = {
    "Ber": dt.date(2015, 4, 25),
    "Tessalit": dt.date(2015, 4, 25),
    "Tin Fatimata": dt.date(2015, 4, 25),
    "Ilouk": dt.date(2015, 5, 15),
    "Tabankort": dt.date(2015, 5, 15),
}
FIRST_THREE_DONE = dt.date(2015, 5, 20)
# Sites "should be ready within 120 days" (the 2015 agreement, 3.1.1): the invented completions.
READY_WITHIN = dt.timedelta(days=120)


def built_steps(name: str) -> list[tuple[str, dt.date, str, str]]:
    """The lifecycle of one of the eight built sites: status, date, deciding body, note."""
    validated = (S.VALIDATED, dt.date(2015, 1, 15), CTS, APPROVED)
    if name in FIRST_THREE:
        return [
            (S.PROPOSED, *PROPOSED),
            validated,
            (S.UNDER_CONSTRUCTION, dt.date(2015, 2, 1), "MINUSMA / UNOPS (PBF)", INVENTED_DAY),
            (S.BUILT, FIRST_THREE_DONE, "MINUSMA", "Rapport 2024, 3.1.1 note 8 : achevé le 20 mai 2015."),
        ]
    begun = BEGUN[name]
    return [
        (S.PROPOSED, *PROPOSED),
        validated,
        (S.UNDER_CONSTRUCTION, begun, "MINUSMA / UNOPS", "Rapport 2024, 3.1.1 note 8 : début des travaux."),
        (
            S.BUILT,
            begun + READY_WITHIN,
            "MINUSMA",
            "Démo : achèvement absent du rapport, inventé dans les 120 jours que prévoit l'accord.",
        ),
    ]


# The pilots: assembly areas supported from July 2013, authorised by the CTMS, suspended after the
# clashes of 17-21 May 2014 and never resumed; no weapon was handed in (3.1.1).
PILOT_STEPS = [
    (
        S.OPERATIONAL,
        dt.date(2013, 7, 15),
        "Commission technique mixte de sécurité (CTMS)",
        "Rapport 2024, 3.1.1 : pré-cantonnement autorisé par la CTMS, appui de la MINUSMA dès "
        "juillet 2013 (jour inventé) ; vivres et eau, sans désarmement.",
    ),
    (
        S.CLOSED,
        dt.date(2014, 5, 21),
        "MINUSMA",
        "Rapport 2024, 3.1.1 : activités suspendues après les affrontements du 17 au 21 mai 2014, "
        "jamais reprises.",
    ),
]
KATI_STEPS = [
    (S.UNDER_CONSTRUCTION, dt.date(2020, 10, 1), "MINUSMA", INVENTED_DAY),
    (
        S.BUILT,
        dt.date(2021, 4, 15),
        "MINUSMA",
        "Rapport 2024, 3.4 : achevé en avril 2021 (jour inventé).",
    ),
    (
        S.OPERATIONAL,
        dt.date(2021, 4, 15),
        "Gouvernement de transition",
        "Rapport 2024, 3.4 : remis au gouvernement de transition en avril 2021, 250 places.",
    ),
]
PRC_STEPS = [
    (
        S.PROPOSED,
        dt.date(2017, 2, 1),
        "Président de la CNDDR",
        "Rapport 2024, 3.2.3 : annoncé début 2017 (jour inventé) ; à Ténenkou, construction "
        "commencée en mai 2017 selon la source citée (note 26).",
    )
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
    present = _stays(rng, kati, admin)
    _weapons(rng, kati, present, admin)
    _equipment(rng, sites, admin)


def _lifecycle(sites: list[Site], admin: User) -> None:
    events = []
    for site in sites:
        steps: Sequence[tuple[str, dt.date, str, str]]
        if site.kind == Site.Kind.PRE_CANTONMENT:
            steps = PILOT_STEPS
        elif site.kind == Site.Kind.TRANSIT:
            steps = KATI_STEPS
        elif site.kind == Site.Kind.PROCESSING:
            steps = PRC_STEPS
        elif site.status == S.BUILT:
            steps = built_steps(site.name)
        else:
            steps = [(S.PROPOSED, *PROPOSED)]
        events += [
            SiteEvent(site=site, status=status, on=on, decided_by=body, note=note, recorded_by=admin)
            for status, on, body, note in steps
        ]
    bulk_create_with_history(
        events, SiteEvent, default_user=admin, default_change_reason=gettext_noop("demo data")
    )


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


def _weapons(rng: random.Random, kati: Site, present: list[Combatant], admin: User) -> None:
    armoury = StorageLocation.objects.create(name="Armurerie du camp de Kati", region=kati.region, site=kati)
    today = timezone.localdate()
    declared = {w.combatant_id: w for w in DeclaredWeapon.objects.filter(combatant__in=present)}
    unserviceable = []
    for person in present:
        stay = person.stays.order_by("-checked_in_on").get()
        weapon = declared.get(person.pk)
        if weapon is None and rng.random() > 0.1:
            continue
        serial = weapon.serial_number if weapon else f"XX{rng.randint(100000, 999999)}"  # never declared
        item = weapons.hand_in(
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
        if item.condition == "unserviceable":
            unserviceable.append(item)
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
    # Three weeks ago a weekly and a full check were generated; the full one was done, the weekly not.
    weapons.stock_checks_generate(today - dt.timedelta(days=21), rng)
    for check in StockCheck.objects.filter(kind=StockCheck.Kind.FULL):
        results = {line.pk: ("found", "") for line in check.lines.all()}
        weapons.stock_check_record(check=check, results=results, on=today - dt.timedelta(days=18), by=admin)
    # The unserviceable weapons handed in at Kati destroyed today. None was ever handed in at the
    # Kidal pilots: pre-cantonment came with no disarmament (3.1.1).
    for item in unserviceable:
        reference = f"PV de destruction Kati {today:%Y}-01"
        weapons.dispose(item=item, how=WamItem.Status.DESTROYED, reference=reference, on=today, by=admin)
    weapons.stock_checks_generate(today, rng)


def _equipment(rng: random.Random, sites: list[Site], admin: User) -> None:
    """More than a hundred containers of DDR and CVR equipment, all handed over at the exit."""
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
    bulk_create_with_history(
        items, InventoryItem, default_user=admin, default_change_reason=gettext_noop("demo data")
    )
    gao = [i for i in InventoryItem.objects.filter(region__code="GAO").order_by("code")]
    inventory.movement_record(
        item=gao[0], direction="out", quantity=2, on=dt.date(2023, 6, 1), counterpart="Site de Fafa", by=admin
    )
    try:
        _handovers(admin)
    except stays.CantonmentRefused as exc:  # a machine without Pango: the rest of the demo stands
        logging.getLogger(__name__).warning("Demo handover skipped: %s", exc)


# At the mission's close "more than 100 containers of DDR and CVR equipment ... which the UN
# ultimately handed over to the Malian authorities" (3.1.1): each region's, the day invented.
HANDOVERS = [
    ("MEN", dt.date(2023, 12, 12), "Ménaka"),
    ("GAO", dt.date(2023, 12, 15), "Gao"),
    ("TBK", dt.date(2023, 12, 20), "Tombouctou"),
    ("KID", dt.date(2023, 12, 22), "Kidal"),
    ("KOU", dt.date(2023, 12, 27), "Koulikoro"),
]


def _handovers(admin: User) -> None:
    for code, on, name in HANDOVERS:
        items = list(InventoryItem.objects.filter(region__code=code, handover=None).order_by("code"))
        if not items:
            continue
        inventory.handover_make(
            items=items,
            reference=f"REM-{code}-2023-001",
            authority=f"Gouvernorat de la région de {name}",
            received_by=f"M. le Gouverneur de {name}",
            on=on,
            by=admin,
            note=(
                "Retrait de la MINUSMA : conteneurs remis aux autorités maliennes (rapport 2024, 3.1.1) "
                "pour réemploi par les services régionaux. Démo : date et autorité inventées."
            ),
        )


# The report (3.2.3): the CRP projects near Mopti were the only CVR projects with a WAM component,
# which "collected a few weapons from militias". How many, and which, it does not say: invented.
CRP_COLLECTION_NOTE = (
    "Rapport 2024, 3.2.3 : le volet GMA des projets du PRC a collecté quelques armes auprès des milices ; "
    "nombre, types et dates inventés."
)


def seed_cvr_collections(admin: User) -> int:
    """Weapons collected outside the sites by the CRP projects' WAM component, in the one register."""
    from cvr.models import Project

    projects = list(Project.objects.filter(with_wam=True).select_related("region").order_by("code")[:3])
    if not projects:
        return 0
    depot = StorageLocation.objects.create(
        name="Dépôt de la gendarmerie de Mopti (GMA du PRC)", region=projects[0].region
    )
    items = []
    for n, (project, kind) in enumerate(zip(projects, ["assault_rifle", "rifle", "pistol"], strict=False)):
        item = weapons.hand_in(
            site=None,
            collection_place=f"Soufouroulaye, cercle de Mopti ({project.code})",
            project=project,
            location=depot,
            kind=WamItem.Kind.WEAPON,
            weapon_type=kind,
            serial_number=f"PRC-MOP-{n + 1:04d}",
            received_on=(project.actual_end or project.end) - dt.timedelta(days=20),
            custodian="Brigade de gendarmerie de Mopti",
            by=admin,
        )
        items.append(item.pk)
    for item in WamItem.objects.filter(pk__in=items):
        item._change_reason = CRP_COLLECTION_NOTE  # type: ignore[attr-defined]
        item._history_user = admin  # type: ignore[attr-defined]
        item.save(update_fields=["custodian"])
    return len(items)
