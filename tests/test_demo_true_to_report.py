"""The demo data told against its source: the UN's "Lessons learned exercise on DDR and CVR in
Mali" (March 2024). Each row of FIGURES is one of the report's facts, the passage that states it
(quoted word for word, with its section; " … " between two quoted parts), and a query of the
seeded demo that must give it back.
Where the report gives no figure the demo invents one and says so in the record's note; such
figures are not in this table.

The demo is seeded once for the module (seeding is slow) inside a transaction rolled back at the
end; each test runs in its own savepoint within it."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum

from cantonment.models import CantonmentStay, InventoryItem, Site, SiteEvent, WamItem
from cvr import selectors as cvr_selectors
from cvr.models import Consortium, Partner, Project, SOPVersion
from ddr.models import ArmedGroup, Category, Choice, CoalitionMembership, Combatant, RuleSet
from integration.models import Cohort, IntegrationTarget, Membership, Party, Unit
from programme.governance.models import RoadmapAction

pytestmark = pytest.mark.django_db

REPORT = Path(
    os.environ.get("DDR_REFERENCE_REPORT", "/work/shared/reference/lessons-learned-ddr-cvr-mali-2024.md")
)
D = dt.date
BUILT = Site.Status.BUILT
CENTRAL = ("MOP", "SEG")
# The record's projects: the report's period, before this year's projects (RVC-2026-...).
RECORD = Q(start__lt=D(2023, 7, 1))


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", people=400, stdout=StringIO())
        yield
        transaction.set_rollback(True)


@dataclass(frozen=True)
class Figure:
    what: str
    expected: Any
    section: str
    passage: str
    actual: Callable[[], Any]


def _half(day: D | None) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}" if day else "—"


def _quarter(day: D | None) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day else "—"


def _month(day: D | None) -> str:
    return f"{day:%Y-%m}" if day else "—"


def _step(status: str, **sites: Any) -> dict[str, D]:
    return dict(SiteEvent.objects.filter(status=status, **sites).values_list("site__name", "on"))


def _sites(**where: Any) -> Any:
    return Site.objects.filter(**where)


def _central() -> Any:
    return Project.objects.filter(RECORD, region__code__in=CENTRAL, start__gte=D(2015, 7, 1))


def _record_row(year: str) -> tuple[Any, ...]:
    row = {r.year: r for r in cvr_selectors.yearly_record(Project.objects.all())}[year]
    return (row.projects, row.budget_usd, row.reached, row.reached_women)


def _early() -> tuple[Any, ...]:
    rows = [_record_row("2013-2014"), _record_row("2014-2015")]
    return tuple(sum(values) for values in zip(*rows, strict=True))


def _pilots() -> tuple[str, str]:
    events = SiteEvent.objects.filter(site__kind=Site.Kind.PRE_CANTONMENT)
    first = events.aggregate(d=Min("on"))["d"]
    closed = events.filter(status=Site.Status.CLOSED).aggregate(d=Max("on"))["d"]
    return _half(first), _month(closed)


def _approved_before_built() -> bool:
    approvals = SiteEvent.objects.filter(site__status=BUILT, status=Site.Status.VALIDATED)
    started = _step(Site.Status.UNDER_CONSTRUCTION, site__status=BUILT)
    return approvals.count() == 8 and all(
        "CTS" in e.decided_by and e.on < started[name]
        for e, name in ((e, e.site.name) for e in approvals.select_related("site"))
    )


def _kati() -> tuple[Any, ...]:
    kati = Site.objects.get(kind=Site.Kind.TRANSIT)
    built = kati.events.filter(status=BUILT).get().on
    return _month(built), kati.capacity, kati.region.code, "gouvernement" in kati.handed_over_to.lower()


def _batfar_order() -> tuple[str, bool]:
    units = Unit.objects.filter(kind__in=[Unit.Kind.BATFAR, Unit.Kind.COMPANY])
    kidal = units.get(region__code="KID")
    last = kidal.established or D(1, 1, 1)
    earlier = all(u.established and u.established < last for u in units.exclude(pk=kidal.pk))
    return _month(kidal.established), earlier


def _kidal_cma_all_left() -> bool:
    cma = Membership.objects.filter(unit__name="BATFAR Kidal", party=Party.CMA)
    return cma.exists() and cma.count() == cma.filter(end__year=2023).count()


def _reported() -> tuple[Any, ...]:
    totals = Cohort.objects.aggregate(
        r=Sum("reported_registered"),
        b=Sum("reported_biometric"),
        f=Sum("reported_fit"),
        u=Sum("reported_unfit"),
    )
    return totals["r"], totals["b"], totals["f"], totals["u"]


def _reported_units() -> set[str]:
    return set(Cohort.objects.exclude(reported_fit=None).values_list("target_unit__name", flat=True))


def _central_figures() -> tuple[Any, ...]:
    totals = _central().aggregate(
        n=Count("id"),
        ngos=Count("partner", distinct=True, filter=Q(partner__kind=Partner.Kind.LOCAL_NGO)),
        people=Sum("target_beneficiaries"),
        women=Sum("target_women"),
    )
    return totals["n"], totals["ngos"], totals["people"], totals["women"]


def _at_exit() -> tuple[int, bool]:
    ongoing = Project.objects.filter(RECORD, end__gt=D(2023, 6, 30))
    done = ongoing.filter(status__in=[Project.Status.COMPLETED, Project.Status.TRANSFERRED])
    to_own = all(
        p.transferred_to_id == p.partner_id and p.remaining_funds_usd
        for p in ongoing.filter(status=Project.Status.TRANSFERRED)
    )
    return ongoing.count(), done.count() == ongoing.count() and to_own


def _women_share() -> bool:
    totals = Project.objects.filter(RECORD).aggregate(
        women=Sum("beneficiaries_women"), people=Sum("beneficiaries_community")
    )
    return 0.45 <= totals["women"] / totals["people"] < 0.5


def _local_ngos_since_2015() -> bool:
    used = Project.objects.filter(start__gte=D(2015, 1, 1), partner__kind=Partner.Kind.LOCAL_NGO)
    return 55 <= used.values("partner").distinct().count() < 60


def _cap_before_roadmap() -> int:
    early = RuleSet.objects.filter(effective_from__lt=D(2020, 12, 18))
    return sum(1 for r in early if (r.quotas or {}).get("reinsertion", {}).get("regions"))


def _cap_after_roadmap() -> set[int]:
    later = RuleSet.objects.filter(effective_from__gte=D(2020, 12, 18))
    return {n for r in later for n in ((r.quotas or {}).get("reinsertion", {}).get("regions") or {}).values()}


def _quotas_2018() -> tuple[Any, Any]:
    quotas = RuleSet.objects.get(effective_from__year=2018).quotas
    return quotas["integration_army"]["total"], quotas["reinsertion"]["total"]


def _memberships(code: str) -> list[tuple[str, D]]:
    rows = CoalitionMembership.objects.filter(group__code=code).order_by("start")
    return list(rows.values_list("coalition__code", "start"))


def _cpa() -> tuple[Any, ...]:
    cpa = ArmedGroup.objects.get(code="CPA")
    return cpa.split_from.code if cpa.split_from else None, _memberships("CPA")


FIGURES = [
    # --- cantonment (3.1.1) ------------------------------------------------------------------
    Figure(
        "24 sites proposed, 8 approved and built, never used",
        (24, 8, 0),
        "3.1.1",
        "Out of the 24 proposed sites, only 8 were approved by the Technical Commission for Security "
        "(CTS), and thereafter built with support from MINUSMA but never used.",
        lambda: (
            _sites(kind=Site.Kind.CANTONMENT).count(),
            _sites(kind=Site.Kind.CANTONMENT, status=BUILT).count(),
            CantonmentStay.objects.filter(site__kind=Site.Kind.CANTONMENT).count(),
        ),
    ),
    Figure(
        "the eight built sites and their regions",
        {
            "Likrakar": "TBK",
            "Fafa": "GAO",
            "Inékar": "MEN",
            "Ber": "TBK",
            "Tessalit": "KID",
            "Tin Fatimata": "GAO",
            "Ilouk": "GAO",
            "Tabankort": "GAO",
        },
        "3.1.1, note 8",
        "MINUSMA began the construction of five new cantonment sites on 25 April 2015 in Ber (Timbuktu "
        "region), Tessalit (Kidal region) and Tin Fatimata (Gao region) and on 15 May in Ilouk and "
        "Tabankort (Gao region). On 20 May, MINUSMA completed the construction of the first three sites "
        "in Likrakar (Timbuktu region), Fafa (Gao region) and Inékar (Ménaka region)",
        lambda: dict(_sites(status=BUILT).values_list("name", "region__code")),
    ),
    Figure(
        "construction of five sites begun on 25 April and 15 May 2015",
        {
            "Ber": D(2015, 4, 25),
            "Tessalit": D(2015, 4, 25),
            "Tin Fatimata": D(2015, 4, 25),
            "Ilouk": D(2015, 5, 15),
            "Tabankort": D(2015, 5, 15),
        },
        "3.1.1, note 8",
        "MINUSMA began the construction of five new cantonment sites on 25 April 2015",
        lambda: {
            name: day
            for name, day in _step(Site.Status.UNDER_CONSTRUCTION, site__status=BUILT).items()
            if name not in ("Likrakar", "Fafa", "Inékar")
        },
    ),
    Figure(
        "the first three sites completed on 20 May 2015",
        {"Likrakar": D(2015, 5, 20), "Fafa": D(2015, 5, 20), "Inékar": D(2015, 5, 20)},
        "3.1.1, note 8",
        "On 20 May, MINUSMA completed the construction of the first three sites",
        lambda: {n: d for n, d in _step(BUILT).items() if n in ("Likrakar", "Fafa", "Inékar")},
    ),
    Figure(
        "the eight approved by the CTS before they were built",
        True,
        "3.1.1",
        "only 8 were approved by the Technical Commission for Security (CTS), and thereafter built",
        _approved_before_built,
    ),
    Figure(
        "every site proposed before construction began (25 April 2015)",
        True,
        "3.1.1",
        "The map below shows cantonment sites proposed by armed groups.",
        lambda: (
            _step(Site.Status.PROPOSED, site__kind=Site.Kind.CANTONMENT).keys()
            == set(_sites(kind=Site.Kind.CANTONMENT).values_list("name", flat=True))
            and max(_step(Site.Status.PROPOSED, site__kind=Site.Kind.CANTONMENT).values()) < D(2015, 4, 25)
        ),
    ),
    Figure(
        "separate facilities for children and places for women at the eight sites",
        (8, 8),
        "3.3.2; 3.1.1, note 8",
        "Within the eight cantonment sites that were set up, separate facilities were built for "
        "children associated with armed groups",
        lambda: (
            _sites(status=BUILT, children_facilities=True).count(),
            _sites(status=BUILT, places_for_women__gt=0).count(),
        ),
    ),
    Figure(
        "three pilot pre-cantonment sites in the Kidal region, authorised by the CTMS",
        (3, {"KID"}, {Site.Status.OPERATIONAL, Site.Status.CLOSED}, True),
        "3.1.1",
        "three pilot pre-cantonment sites – authorized by the Joint Technical Commission for Security "
        "“CTMS” - in the Kidal region (2 in Kidal City & 1 in Agharous Keyone)",
        lambda: (
            _sites(kind=Site.Kind.PRE_CANTONMENT).count(),
            set(_sites(kind=Site.Kind.PRE_CANTONMENT).values_list("region__code", flat=True)),
            set(
                SiteEvent.objects.filter(site__kind=Site.Kind.PRE_CANTONMENT).values_list("status", flat=True)
            ),
            all(
                "CTMS" in e.decided_by
                for e in SiteEvent.objects.filter(
                    site__kind=Site.Kind.PRE_CANTONMENT, status=Site.Status.OPERATIONAL
                )
            ),
        ),
    ),
    Figure(
        "the pilots: from the second half of 2013, suspended after the clashes of May 2014",
        ("2013-H2", "2014-05"),
        "3.1.1",
        "Between 17-21 May 2014 clashes between the Malian armed forces and CMA armed groups led to "
        "the suspension of all pre-cantonment activities supported by MINUSMA.",
        _pilots,
    ),
    Figure(
        "no weapon handed in at the pilots (no disarmament)",
        0,
        "3.1.1",
        'Also agreed that "disarmament will be completed after the signing of a global and final peace '
        'accord as part of the DDR process" … limited support (food, non-food items and water)',
        lambda: WamItem.objects.filter(site__kind=Site.Kind.PRE_CANTONMENT).count(),
    ),
    Figure(
        "Kati transit camp: completed in April 2021, 250 places, Koulikoro, handed to the government",
        ("2021-04", 250, "KOU", True),
        "3.4",
        "In April 2021, MINUSMA completed the construction of a transit camp in Kati (with the capacity "
        "to accommodate up to 250 former combatants for training prior to redeployment as part of the "
        "BATFAR), Koulikoro Region, handed it over to the transition Government of Mali",
        _kati,
    ),
    Figure(
        "central Mali sites announced in early 2017",
        ({"Site PRC de Ténenkou", "Site PRC de Douentza", "Site PRC de Bankass"}, {"2017-H1"}),
        "3.2.3",
        "In early 2017, the president of the National DDR Commission (CNDDR) announced that three "
        "cantonment sites would be built in central Mali",
        lambda: (
            set(_sites(kind=Site.Kind.PROCESSING).values_list("name", flat=True)),
            {_half(d) for d in _step(Site.Status.PROPOSED, site__kind=Site.Kind.PROCESSING).values()},
        ),
    ),
    Figure(
        "more than 100 containers of equipment, all handed over to the Malian authorities by the end of 2023",
        (True, 0, True),
        "3.1.1",
        "When MINUSMA closed at the end of 2023 it still had more than 100 containers of DDR and CVR "
        "equipment in its possession with supplies meant for the cantonment process, which the UN "
        "ultimately handed over to the Malian authorities.",
        lambda: (
            InventoryItem.objects.filter(kind=InventoryItem.Kind.CONTAINER).count() > 100,
            InventoryItem.objects.filter(handover=None).count(),
            InventoryItem.objects.aggregate(d=Max("handover__on"))["d"] <= D(2023, 12, 31),
        ),
    ),
    # --- MOC and integration (3.2.1, 3.3.1, annexes) -----------------------------------------
    Figure(
        "MOC of Gao established in 2016",
        2016,
        "3.2.1",
        "the establishment of the MOC headquarters in Gao delayed for different reasons until 2016",
        lambda: Unit.objects.get(name="MOC Gao").established.year,
    ),
    Figure(
        "MOC of Timbuktu established in early 2018, its members from then",
        ("2018-Q1", True),
        "3.2.1",
        "In early 2018, mixed units of the MOC were established in Timbuktu.",
        lambda: (
            _quarter(Unit.objects.get(name="MOC Tombouctou").established),
            Membership.objects.filter(unit__name="MOC Tombouctou").aggregate(d=Min("start"))["d"]
            >= Unit.objects.get(name="MOC Tombouctou").established,
        ),
    ),
    Figure(
        "MOC of Kidal not set up by the roadmap of 22 March 2018",
        True,
        "annex 6.2, roadmap of 22 March 2018, item 5",
        "Mettre en place et rendre fonctionnels les bataillons du MOC de Kidal et Tombouctou",
        lambda: (
            (established := Unit.objects.get(name="MOC Kidal").established) is None
            or established > D(2018, 3, 22)
        ),
    ),
    Figure(
        "roadmap of 22 March 2018: the MOC of Timbuktu and the integration under way, cantonment dropped",
        {5: "under_way", 11: "dropped", 12: "under_way"},
        "3.2.1; 3.1.1; 3.3.1",
        "In early 2018, mixed units of the MOC were established in Timbuktu. … formal cantonment never "
        "took place … The official “launching” ceremony for the “accelerated DDR and Integration” took "
        "place on 6 November 2018",
        lambda: dict(
            RoadmapAction.objects.filter(
                roadmap__adopted_on=D(2018, 3, 22), number__in=[5, 11, 12]
            ).values_list("number", "status")
        ),
    ),
    Figure(
        "four reconstituted units: Gao, Kidal, Timbuktu and the Ménaka company",
        {"GAO", "KID", "TBK", "MEN"},
        "3.4",
        "1,765 of whom have been integrated into four reconstituted units in the north",
        lambda: set(
            Unit.objects.filter(kind__in=[Unit.Kind.BATFAR, Unit.Kind.COMPANY]).values_list(
                "region__code", flat=True
            )
        ),
    ),
    Figure(
        "units deployed to Gao, Timbuktu and Ménaka before Kidal, in February 2020",
        ("2020-02", True),
        "3.3.1",
        "which deployed back to Gao and Timbuktu first, as well as Menaka, then Kidal in February 2020",
        _batfar_order,
    ),
    Figure(
        "the accelerated process as reported: 1,423 registered, 2,300 biometric, 1,765 fit, 430 unfit",
        (1423, 2300, 1765, 430),
        "3.3.1",
        "2,300 armed group members were registered biometrically, of which 1,765 were declared medically "
        "fit and therefore integrated into the BATFARs",
        _reported,
    ),
    Figure(
        "the 1,765 fit integrated into the four units, not one",
        {"BATFAR Gao", "BATFAR Kidal", "BATFAR Tombouctou", "Compagnie de Ménaka"},
        "3.4",
        "with MINUSMA support, 2,300 combatants have undergone the accelerated DDR process, 1,765 of whom "
        "have been integrated into four reconstituted units in the north.",
        _reported_units,
    ),
    Figure(
        "target of 3,000 integrated by 2020",
        (3000, 2020),
        "3.3.1",
        "the objective of reintegrating 3,000 fighters by 2020",
        lambda: tuple(
            IntegrationTarget.objects.filter(number=3000).values_list("number", "deadline__year").get()
        ),
    ),
    Figure(
        "all CMA members of the Kidal BATFAR left in 2023",
        True,
        "annex 6.1, 2023",
        "All CMA combatants that were part of Kidal BATFAR re-join the armed groups",
        _kidal_cma_all_left,
    ),
    Figure(
        "the Kidal BATFAR did not survive: gone from Kidal in October 2023",
        ("2023-10", 0),
        "3.3.1, note 31",
        "took refuge in the MINUSMA camp before leaving Kidal altogether in October 2023",
        lambda: (
            _month(Unit.objects.get(name="BATFAR Kidal").dissolved),
            Membership.objects.filter(unit__name="BATFAR Kidal", end__isnull=True).count(),
        ),
    ),
    Figure(
        "no child registered in the accelerated process (November 2018 to July 2020)",
        0,
        "3.3.2",
        "no child was registered during the accelerated DDR and integration process",
        lambda: Combatant.objects.filter(
            category=Category.CHILD, registered_at__range=(D(2018, 11, 6), D(2020, 7, 31))
        ).count(),
    ),
    # --- eligibility rules and reinsertion ----------------------------------------------------
    Figure(
        "10,000 to integration, 16,000 to DDR",
        (10_000, 16_000),
        "3.3.1",
        "the government agreed to integrate 10,000 of these eligible fighters into the Reconstituted "
        "Defense and Security Forces and to put the other 16,000 into the national DDR program",
        _quotas_2018,
    ),
    Figure(
        "no rule set before the roadmap of 18 December 2020 holds the 300-per-region cap",
        0,
        "annex 6.2, roadmap of 18 December 2020, item 12",
        "Fournir les listes des volontaires pour la 1 <sup>ère</sup> opération de réinsertion "
        "socio-économique à raison de 300/région.",
        _cap_before_roadmap,
    ),
    Figure(
        "the 300-per-region cap from the roadmap of 18 December 2020",
        {300},
        "annex 6.2, roadmap of 18 December 2020",
        "Bamako, le 18 décembre 2020",
        _cap_after_roadmap,
    ),
    Figure(
        "volunteers for civilian life at the workshops of 18 and 19 March 2021",
        {D(2021, 3, 18)},
        "3.4",
        "On 18 and 19 March 2021, a workshop was held (in the six central and northern regions, "
        "targeting 300 ex-combatants per location)",
        lambda: set(
            Choice.objects.filter(volunteer_first_operation=True).values_list("chosen_on", flat=True)
        ),
    ),
    # --- CVR (3.2.2, 3.2.3, 3.4.1) ------------------------------------------------------------
    Figure(
        "CVR projects started in 2014",
        2014,
        "3.2.2",
        "MINUSMA’s Community Violence Reduction (CVR) projects officially started in 2014",
        lambda: Project.objects.aggregate(d=Min("start"))["d"].year,
    ),
    Figure(
        "2013-2015: 11 projects, USD 466,000, 38,000 beneficiaries of whom 11,438 women",
        (11, 466_000, 38_000, 11_438),
        "3.2.2, table",
        "2013 - 2015 11 CVR projects USD 466,000 38,000 including 11,438 women",
        _early,
    ),
    *[
        Figure(
            f"{year}-{year + 1}: 30 projects, USD 3 million, 52,416 beneficiaries of whom 25,415 women",
            (30, 3_000_000, 52_416, 25_415),
            "3.2.2, table",
            "2015 - 2021 30 CVR projects per year on average* USD 3 million per year 52,416 including "
            "25,415 women**",
            partial(_record_row, f"{year}-{year + 1}"),
        )
        for year in range(2015, 2021)
    ],
    Figure(
        "2021-2022: 38 projects, USD 3 million, 33,522 beneficiaries of whom 16,666 women",
        (38, 3_000_000, 33_522, 16_666),
        "3.2.2, table",
        "2021 - 2022 38 CVR projects USD 3 million 33,522 including 16,666 women",
        lambda: _record_row("2021-2022"),
    ),
    Figure(
        "2022-2023: 34 projects, 26,804 targeted (12,952 women), 21,126 reached (10,222 women)",
        (34, 26_804, 12_952, 21_126, 10_222),
        "3.2.2, table",
        "due to the closure of the mission the numbers attained were: 21,126 including 10,222 women",
        lambda: (
            (
                row := {r.year: r for r in cvr_selectors.yearly_record(Project.objects.all())}["2022-2023"]
            ).projects,
            row.targeted,
            row.targeted_women,
            row.reached,
            row.reached_women,
        ),
    ),
    Figure(
        "the first 11 projects by UNOPS, under the PBF, in Gao, Kidal and Timbuktu",
        (11, {"UNOPS"}, {Project.Funding.PBF}, {"GAO", "KID", "TBK"}),
        "3.2.2",
        "UNOPS implemented the first 11 CVR projects while also building the cantonment sites as part of "
        "a USD 3 million PBF project",
        lambda: (
            (first := Project.objects.filter(start__lt=D(2015, 7, 1))).count(),
            set(first.values_list("partner__acronym", flat=True)),
            set(first.values_list("funding", flat=True)),
            set(first.values_list("region__code", flat=True)),
        ),
    ),
    Figure(
        "IOM then took over: USD 1 million of projects",
        1_000_000,
        "3.2.2",
        "IOM thereafter took over (USD 1 million worth of CVR projects)",
        lambda: Project.objects.filter(partner__acronym="OIM").aggregate(s=Sum("budget_usd"))["s"],
    ),
    Figure(
        "nearly 60 local NGO partners since 2015",
        True,
        "3.2.2",
        "Since 2015, the MINUSMA SSR-DDR Section fostered partnerships with nearly 60 local NGOs.",
        _local_ngos_since_2015,
    ),
    Figure(
        "no ex-combatant in the record's projects, women almost half",
        (0, True),
        "3.2.2",
        "no ex-combatants were employed in these CVR projects",
        lambda: (
            Project.objects.filter(RECORD).aggregate(s=Sum("beneficiaries_ex_combatants"))["s"],
            _women_share(),
        ),
    ),
    Figure(
        "central Mali 2015-2023: 65 projects by 23 local NGOs, 54,131 targeted of whom 28,148 women",
        (65, 23, 54_131, 28_148),
        "3.2.3",
        "A total of 65 CVR projects were implemented in Central Mali (36 in Mopti, 13 in Bandiagara, 10 in "
        "Douentza, 2 in San and 4 in Ségou) by 23 local NGOs between 2015 and 2023, targeting 54,131 "
        "direct beneficiaries including 28,148 women.",
        _central_figures,
    ),
    Figure(
        "central Mali's projects by place",
        {"Mopti": 36, "Bandiagara": 13, "Douentza": 10, "San": 2, "Ségou": 4},
        "3.2.3",
        "(36 in Mopti, 13 in Bandiagara, 10 in Douentza, 2 in San and 4 in Ségou)",
        lambda: dict(
            _central().values("cercle__name").annotate(n=Count("id")).values_list("cercle__name", "n")
        ),
    ),
    Figure(
        "a weapons and ammunition component only in the three CRP projects of central Mali",
        (3, {"MOP"}, 0),
        "3.2.3",
        "CVR projects carried out in the context of the CRP were the only ones that included a Weapons "
        "and Ammunition Management (WAM) aspect",
        lambda: (
            Project.objects.filter(with_wam=True).count(),
            set(Project.objects.filter(with_wam=True).values_list("region__code", flat=True)),
            Project.objects.filter(kind=Project.Kind.WAM).exclude(region__code__in=CENTRAL).count(),
        ),
    ),
    Figure(
        "eight projects under way at the exit: completed, or their funds transferred to the partner",
        (8, True),
        "3.4.1",
        "all eight CVR projects that were ongoing were somewhat completed or at least the remaining funds "
        "were transferred to the local implementing partners",
        _at_exit,
    ),
    Figure(
        "consortia of 2-3 local NGOs, USD 300,000 from 2020",
        ({3}, 300_000),
        "3.2.2",
        'starting in 2020, MINUSMA innovated with the concept of "Consortium"',
        lambda: (
            {c.members.count() for c in Consortium.objects.all()},
            SOPVersion.objects.get(effective_from=D(2020, 1, 1)).cap_consortium_usd,
        ),
    ),
    # --- armed groups and coalitions (3.1, 3.2, 3.3.2) ----------------------------------------
    Figure(
        "the CMA: MNLA, HCUA and MAA together from 5 November 2013",
        {"MNLA": D(2013, 11, 5), "HCUA": D(2013, 11, 5), "MAA-CMA": D(2013, 11, 5)},
        "3.1; 3.2, note 13",
        "MNLA, HCUA, & MAA declared coalition on 5 November 2013.",
        lambda: dict(
            CoalitionMembership.objects.filter(
                coalition__code="CMA", group__code__in=["MNLA", "HCUA", "MAA-CMA"]
            )
            .values("group__code")
            .annotate(d=Min("start"))
            .values_list("group__code", "d")
        ),
    ),
    Figure(
        "the CPA split from the MNLA; in the Platform from 14 June 2014, never in the CMA",
        ("MNLA", [("PLATEFORME", D(2014, 6, 14))]),
        "3.2, note 14",
        "the Coalition of the People for Azawad (Coalition du peuple pour l'Azawad or CPA, which split "
        "from the MNLA on March 18th, 2014) came into being on June 14th, 2014.",
        _cpa,
    ),
    Figure(
        "the Platform's founders from 14 June 2014",
        {"MAA-PF": [("PLATEFORME", D(2014, 6, 14))], "CMFPR": [("PLATEFORME", D(2014, 6, 14))]},
        "3.2, note 14",
        "The Platform brings together the MAA-Platform, CMFPR, and the Coalition of the People for Azawad",
        lambda: {code: _memberships(code) for code in ("MAA-PF", "CMFPR")},
    ),
    Figure(
        "groups UN-listed for recruiting children: the MNLA and the Platform's groups",
        {"MNLA", "MAA-PF", "CMFPR", "CPA", "GATIA"},
        "3.3.2",
        "They also list the Platform, including affiliated groups, for the recruitment and use of children.",
        lambda: set(
            ArmedGroup.objects.filter(listed_for_child_recruitment=True).values_list("code", flat=True)
        ),
    ),
]


@pytest.mark.parametrize("figure", FIGURES, ids=[f.what for f in FIGURES])
def test_the_demo_gives_the_reports_figure(demo: None, figure: Figure) -> None:
    assert figure.actual() == figure.expected, f"{figure.section}: “{figure.passage}”"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


@pytest.mark.skipif(not REPORT.exists(), reason="the reference report is not on this machine")
def test_each_passage_is_quoted_word_for_word_from_the_report() -> None:
    report = _plain(REPORT.read_text(encoding="utf-8"))
    missing = [f.what for f in FIGURES if any(_plain(part) not in report for part in f.passage.split(" … "))]
    assert not missing
