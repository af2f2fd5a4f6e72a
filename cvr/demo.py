"""Demo data for CVR: partners, a consortium, and projects whose totals per budget year are the
reference report's table; recent projects taken through the lifecycle by the services, with
registered beneficiaries, so that the mix, the caps and the M&E alerts can be seen working."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.models import Region
from cvr import services
from cvr.models import Beneficiary, Partner, Project
from cvr.models.beneficiaries import AgeBand
from ddr.models import Combatant, Pathway

PARTNERS = [
    ("Bureau des Nations Unies pour les services d'appui aux projets", "UNOPS", Partner.Kind.UN_AGENCY),
    ("Organisation internationale pour les migrations", "OIM", Partner.Kind.UN_AGENCY),
    ("Association Sahel Paix et Développement", "ASPD", Partner.Kind.LOCAL_NGO),
    ("ONG Femmes du Nord pour la Paix", "FNP", Partner.Kind.LOCAL_NGO),
    ("Groupe d'Appui au Développement Local de Gao", "GADL", Partner.Kind.LOCAL_NGO),
    ("Association Tilwat pour l'Eau", "ATE", Partner.Kind.LOCAL_NGO),
    ("Initiative Jeunesse Tombouctou", "IJT", Partner.Kind.LOCAL_NGO),
    ("ONG Kidal Solidarité", "KIS", Partner.Kind.LOCAL_NGO),
    ("Réseau Ménaka Développement", "RMD", Partner.Kind.LOCAL_NGO),
    ("Association Delta Centre Mali", "ADCM", Partner.Kind.LOCAL_NGO),
    ("ONG Azhar", "AZHAR", Partner.Kind.LOCAL_NGO),
    ("Association des Jeunes de Bourem", "AJB", Partner.Kind.LOCAL_NGO),
    ("ONG Tassaght", "TASSAGHT", Partner.Kind.LOCAL_NGO),
    ("Conseil Danois pour les Réfugiés", "DRC", Partner.Kind.INTERNATIONAL_NGO),
]
# The reference report's table: budget years, projects, USD, beneficiaries reached (women), and
# for 2022-2023 the targets (women) beside what was reached.
RECORD = [
    ("2013-2014", 5, 210_000, 17_000, 5_100, None),
    ("2014-2015", 6, 256_000, 21_000, 6_338, None),
    *[(f"{y}-{y + 1}", 30, 3_000_000, 52_416, 25_415, None) for y in range(2015, 2021)],
    ("2021-2022", 38, 3_000_000, 33_522, 16_666, None),
    ("2022-2023", 34, 3_000_000, 21_126, 10_222, (26_804, 12_952)),
]
CENTRES = {
    "GAO": (16.27, -0.04),
    "TBK": (16.77, -3.01),
    "KID": (18.44, 1.41),
    "MEN": (15.92, 2.40),
    "MOP": (14.49, -4.19),
    "SEG": (13.43, -6.26),
}
KINDS = list(Project.Kind)
GIVEN = ["Aminata", "Fadimata", "Moussa", "Hawa", "Issa", "Kadidia"]
FAMILY = ["Maïga", "Touré", "Cissé", "Dicko"]


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`parts` positive whole numbers, about equal, summing exactly to `total`."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    values = [int(v) for v in raw]
    for i in range(total - sum(values)):
        values[i % parts] += 1
    return values


def proportional(total: int, weights: list[int]) -> list[int]:
    """`total` shared in proportion to `weights`, in whole numbers summing exactly to `total`."""
    raw = [total * w / sum(weights) for w in weights]
    values = [int(v) for v in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - values[i], reverse=True)
    for i in by_remainder[: total - sum(values)]:
        values[i] += 1
    return values


def seed(rng: random.Random, regions: dict[str, Region], admin: User) -> None:
    partners = bulk_create_with_history(
        [Partner(name=name, acronym=acronym, kind=kind) for name, acronym, kind in PARTNERS],
        Partner,
        default_user=admin,
        default_change_reason="demo data",
    )
    for partner in partners:
        partner.regions.set([regions[c] for c in rng.sample(sorted(CENTRES), 2)])
    by_acronym = {p.acronym: p for p in Partner.objects.all()}
    consortium = services.consortium_create(
        name="Consortium Gao Paix et Eau",
        lead=by_acronym["ASPD"],
        members=[by_acronym["ASPD"], by_acronym["GADL"], by_acronym["FNP"]],
        formed_on=dt.date(2023, 6, 1),
        by=admin,
    )
    _record(rng, regions, list(Partner.objects.exclude(acronym="DRC")), admin)
    _recent(rng, regions, by_acronym, consortium, admin)
    services.mix_refresh()
    services.me_visits_flag()


def _record(rng: random.Random, regions: dict[str, Region], partners: list[Partner], admin: User) -> None:
    projects = []
    for year, count, budget, reached, women, targets in RECORD:
        first = int(year[:4])
        budgets = split(budget, count, rng)
        reach = split(reached, count, rng)
        reach_women = proportional(women, reach)
        target = split(targets[0], count, rng) if targets else reach
        target_women = proportional(targets[1], target) if targets else reach_women
        for i in range(count):
            code = rng.choice(sorted(CENTRES))
            start = dt.date(first, 7, 1) + dt.timedelta(days=rng.randrange(0, 180))
            end = start + dt.timedelta(days=rng.randrange(150, 300))
            kind = rng.choice(KINDS)
            lat, lon = CENTRES[code]
            recent = first == 2022
            visited = not recent or i % 5 != 0  # a fifth of 2022-2023 still awaits its visit
            projects.append(
                Project(
                    code=f"RVC-{first}-{i + 1:03d}",
                    title=f"{kind.label} — {regions[code].name}",
                    kind=kind,
                    with_wam=kind == Project.Kind.WAM,
                    status=Project.Status.CLOSED if visited else Project.Status.COMPLETED,
                    region=regions[code],
                    latitude=Decimal(f"{lat + rng.uniform(-0.6, 0.6):.4f}"),
                    longitude=Decimal(f"{lon + rng.uniform(-0.6, 0.6):.4f}"),
                    partner=rng.choice(partners),
                    budget_usd=Decimal(budgets[i]),
                    funding=rng.choice(list(Project.Funding)),
                    start=start,
                    end=end,
                    actual_start=start,
                    actual_end=end,
                    approved_on=start - dt.timedelta(days=30),
                    target_beneficiaries=target[i],
                    target_women=target_women[i],
                    # In practice no ex-combatant took part, and women reached almost half.
                    beneficiaries_community=reach[i],
                    beneficiaries_women=reach_women[i],
                    beneficiaries_youth=int(reach[i] * rng.uniform(0.4, 0.6)),
                    committee_leaders=5,
                    committee_leaders_women=rng.choice([1, 2, 2, 3]),
                    me_due_on=end + dt.timedelta(days=365),
                    me_visited_on=end + dt.timedelta(days=365 + rng.randrange(0, 60)) if visited else None,
                    me_mode=(rng.choice(list(Project.VisitMode)) if visited else ""),
                    me_source="Rapport de l'ONG et des bénéficiaires" if visited else "",
                )
            )
    bulk_create_with_history(
        projects, Project, batch_size=500, default_user=admin, default_change_reason="demo data"
    )


def _recent(
    rng: random.Random,
    regions: dict[str, Region],
    partners: dict[str, Partner],
    consortium: Any,
    admin: User,
) -> None:
    """This year's projects, taken step by step through the services (audited, SOP-checked)."""
    today = timezone.localdate()
    specs = [
        # code, kind, region, implementer, budget, steps back from today, last status
        ("RVC-2026-001", Project.Kind.WATER, "GAO", consortium, 280_000, Project.Status.IMPLEMENTATION),
        (
            "RVC-2026-002",
            Project.Kind.VOCATIONAL,
            "TBK",
            partners["IJT"],
            95_000,
            Project.Status.IMPLEMENTATION,
        ),
        ("RVC-2026-003", Project.Kind.AGRICULTURE, "MEN", partners["RMD"], 60_000, Project.Status.COMPLETED),
        ("RVC-2026-004", Project.Kind.INCOME, "MOP", partners["ADCM"], 80_000, Project.Status.LOCAL_REVIEW),
        ("RVC-2026-005", Project.Kind.LIGHTING, "KID", partners["KIS"], 45_000, Project.Status.DRAFT),
    ]
    path = [
        Project.Status.SUBMITTED,
        Project.Status.LOCAL_REVIEW,
        Project.Status.PAC,
        Project.Status.VETTED,
        Project.Status.ASSESSED,
        Project.Status.IMPLEMENTATION,
        Project.Status.COMPLETED,
    ]
    bodies = {
        Project.Status.SUBMITTED: "ONG partenaire",
        Project.Status.LOCAL_REVIEW: "Comité local d'examen",
        Project.Status.PAC: "Comité d'évaluation des projets (PAC), Bamako",
        Project.Status.VETTED: "Section des droits de l'homme",
        Project.Status.ASSESSED: "Direction régionale de l'hydraulique",
        Project.Status.IMPLEMENTATION: "CNDDR",
        Project.Status.COMPLETED: "CNDDR",
    }
    eligible = list(
        Combatant.objects.may_benefit()  # the programmes' one rule (ddr.registration.benefit)
        .filter(pathway__in=[Pathway.COMMUNITY, Pathway.REINSERTION])
        .order_by("pk")[:200]
    )
    for n, (code, kind, region, implementer, budget, last) in enumerate(specs):
        lat, lon = CENTRES[region]
        project = Project.objects.create(
            code=code,
            title=f"{kind.label} — {regions[region].name}",
            kind=kind,
            region=regions[region],
            latitude=Decimal(f"{lat + 0.2:.4f}"),
            longitude=Decimal(f"{lon + 0.2:.4f}"),
            partner=None if implementer is consortium else implementer,
            consortium=implementer if implementer is consortium else None,
            budget_usd=Decimal(budget),
            start=today - dt.timedelta(days=400),
            end=today + dt.timedelta(days=60),
            target_beneficiaries=120,
            target_women=50,
            committee_leaders=5,
            committee_leaders_women=1 if n == 1 else 2,
        )
        steps = path[: path.index(last) + 1] if last != Project.Status.DRAFT else []
        steps = [s for s in steps if s != Project.Status.ASSESSED or project.needs_technical_assessment]
        # Ten days between steps; the completed one finished 350 days ago, so its one-year visit
        # falls due within 30 days.
        day = today - dt.timedelta(days=350 + 10 * (len(steps) - 1))
        for step in steps:
            services.project_advance(
                project=project,
                to=step,
                on=day,
                by=admin,
                decided_by=bodies[step],
                minutes=f"PV {code}/{step}",
                technical_agency="Direction régionale de l'hydraulique de Gao",
                technical_result="Forage faisable, débit suffisant",
            )
            day += dt.timedelta(days=10)
        if last in (Project.Status.IMPLEMENTATION, Project.Status.COMPLETED):
            _beneficiaries(rng, project, eligible[n * 15 : n * 15 + (15 if n == 1 else 4)], admin)


def _beneficiaries(rng: random.Random, project: Project, people: list[Combatant], admin: User) -> None:
    rows = [
        Beneficiary(
            project=project,
            kind=Beneficiary.Kind.EX_COMBATANT,
            combatant=p,
            sex=p.sex,
            age_band=AgeBand.B25_35,
            village=project.region.name,
            registered_by=admin,
        )
        for p in people
    ]
    # The vocational project keeps to 60/40; the others show the deviation seen in practice.
    for i in range(10 if len(people) == 15 else rng.randint(30, 45)):
        rows.append(
            Beneficiary(
                project=project,
                kind=Beneficiary.Kind.COMMUNITY,
                name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {i + 1}",
                sex="F" if rng.random() < 0.5 else "M",
                age_band=rng.choice(list(AgeBand)),
                village=project.region.name,
                youth_at_risk=rng.random() < 0.3,
                registered_by=admin,
            )
        )
    bulk_create_with_history(rows, Beneficiary, default_user=admin, default_change_reason="demo data")
