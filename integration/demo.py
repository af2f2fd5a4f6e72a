"""Demo data for integration, written through the services: mixed units with their members from
each party, command positions, patrols, the autumn 2023 departures from Kidal and Gao, the
2019-2020 accelerated integration as reported, and a cohort of this year at every step."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone, translation

from accounts.models import User
from core.models import Region
from ddr.models import Combatant, Pathway
from integration import services
from integration.models import Cohort, Membership, Party, Unit

REPORTED = {
    "reported_registered": 1423,
    "reported_biometric": 2300,
    "reported_fit": 1765,
    "reported_unfit": 430,
}


def seed(rng: random.Random, regions: dict[str, Region], admin: User) -> None:
    # Rank explanations are stored as written: in the commission's language.
    with translation.override(settings.LANGUAGE_CODE):
        _seed(rng, regions, admin)


def _seed(rng: random.Random, regions: dict[str, Region], admin: User) -> None:
    units = {u.name: u for u in Unit.objects.all()}
    Unit.objects.filter(kind=Unit.Kind.MOC).update(
        parent_structure="Mécanisme opérationnel de coordination (MOC)"
    )
    Unit.objects.exclude(kind=Unit.Kind.MOC).update(
        parent_structure="Forces armées maliennes, zone de défense du Nord"
    )
    people = list(
        Combatant.objects.may_benefit()  # the programmes' one rule (ddr.registration.benefit)
        .select_related("movement")
        .order_by("pk")
    )
    by_party: dict[str, list[Combatant]] = {Party.CMA: [], Party.PLATFORM: [], Party.CMI: []}
    for person in people:
        by_party[services.party_of(person, dt.date(2017, 1, 1))].append(person)
    moc_start = dt.date(2017, 2, 1)
    # MOC Gao: the national forces and the CMA at a third each, the Platform short of its third.
    for unit, counts in ((units["MOC Gao"], (18, 18, 12)), (units["MOC Tombouctou"], (15, 15, 15))):
        _members(unit, moc_start, counts, by_party, admin)
    kidal = units["BATFAR Kidal"]
    _members(kidal, dt.date(2020, 2, 13), (15, 15, 15), by_party, admin)
    # Autumn 2023: members who left to rejoin their movement when fighting resumed.
    for membership in list(Membership.objects.filter(unit=kidal, party=Party.CMA).order_by("pk"))[:9]:
        services.membership_end(
            membership=membership,
            end=dt.date(2023, 10, 1) + dt.timedelta(days=rng.randrange(0, 40)),
            leaving=Membership.Leaving.DESERTED,
            circumstances="Départ pour rejoindre la CMA lors de la reprise des hostilités (automne 2023)",
            by=admin,
        )
    for membership in list(Membership.objects.filter(unit=units["MOC Gao"], party=Party.CMA).order_by("pk"))[
        :3
    ]:
        services.membership_end(
            membership=membership,
            end=dt.date(2023, 11, 2),
            leaving=Membership.Leaving.DESERTED,
            circumstances="Absent depuis la mi-octobre, parti avec armes",
            by=admin,
        )
    today = timezone.localdate()
    for unit in (units["MOC Gao"], units["MOC Tombouctou"]):
        for weeks in range(8):
            planned: dict[str, int] = {Party.FAMA: 10, Party.CMA: 10, Party.PLATFORM: 10}
            present = {p: n - rng.randint(0, 4 if p == Party.PLATFORM else 2) for p, n in planned.items()}
            services.patrol_record(
                unit=unit, on=today - dt.timedelta(weeks=weeks), planned=planned, present=present, by=admin
            )
    for weeks in range(12, -1, -4):
        services.compliance_record(today - dt.timedelta(weeks=weeks))
    Cohort.objects.create(
        name="Intégration accélérée 2019-2020",
        region=regions["GAO"],
        training_partner="EUTM Mali",
        training_start=dt.date(2019, 12, 1),
        training_end=dt.date(2020, 3, 1),
        target_unit=units["BATFAR Gao"],
        **REPORTED,
    )
    _cohort(rng, regions, units, admin)


def _members(
    unit: Unit,
    start: dt.date,
    counts: tuple[int, int, int],
    by_party: dict[str, list[Combatant]],
    admin: User,
) -> None:
    fama, cma, platform = counts
    for n in range(fama):
        membership = services.membership_start(
            unit=unit,
            party=Party.FAMA,
            start=start,
            by=admin,
            service_number=f"FAMA-{unit.pk:02d}{n:04d}",
            name=f"Soldat FAMa {n + 1}",
            rank="Sergent" if n < 3 else "Soldat de 1re classe",
        )
        if n == 0:
            services.command_give(unit=unit, membership=membership, by=admin, rank="Capitaine")
    for party, count in ((Party.CMA, cma), (Party.PLATFORM, platform)):
        for n in range(count):
            if not by_party[party]:
                break
            membership = services.membership_start(
                unit=unit, party=party, start=start, by=admin, person=by_party[party].pop()
            )
            if n == 0:
                services.command_give(unit=unit, membership=membership, by=admin, rank="Lieutenant")


def _cohort(rng: random.Random, regions: dict[str, Region], units: dict[str, Unit], admin: User) -> None:
    """This year's cohort: candidates at every step, so the screens have something to show."""
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        name=f"Gao, novembre {today.year}",
        region=regions["GAO"],
        training_partner="École militaire de Koulikoro",
        training_start=today - dt.timedelta(days=100),
        training_end=today - dt.timedelta(days=9),
        target_unit=units["BATFAR Gao"],
    )
    eligible = [
        p
        for p in Combatant.objects.may_benefit()
        .filter(pathway=Pathway.INTEGRATION_ARMY, status__in=["screened", "oriented"])
        .order_by("pk")[:8]
        if not p.unit_memberships.exists()
    ]
    ranks = ["Capitaine", "Sergent", "Lieutenant", "Soldat", "Caporal", "Adjudant", "Commandant", "Soldat"]
    for person, held in zip(eligible, ranks, strict=False):
        Combatant.objects.filter(pk=person.pk).update(rank_in_movement=held)
    for person in eligible:
        services.candidate_add(
            cohort=cohort,
            person=person,
            by=admin,
            years_of_service=rng.randint(1, 12),
            education=rng.choice(["none", "primary", "secondary"]),
        )
    candidates = list(cohort.candidates.order_by("pk"))
    for candidate in candidates[:6]:
        services.candidate_medical(
            candidate=candidate,
            fit=candidate is not candidates[5],
            on=today - dt.timedelta(days=110),
            examiner="Dr Maïga",
            by=admin,
        )
    fit = cohort.candidates.filter(status="fit")
    services.training_start(candidates=list(fit), on=today - dt.timedelta(days=100), by=admin)
    for candidate in candidates[:4]:
        services.training_end(
            candidate=candidate,
            on=today - dt.timedelta(days=9),
            passed=candidate is not candidates[3],
            by=admin,
        )
    for candidate in candidates[:2]:
        services.candidate_assign(
            candidate=candidate, unit=units["BATFAR Gao"], on=today - dt.timedelta(days=5), by=admin
        )
