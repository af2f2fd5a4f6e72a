"""Demo data for CVR: partners, a consortium, and projects whose totals per budget year are the
reference report's table (lessons learned 2024, 3.2.2), with its other figures: the first 11 by
UNOPS, IOM's million, nearly 60 local NGOs, central Mali's 65 projects, the CRP's weapons
component, the eight projects under way at the exit; recent projects taken through the lifecycle
by the services, with registered beneficiaries, so that the mix, the caps and the M&E alerts can
be seen working. What the report does not give is invented, and the record's note says so."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.models import Cercle, Region
from cvr import services
from cvr.models import Beneficiary, Committee, CommunityConsultation, Partner, Project
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
# Where each northern NGO above works; ADCM works in central Mali.
HOMES = {
    "ASPD": "GAO",
    "FNP": "TBK",
    "GADL": "GAO",
    "ATE": "KID",
    "IJT": "TBK",
    "KIS": "KID",
    "RMD": "MEN",
    "AZHAR": "TBK",
    "AJB": "GAO",
    "TASSAGHT": "GAO",
}
# Nearly 60 local NGO partners since 2015 (3.2.2), 23 of them in central Mali (3.2.3): the demo
# names the others after the places they work in (invented names, said so in their notes).
MORE_NORTH = [
    ("Ansongo", "GAO"),
    ("Ouatagouna", "GAO"),
    ("Tassiga", "GAO"),
    ("Gabero", "GAO"),
    ("Bara", "GAO"),
    ("Tarkint", "GAO"),
    ("Bamba", "GAO"),
    ("Tombouctou", "TBK"),
    ("Goundam", "TBK"),
    ("Diré", "TBK"),
    ("Niafunké", "TBK"),
    ("Gourma-Rharous", "TBK"),
    ("Ber", "TBK"),
    ("Léré", "TBK"),
    ("Tonka", "TBK"),
    ("Kidal", "KID"),
    ("Aguelhok", "KID"),
    ("Tessalit", "KID"),
    ("Anéfis", "KID"),
    ("Tin-Essako", "KID"),
    ("Ménaka", "MEN"),
    ("Andéramboukane", "MEN"),
    ("Inékar", "MEN"),
    ("Tidermène", "MEN"),
    ("Talataye", "MEN"),
]
MORE_CENTRAL = [
    "Mopti",
    "Sévaré",
    "Konna",
    "Djenné",
    "Ténenkou",
    "Youwarou",
    "Sofara",
    "Fatoma",
    "Socoura",
    "Bandiagara",
    "Bankass",
    "Koro",
    "Kani-Bonzon",
    "Sangha",
    "Douentza",
    "Boni",
    "Hombori",
    "Mondoro",
    "San",
    "Tominian",
    "Ségou",
    "Macina",
]
INVENTED_PARTNER = "Démo : nom inventé ; le rapport ne nomme aucune ONG partenaire."
# The reference report's table (3.2.2): budget years, projects, USD, beneficiaries reached
# (women), and for 2022-2023 the targets (women) beside what was reached. The report gives 2013-2015
# as one row: its split between the two years is invented.
RECORD = [
    ("2013-2014", 5, 210_000, 17_000, 5_100, None),
    ("2014-2015", 6, 256_000, 21_000, 6_338, None),
    *[(f"{y}-{y + 1}", 30, 3_000_000, 52_416, 25_415, None) for y in range(2015, 2021)],
    ("2021-2022", 38, 3_000_000, 33_522, 16_666, None),
    ("2022-2023", 34, 3_000_000, 21_126, 10_222, (26_804, 12_952)),
]
# Central Mali, 2015-2023 (3.2.3): 65 projects (36 in Mopti, 13 in Bandiagara, 10 in Douentza, 2 in
# San, 4 in Ségou) by 23 local NGOs, targeting 54,131 people of whom 28,148 women. The places are
# cercles here; the split of the 65 over the budget years is invented.
CENTRAL_PLACES = {"Mopti": 36, "Bandiagara": 13, "Douentza": 10, "San": 2, "Ségou": 4}
CENTRAL_BY_YEAR = {2015: 6, 2016: 8, 2017: 10, 2018: 9, 2019: 8, 2020: 8, 2021: 9, 2022: 7}
CENTRAL_TARGETED, CENTRAL_WOMEN = 54_131, 28_148
# The first 11 projects: UNOPS, under the USD 3 million PBF project that also built the sites, in
# Gao, Kidal and Timbuktu; IOM then took over, USD 1 million of projects (3.2.2).
FIRST_PLACES = ["GAO", "KID", "TBK"]
IOM_PROJECTS, IOM_BUDGET = 10, 1_000_000
# The three CRP projects around the Soufouroulaye camp (2018): the only ones with a weapons and
# ammunition component (3.2.3).
CRP_KINDS = [Project.Kind.SENSITISATION, Project.Kind.INFRASTRUCTURE, Project.Kind.WATER]
# At the exit "all eight CVR projects that were ongoing were somewhat completed or at least the
# remaining funds were transferred to the local implementing partners" (3.4.1); most SSR-DDR staff
# had left by the end of September 2023: no visit after that.
ONGOING_AT_EXIT, FUNDS_TRANSFERRED = 8, 3
MANDATE_END, STAFF_LEFT = dt.date(2023, 6, 30), dt.date(2023, 9, 30)
CENTRES = {
    "GAO": (16.27, -0.04),
    "TBK": (16.77, -3.01),
    "KID": (18.44, 1.41),
    "MEN": (15.92, 2.40),
    "MOP": (14.49, -4.19),
    "SEG": (13.43, -6.26),
    "Mopti": (14.49, -4.19),
    "Bandiagara": (14.35, -3.61),
    "Douentza": (15.00, -2.95),
    "San": (13.30, -4.90),
    "Ségou": (13.43, -6.26),
}
# No project of the record is a WAM project: the CRP's carry the component (`with_wam`).
KINDS = [k for k in Project.Kind if k != Project.Kind.WAM]
EXIT_NOTE = (
    "En cours au départ de la MINUSMA (3.4.1) : achevé, ou fonds restants transférés au partenaire ; "
    "lequel des deux est inventé."
)
INVENTED_PROJECT = (
    "Démo : le rapport ne donne que les totaux par année (tableau, 3.2.2) ; le budget, les "
    "bénéficiaires, le lieu, les dates et le type de ce projet sont inventés dans ces totaux."
)
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


# Each year's share of central Mali's targets (people, women), in proportion to its projects.
CENTRAL_SPLIT = dict(
    zip(
        CENTRAL_BY_YEAR,
        zip(
            proportional(CENTRAL_TARGETED, list(CENTRAL_BY_YEAR.values())),
            proportional(CENTRAL_WOMEN, list(CENTRAL_BY_YEAR.values())),
            strict=True,
        ),
        strict=True,
    )
)


def _acronym(place: str) -> str:
    plain = unicodedata.normalize("NFKD", place).encode("ascii", "ignore").decode()
    return "APD-" + "".join(c for c in plain.upper() if c.isalpha())


def _partners(admin: User) -> None:
    rows = [Partner(name=name, acronym=acronym, kind=kind) for name, acronym, kind in PARTNERS]
    places = [place for place, _code in MORE_NORTH] + MORE_CENTRAL
    rows += [
        Partner(
            name=f"Association pour la paix et le développement de {place}",
            acronym=_acronym(place),
            kind=Partner.Kind.LOCAL_NGO,
            capacity_notes=INVENTED_PARTNER,
        )
        for place in places
    ]
    bulk_create_with_history(
        rows, Partner, default_user=admin, default_change_reason=gettext_noop("demo data")
    )


def seed(rng: random.Random, regions: dict[str, Region], admin: User) -> None:
    _partners(admin)
    by_acronym = {p.acronym: p for p in Partner.objects.all()}
    consortium = services.consortium_create(
        name="Consortium Gao Paix et Eau",
        lead=by_acronym["ASPD"],
        members=[by_acronym["ASPD"], by_acronym["GADL"], by_acronym["FNP"]],
        formed_on=dt.date(2023, 6, 1),
        by=admin,
    )
    _record(rng, regions, by_acronym, admin)
    _recent(rng, regions, by_acronym, consortium, admin)
    # A partner works in the regions of its projects.
    worked: dict[int, set[int]] = {}
    done = Project.objects.exclude(partner=None).values_list("partner", "region").distinct()
    for partner_id, region in done:
        worked.setdefault(partner_id, set()).add(region)
    for partner in Partner.objects.order_by("pk"):
        partner.regions.set(worked.get(partner.pk) or [regions[c] for c in rng.sample(FIRST_PLACES, 2)])
    _committees(admin)
    services.mix_refresh()
    services.me_visits_flag()


COMMITTEE_NOTE = "Composition inventée : le rapport ne donne pas celle des comités de projet."


def _committees(admin: User) -> None:
    """A project management committee for a few projects of each region (the first by date),
    through the service, so that the demo holds what the form would accept."""
    for code in ("GAO", "TBK", "MOP", "KID"):
        projects = Project.objects.filter(region__code=code, partner__isnull=False).select_related("partner")
        for n, project in enumerate(projects.order_by("start", "code")[:2]):
            partner = cast(Partner, project.partner)
            women_leaders = min(project.committee_leaders_women, 3)
            services.committee_save(
                committee=None,
                partner=partner,
                project=project,
                name=f"Comité de gestion {project.code}",
                kind=Committee.Kind.PROJECT,
                region=project.region,
                formed_on=project.start,
                dissolved_on=project.actual_end if n else None,
                members=9,
                women=max(4, women_leaders),
                women_leaders=women_leaders,
                note=COMMITTEE_NOTE,
                by=admin,
            )


@dataclass
class _Slot:
    """One project of the record before its figures: who implements it, where, what."""

    partner: Partner
    region: str
    cercle: str = ""
    central: bool = False
    kinds: tuple[Any, ...] = ()
    with_wam: bool = False
    funding: str = Project.Funding.ASSESSED
    note: str = ""


class _Draw:
    """Who implements each project of the record and where: the UNOPS first, then IOM; the
    northern NGOs in their regions and the central ones in turn, so that every partner works."""

    def __init__(self, rng: random.Random, partners: dict[str, Partner]) -> None:
        self.rng, self.partners = rng, partners
        self.north = [(partners[a], code) for a, code in HOMES.items()]
        self.north += [(partners[_acronym(place)], code) for place, code in MORE_NORTH]
        self.central = [partners["ADCM"], *(partners[_acronym(place)] for place in MORE_CENTRAL)]
        self.places = [place for place, n in CENTRAL_PLACES.items() for _ in range(n)]
        for _crp in CRP_KINDS:
            self.places.remove("Mopti")  # the CRP projects, around the Soufouroulaye camp near Mopti
        rng.shuffle(self.places)
        self.turns = {"north": 0, "central": 0}

    def _next(self, pool: str, items: list[Any]) -> Any:
        item = items[self.turns[pool] % len(items)]
        self.turns[pool] += 1
        return item

    def slots(self, first: int, count: int) -> list[_Slot]:
        if first < 2015:
            unops = "Rapport 2024, 3.2.2 : l'UNOPS a mis en œuvre les 11 premiers projets (projet PBF)."
            return [
                _Slot(self.partners["UNOPS"], self.rng.choice(FIRST_PLACES), funding="pbf", note=unops)
                for _ in range(count)
            ]
        iom = "Rapport 2024, 3.2.2 : l'OIM a repris ensuite (1 million USD) ; financement inventé."
        slots = [
            _Slot(self.partners["OIM"], self.rng.choice(["GAO", "KID", "TBK", "MEN"]), note=iom)
            for _ in range(IOM_PROJECTS if first == 2015 else 0)
        ]
        central = "Rapport 2024, 3.2.3 : centre du Mali, 65 projets de 23 ONG locales."
        crp = "Rapport 2024, 3.2.3 : projet du PRC (camp de Soufouroulaye), seul type avec un volet GMA."
        if first == 2017:
            slots += [
                _Slot(self._next("central", self.central), "MOP", "Mopti", True, (kind,), True, note=crp)
                for kind in CRP_KINDS
            ]
        while sum(s.central for s in slots) < CENTRAL_BY_YEAR[first]:
            cercle = self.places.pop()
            region = "SEG" if cercle in ("San", "Ségou") else "MOP"
            slots.append(_Slot(self._next("central", self.central), region, cercle, True, note=central))
        while len(slots) < count:
            partner, code = self._next("north", self.north)
            slots.append(_Slot(partner, code))
        self.rng.shuffle(slots)
        return slots


def _figures(
    rng: random.Random, slots: list[_Slot], first: int, budget: int, reached: tuple[int, int], targets: Any
) -> list[tuple[int, int, int, int, int]]:
    """Each project's budget, target (women) and reached (women): the year's totals split, the
    central projects' targets summing to the report's central figures, IOM's budgets to its million."""
    iom = [i for i, s in enumerate(slots) if s.partner.acronym == "OIM"]
    others = [i for i in range(len(slots)) if i not in iom]
    budgets = dict(zip(iom, split(IOM_BUDGET, len(iom), rng) if iom else [], strict=True))
    budgets.update(zip(others, split(budget - sum(budgets.values()), len(others), rng), strict=True))
    targeted, targeted_women = targets or reached
    central = [i for i, s in enumerate(slots) if s.central]
    north = [i for i, s in enumerate(slots) if not s.central]
    people, women = CENTRAL_SPLIT.get(first, (0, 0))
    # The people reached are the targets, except in 2022-2023, cut short by the exit.
    got, got_women = round(people * reached[0] / targeted), round(women * reached[1] / targeted_women)
    groups = [
        (central, people, women, got, got_women),
        (north, targeted - people, targeted_women - women, reached[0] - got, reached[1] - got_women),
    ]
    figures: dict[int, tuple[int, int, int, int, int]] = {}
    for members, aimed, aimed_women, got, got_women in groups:
        if not members:
            continue
        shares = split(aimed, len(members), rng)
        women_shares = proportional(aimed_women, shares)
        got_shares = proportional(got, shares)
        got_women_shares = proportional(got_women, women_shares)
        for n, i in enumerate(members):
            figures[i] = (budgets[i], shares[n], women_shares[n], got_shares[n], got_women_shares[n])
    return [figures[i] for i in range(len(slots))]


def _dates(rng: random.Random, first: int, slot: _Slot, exit_turn: int | None) -> dict[str, Any]:
    """Dates, status and M&E visit of one project: CVR projects started in 2014 (3.2.2); a visit one
    year after completion, never after the SSR-DDR staff left (September 2023); the eight under way
    at the exit completed, or their remaining funds transferred to the partner (3.4.1)."""
    if first == 2013:
        start = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 180))
    elif slot.with_wam:
        start = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 180))  # the CRP, in 2018
    else:
        start = dt.date(first, 7, 1) + dt.timedelta(days=rng.randrange(0, 180))
    end = start + dt.timedelta(days=rng.randrange(150, 300))
    if first == 2022:
        end = min(end, MANDATE_END - dt.timedelta(days=15))
    values: dict[str, Any] = {"start": start, "end": end, "actual_start": start, "actual_end": end}
    if exit_turn is not None:
        values["end"] = MANDATE_END + dt.timedelta(days=rng.randrange(1, 150))
        if exit_turn < FUNDS_TRANSFERRED:
            values.update(actual_end=None, status=Project.Status.TRANSFERRED, transferred_to=slot.partner)
            return values
        values["actual_end"] = MANDATE_END + dt.timedelta(days=rng.randrange(15, 90))
    due = values["actual_end"] + dt.timedelta(days=365)
    values.update(me_due_on=due, status=Project.Status.COMPLETED)
    if due <= STAFF_LEFT:
        mode = rng.choice(list(Project.VisitMode))
        values.update(
            status=Project.Status.CLOSED,
            me_visited_on=min(due + dt.timedelta(days=rng.randrange(0, 60)), STAFF_LEFT),
            me_mode=mode,
            me_source="Rapport de l'ONG et des bénéficiaires" if mode == Project.VisitMode.REMOTE else "",
        )
    return values


def _record(
    rng: random.Random, regions: dict[str, Region], partners: dict[str, Partner], admin: User
) -> None:
    cercles = {c.name: c for c in Cercle.objects.filter(region__code__in=["MOP", "SEG"])}
    draw = _Draw(rng, partners)
    projects = []
    for year, count, budget, reached, women, targets in RECORD:
        first = int(year[:4])
        slots = draw.slots(first, count)
        figures = _figures(rng, slots, first, budget, (reached, women), targets)
        at_exit = rng.sample(range(count), ONGOING_AT_EXIT) if first == 2022 else []
        for i, (slot, numbers) in enumerate(zip(slots, figures, strict=True)):
            money, aimed, aimed_women, got, got_women = numbers
            kind = slot.kinds[0] if slot.kinds else rng.choice(KINDS)
            lat, lon = CENTRES[slot.cercle or slot.region]
            place = slot.cercle or regions[slot.region].name
            exit_turn = at_exit.index(i) if i in at_exit else None
            transferred = exit_turn is not None and exit_turn < FUNDS_TRANSFERRED
            values = _dates(rng, first, slot, exit_turn)
            notes = [INVENTED_PROJECT, slot.note, EXIT_NOTE if exit_turn is not None else ""]
            project = Project(
                code=f"RVC-{first}-{i + 1:03d}",
                title=f"{kind.label} — {place}",
                kind=kind,
                with_wam=slot.with_wam,
                region=regions[slot.region],
                cercle=cercles.get(slot.cercle),
                latitude=Decimal(f"{lat + rng.uniform(-0.3, 0.3):.4f}"),
                longitude=Decimal(f"{lon + rng.uniform(-0.3, 0.3):.4f}"),
                partner=slot.partner,
                budget_usd=Decimal(money),
                remaining_funds_usd=Decimal(round(money * rng.uniform(0.2, 0.4))) if transferred else None,
                funding=slot.funding,
                approved_on=values["start"] - dt.timedelta(days=30),
                target_beneficiaries=aimed,
                target_women=aimed_women,
                # In practice no ex-combatant took part, and women reached almost half.
                beneficiaries_community=got,
                beneficiaries_women=got_women,
                beneficiaries_youth=int(got * rng.uniform(0.4, 0.6)),
                committee_leaders=5,
                committee_leaders_women=rng.choice([1, 2, 2, 3]),
                **values,
            )
            project._change_reason = " ".join(filter(None, notes))  # type: ignore[attr-defined]
            projects.append(project)
    bulk_create_with_history(
        projects, Project, batch_size=500, default_user=admin, default_change_reason=gettext_noop("demo data")
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
        Project.Status.GOVERNOR,  # every one of these was approved after August 2022
        Project.Status.VETTED,
        Project.Status.ASSESSED,
        Project.Status.IMPLEMENTATION,
        Project.Status.COMPLETED,
    ]
    bodies = {
        Project.Status.SUBMITTED: "ONG partenaire",
        Project.Status.LOCAL_REVIEW: "Comité local d'examen",
        Project.Status.PAC: "Comité d'évaluation des projets (PAC), Bamako",
        Project.Status.GOVERNOR: "Gouverneur de la région",
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
        if steps:
            _consulted(project, today - dt.timedelta(days=420), admin, analysed=len(steps) > 2)


def _consulted(project: Project, day: dt.date, admin: User, *, analysed: bool) -> None:
    """The community's request and the consultation before the project (invented, as the report
    gives none per project), and for those past the PAC the analyses recommendations X and XI ask for."""
    place = project.region.name
    services.consultation_record(
        project=project,
        by=admin,
        kind=CommunityConsultation.Kind.REQUEST,
        on=day,
        place=f"Mairie de {place}",
        raised_by="Conseil communal",
        participants=12,
        women=3,
        summary=f"{project.get_kind_display()} demandé par la commune (exemple inventé).",
    )
    services.consultation_record(
        project=project,
        by=admin,
        kind=CommunityConsultation.Kind.CONSULTATION,
        on=day + dt.timedelta(days=7),
        place=f"Place publique, {place}",
        raised_by="Chef de village et association des femmes",
        participants=85,
        women=41,
        summary="Accord de la communauté ; les femmes demandent un horaire compatible (exemple inventé).",
    )
    if analysed:
        services.project_analysis_record(
            project=project,
            by=admin,
            political_economy="Marché local tenu par deux familles ; tensions foncières (inventé).",
            risk_analysis="Groupes armés sur l'axe : paiements par téléphone, suivi à distance (inventé).",
        )


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
    bulk_create_with_history(
        rows, Beneficiary, default_user=admin, default_change_reason=gettext_noop("demo data")
    )
