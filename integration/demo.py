"""Demo data for integration, written through the services: mixed units with their members from
each party, command positions, patrols, the autumn 2023 departures from Kidal and Gao, the
accelerated integration of 2018-2020 as reported (four units), and a cohort of this year at every
step. A figure the report does not give is invented and the record's note says so."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone, translation

from accounts.models import User
from core.models import Region
from ddr.eligibility import services as eligibility
from ddr.models import Category, Combatant, MedicalStatus, Pathway
from integration import services
from integration.models import Cohort, Corps, Membership, Party, Step, Structure, Unit

# The accelerated DDR-integration as reported (3.3.1, 3.4): 1,423 first registered in Gao, Kidal
# and Timbuktu, 2,300 biometrically registered, about 430 unfit, and 1,765 fit and integrated
# into four reconstituted units. The report gives national totals only: the split by unit is
# invented (the fit are the units' authorised strengths) and sums to them; the training dates
# too, three months (EUTM) before each unit deployed.
REPORTED = [
    # unit, registered, biometric, fit, unfit, training start, training end
    ("BATFAR Gao", 520, 720, 550, 140, dt.date(2019, 3, 1), dt.date(2019, 6, 1)),
    ("BATFAR Tombouctou", 473, 650, 500, 110, dt.date(2019, 3, 1), dt.date(2019, 6, 1)),
    ("Compagnie de Ménaka", 0, 230, 165, 60, dt.date(2019, 8, 15), dt.date(2019, 11, 15)),
    ("BATFAR Kidal", 430, 700, 550, 120, dt.date(2019, 10, 15), dt.date(2020, 1, 15)),
]
REPORTED_NOTE = (
    "Démo : le rapport ne donne que les totaux nationaux (1 423 premiers enregistrés, 2 300 "
    "enregistrés biométriquement, 1 765 aptes intégrés dans quatre unités, environ 430 inaptes) ; "
    "la répartition par unité et les dates de formation sont inventées."
)
# "All CMA combatants that were part of Kidal BATFAR re-join the armed groups" (annex 6.1, 2023);
# the army and Platform components left Kidal in October 2023 (3.3.1, note 31).
KIDAL_LEFT = dt.date(2023, 10, 31)
# The first mixed patrol of Gao, struck on 18 January 2017 (3.2.1): members from February (invented).
MOC_PATROLS = dt.date(2017, 2, 1)


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
    # Members join a mixed unit when it is established (the MOC of Timbuktu in early 2018).
    # MOC Gao: the national forces and the CMA at a third each, the Platform short of its third.
    for unit, counts in ((units["MOC Gao"], (18, 18, 12)), (units["MOC Tombouctou"], (15, 15, 15))):
        start = max(filter(None, (unit.established, MOC_PATROLS)))
        _members(unit, start, counts, by_party, admin)
    kidal = units["BATFAR Kidal"]
    _members(kidal, dt.date(2020, 2, 13), (15, 15, 15), by_party, admin)
    _kidal_left(rng, kidal, admin)
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
    for unit_name, registered, biometric, fit, unfit, start, end in REPORTED:
        unit = units[unit_name]
        cohort = Cohort(
            name=f"Intégration accélérée 2018-2020 — {unit_name}",
            region=unit.region,
            training_partner="EUTM Mali",
            training_start=start,
            training_end=end,
            target_unit=unit,
            reported_registered=registered,
            reported_biometric=biometric,
            reported_fit=fit,
            reported_unfit=unfit,
        )
        cohort._history_user = admin  # type: ignore[attr-defined]
        cohort._change_reason = REPORTED_NOTE  # type: ignore[attr-defined]
        cohort.save()
    _cohort(rng, regions, units, admin)
    _state(regions, admin)


def _kidal_left(rng: random.Random, kidal: Unit, admin: User) -> None:
    """Autumn 2023: every CMA member of the Kidal BATFAR left to rejoin the armed groups; the army
    and Platform members left Kidal with what remained of the unit at the end of October."""
    members = Membership.objects.filter(unit=kidal, end__isnull=True).order_by("pk")
    for membership in list(members.filter(party=Party.CMA)):
        services.membership_end(
            membership=membership,
            end=dt.date(2023, 9, 15) + dt.timedelta(days=rng.randrange(0, 40)),
            leaving=Membership.Leaving.DESERTED,
            circumstances="Départ pour rejoindre la CMA lors de la reprise des hostilités (automne 2023)",
            by=admin,
        )
    for membership in list(members.exclude(party=Party.CMA)):
        services.membership_end(
            membership=membership,
            end=KIDAL_LEFT,
            leaving=Membership.Leaving.TRANSFERRED,
            circumstances="Repli hors de Kidal des composantes FAMa et Plateforme du BATFAR (octobre 2023)",
            by=admin,
        )


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


# The pathways into the State besides the army (roadmap of December 2020, annex 6.2): the recall of
# ex-MDSF who had not rejoined their original corps (item 15, by January 2021), civilian cadres into
# the civil service (items 7 and 13, from January 2021), and the defectors of central Mali
# "recruited" into the armed forces (3.2.2: 85 including 4 women, in 2018). The report gives no
# figure per intake, no corps, no service number and no date for the recall or the civil service:
# they are invented, and each intake's note says so. The demo's defectors are a sample, not the 85.
RECALL_NOTE = (
    "Démo : la feuille de route de décembre 2020 (point 15) demande de parachever le rappel des "
    "anciens membres des FDS n'ayant pas rejoint leurs corps d'origine, d'ici janvier 2021 ; le "
    "rapport ne donne ni effectifs, ni corps, ni matricules, ni dates : tout est inventé ici."
)
CIVIL_NOTE = (
    "Démo : la feuille de route de décembre 2020 (points 7 et 13) demande l'intégration des cadres "
    "civils des mouvements dans la fonction publique à partir de janvier 2021 ; le rapport ne "
    "donne ni effectifs, ni postes, ni dates : tout est inventé ici."
)
RECRUITMENT_NOTE = (
    "Démo : selon le rapport (3.2.2), 85 « défecteurs » dont 4 femmes ont été « recrutés » (et non "
    "intégrés) dans les forces armées en 2018, dans le cadre du PRC au centre ; les personnes et "
    "les dates ci-dessous sont un échantillon inventé, pas les 85."
)
RECALL_STEPS = [Step.FILE_VERIFIED, Step.REPORTED, Step.REINSTATED]
CIVIL_STEPS = [Step.FILE_VERIFIED, Step.IN_TRAINING, Step.APPOINTED]
CORPS_LEFT = [Corps.ARMY, Corps.NATIONAL_GUARD, Corps.GENDARMERIE, Corps.NATIONAL_POLICE]
POSTS = [
    "Préfecture de Gao, adjoint administratif",
    "Mairie de Tombouctou, secrétaire",
    "Conseil régional, agent",
]


def _oriented(category: str, pathway: str, admin: User) -> list[Combatant]:
    """The people of a category who may benefit, oriented to their category's pathway: those the
    rules already oriented, then those still pending a step (the demo orients them, audited)."""
    people = list(
        Combatant.objects.may_benefit()
        .filter(category=category, pathway__in=[pathway, Pathway.PENDING])
        .select_related("region")
        .order_by("pk")
    )
    for person in people:
        if person.pathway != pathway:
            eligibility.pathway_set(
                person=person, to=pathway, reason="category_rule", by=admin, note="demo: category pathway"
            )
    return people


def _state(regions: dict[str, Region], admin: User) -> None:
    recall = _oriented(Category.EX_MDSF, Pathway.RECALL, admin)
    cadres = _oriented(Category.CIVILIAN_CADRE, Pathway.INTEGRATION_CIVIL, admin)
    for region_code, structure, name, opened, note, people in (
        ("GAO", Structure.RECALL, "Rappel des ex-MDSF, 2021", dt.date(2021, 1, 11), RECALL_NOTE, recall),
        (
            "GAO",
            Structure.CIVIL_SERVICE,
            "Cadres civils, fonction publique 2021",
            dt.date(2021, 2, 1),
            CIVIL_NOTE,
            cadres,
        ),
    ):
        intake = services.intake_create(
            name=name,
            structure=structure,
            region=regions[region_code],
            opened_on=opened,
            by=admin,
            administration="Ministère de l'Administration territoriale"
            if structure == Structure.CIVIL_SERVICE
            else "",
            note=note,
        )
        steps = RECALL_STEPS if structure == Structure.RECALL else CIVIL_STEPS
        for n, person in enumerate(people):
            placement = services.placement_add(
                intake=intake,
                person=person,
                by=admin,
                on=opened,
                original_corps=CORPS_LEFT[n % len(CORPS_LEFT)] if structure == Structure.RECALL else "",
                former_service_number=f"MDSF-{1000 + n:05d}" if structure == Structure.RECALL else "",
                decided_by="CNDDR",
            )
            # People at every step: the first ones through, the last one just proposed.
            for k, to in enumerate(steps[: max(0, len(steps) - n)]):
                services.placement_advance(
                    placement=placement,
                    to=to,
                    on=opened + dt.timedelta(days=30 * (k + 1)),
                    by=admin,
                    decided_by="Commission nationale d'intégration (CNI)",
                    post=POSTS[n % len(POSTS)] if to == Step.APPOINTED else "",
                )
    _recruitment(regions, admin)


def _recruitment(regions: dict[str, Region], admin: User) -> None:
    """The defectors of central Mali recruited into the armed forces (2018, CRP)."""
    intake = services.intake_create(
        name="Recrutement des défecteurs (PRC), 2018",
        structure=Structure.RECRUITMENT,
        region=regions["MOP"],
        opened_on=dt.date(2018, 6, 1),
        by=admin,
        note=RECRUITMENT_NOTE,
    )
    # Those not already in a cohort or a unit of the demo.
    defectors = Combatant.objects.may_benefit().filter(
        category=Category.DEFECTOR,
        pathway=Pathway.INTEGRATION_ARMY,
        integration_candidacies__isnull=True,
        unit_memberships__isnull=True,
    )
    for person in defectors.order_by("pk"):
        placement = services.placement_add(intake=intake, person=person, by=admin, on=dt.date(2018, 6, 1))
        if person.medical_status != MedicalStatus.FIT:
            continue  # stays proposed: the step "fit" needs a medical examination that found them fit
        for k, to in enumerate([Step.FIT, Step.IN_TRAINING, Step.RECRUITED]):
            services.placement_advance(
                placement=placement, to=to, on=dt.date(2018, 7, 1) + dt.timedelta(days=45 * k), by=admin
            )
