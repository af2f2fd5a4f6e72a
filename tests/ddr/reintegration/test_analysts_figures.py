"""Reinsertion and reintegration in figures (programme.reintegration): staff read them exact,
analysts read sums of the cells of 5 people or more, the money of a small group left out with its
people; children are never counted; a bounded number of queries; the dashboard's section in French."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from ddr.models import (
    Acceptance,
    Category,
    Combatant,
    Enrolment,
    Entitlement,
    FollowUp,
    Package,
    Pathway,
    Sex,
)
from ddr.reintegration.packages.services import cohort_enrol

from ...factories import CombatantFactory, FundingSourceFactory, PackageFactory, UserFactory, region

pytestmark = pytest.mark.django_db

S = Combatant.Status
PACKAGE_XOF = 400_000  # two tranches of 75,000 and a toolkit of 250,000 (PackageFactory)
FIRST_TRANCHE = 75_000


@pytest.fixture
def officer(db: Any) -> User:
    return UserFactory.create(username="enrolling-officer")


def cohort(
    n: int,
    package: Package,
    by: User,
    *,
    on: dt.date = dt.date(2024, 1, 15),
    code: str = "GAO",
    sex: str = Sex.MALE,
    birth_year: int = 1990,
    **fields: Any,
) -> list[int]:
    """`n` people registered and enrolled in `package` on `on`; their ids."""
    people = [
        CombatantFactory.build(
            region=region(code),
            sex=sex,
            birth_year=birth_year,
            pathway=Pathway.REINSERTION,
            status=S.ORIENTED,
            **fields,
        )
        for _ in range(n)
    ]
    ids = [p.pk for p in Combatant.objects.bulk_create(people)]
    enrolled, left_out = cohort_enrol(
        people=Combatant.objects.filter(pk__in=ids), package=package, on=on, by=by
    )
    assert (enrolled, left_out) == (n, 0)
    return ids


def pay_first_tranche(ids: list[int]) -> None:
    Entitlement.objects.filter(combatant__in=ids, component__position=1).update(
        state=Entitlement.State.PAID, settled_on=dt.date(2024, 2, 1)
    )


def follow_up(
    ids: list[int], *, month: int = 3, running: bool = True, acceptance: str = Acceptance.GOOD
) -> None:
    for enrolment in Enrolment.objects.filter(combatant__in=ids):
        FollowUp.objects.create(
            combatant_id=enrolment.combatant_id,
            enrolment=enrolment,
            month=month,
            due_on=enrolment.enrolled_on + dt.timedelta(days=30 * month),
            status=FollowUp.Status.DONE,
            done_on=enrolment.enrolled_on + dt.timedelta(days=30 * month),
            activity_running=running,
            acceptance=acceptance,
        )


def rows(client: Client, table: str, by: str, **params: str) -> list[dict[str, Any]]:
    answer = client.get(f"/api/reintegration/{table}/", {"by": by, **params})
    assert answer.status_code == 200, answer.content
    result: list[dict[str, Any]] = answer.json()
    return result


def test_analysts_do_not_see_a_group_of_three_nor_its_money(
    officer: User, commission_client: Client, analyst_client: Client
) -> None:
    package = PackageFactory.create()
    men = cohort(7, package, officer)
    women = cohort(3, package, officer, sex=Sex.FEMALE)
    pay_first_tranche(men + women)

    staff = rows(commission_client, "enrolments", "sex")
    assert staff == [
        {"sex": "F", "people": 3, "suppressed": False},
        {"sex": "M", "people": 7, "suppressed": False},
    ]
    assert rows(analyst_client, "enrolments", "sex") == [{"sex": "M", "people": 7, "suppressed": True}]
    # The total minus the visible parts gives nothing away: the total leaves the 3 women out too.
    total = rows(analyst_client, "enrolments", "region")
    assert total == [{"region": "GAO", "people": 7, "suppressed": True}]

    paid = {"state": Entitlement.State.PAID}
    staff_money = {(r["sex"], r["state"]): r for r in rows(commission_client, "entitlements", "sex,state")}
    assert staff_money[("F", "paid")] == {
        "sex": "F",
        **paid,
        "people": 3,
        "entitlements": 3,
        "amount_xof": 3 * FIRST_TRANCHE,
        "suppressed": False,
    }
    analyst_money = rows(analyst_client, "entitlements", "sex,state")
    assert {(r["sex"], r["state"]) for r in analyst_money} == {("M", "paid"), ("M", "due")}
    by_state = {r["state"]: r for r in rows(analyst_client, "entitlements", "state")}
    assert by_state["paid"]["amount_xof"] == 7 * FIRST_TRANCHE  # the women's 225,000 left out
    assert by_state["due"]["amount_xof"] == 7 * (PACKAGE_XOF - FIRST_TRANCHE)

    summary = analyst_client.get("/api/reintegration/summary/").json()
    assert summary["suppressed"] is True
    world_bank = next(f for f in summary["funding"] if f["code"] == "world-bank")
    assert world_bank == {
        "code": "world-bank",
        "name": "Banque mondiale",
        "envelope_xof": 2_400_000_000,  # not personal: whole
        "committed_xof": 7 * PACKAGE_XOF,
        "disbursed_xof": 7 * FIRST_TRANCHE,
    }
    assert summary["totals"]["enrolled"] == 7
    exact = commission_client.get("/api/reintegration/summary/").json()
    assert exact["suppressed"] is False and exact["totals"]["enrolled"] == 10
    world_bank = next(f for f in exact["funding"] if f["code"] == "world-bank")
    assert (world_bank["committed_xof"], world_bank["disbursed_xof"]) == (
        10 * PACKAGE_XOF,
        10 * FIRST_TRANCHE,
    )


def test_outcomes_follow_ups_and_age_bands(
    officer: User, commission_client: Client, analyst_client: Client
) -> None:
    package = PackageFactory.create()
    young = cohort(6, package, officer, birth_year=2002)  # 22 in 2024
    older = cohort(8, package, officer, birth_year=1970)  # 54
    dropped = cohort(5, package, officer, birth_year=1985)  # 39
    Enrolment.objects.filter(combatant__in=dropped).update(status=Enrolment.Status.DROPPED)
    Combatant.objects.filter(pk__in=young).update(status=S.REINSERTED)
    Combatant.objects.filter(pk__in=older).update(status=S.REINTEGRATED)
    follow_up(young, running=True)
    follow_up(older, month=6, running=False, acceptance=Acceptance.MIXED)
    follow_up(dropped[:2], month=12)  # two people: hidden from analysts

    outcomes = {r["outcome"]: r["people"] for r in rows(analyst_client, "enrolments", "outcome")}
    assert outcomes == {"reinserted": 6, "reintegrated": 8, "dropped": 5}
    bands = {r["age_band"]: r["people"] for r in rows(analyst_client, "enrolments", "age_band")}
    assert bands == {"18-24": 6, "35-49": 5, "50+": 8}
    done = rows(analyst_client, "follow-ups", "month,activity_running,acceptance")
    assert done == [
        {"month": 3, "activity_running": "yes", "acceptance": "good", "people": 6, "suppressed": True},
        {"month": 6, "activity_running": "no", "acceptance": "mixed", "people": 8, "suppressed": True},
    ]
    staff = rows(commission_client, "follow-ups", "month")
    assert [(r["month"], r["people"]) for r in staff] == [(3, 6), (6, 8), (12, 2)]
    summary = analyst_client.get("/api/reintegration/summary/").json()
    assert summary["follow_ups"] == [
        {
            "month": 3,
            "done": 6,
            "activity_running": 6,
            "acceptance_good": 6,
            "acceptance_mixed": 0,
            "acceptance_poor": 0,
        },
        {
            "month": 6,
            "done": 8,
            "activity_running": 0,
            "acceptance_good": 0,
            "acceptance_mixed": 8,
            "acceptance_poor": 0,
        },
    ]
    assert summary["by_sex_and_age"] == {
        "18-24": {"M": 6, "F": 0},
        "35-49": {"M": 5, "F": 0},
        "50+": {"M": 8, "F": 0},
    }
    assert [
        (p["enrolled"], p["reinserted"], p["reintegrated"], p["dropped"]) for p in summary["per_period"]
    ] == [(19, 6, 8, 5)]


def test_children_are_never_counted(
    officer: User,
    commission_client: Client,
    analyst_client: Client,
    child_protection_client: Client,
) -> None:
    """Children cannot be enrolled (ddr.registration.benefit); were a record ever to say otherwise,
    no figure counts them, for any role."""
    package = PackageFactory.create()
    cohort(5, package, officer)
    children = Combatant.objects.bulk_create(
        [
            CombatantFactory.build(
                category=Category.CHILD, status=S.REFERRED, birth_year=2010, sex=Sex.FEMALE
            )
            for _ in range(6)
        ]
    )
    for child in children:
        enrolment = Enrolment.objects.create(
            combatant=child, package=package, enrolled_on=dt.date(2024, 1, 15), enrolled_by=officer
        )
        for component in package.components.all():
            Entitlement.objects.create(
                enrolment=enrolment,
                combatant=child,
                component=component,
                amount_xof=component.amount_xof,
                due_on=dt.date(2024, 1, 15),
            )
    follow_up([c.pk for c in children])
    for client in (commission_client, analyst_client):
        assert rows(client, "enrolments", "sex") == [
            {"sex": "M", "people": 5, "suppressed": client is analyst_client}
        ]
        assert {r["sex"] for r in rows(client, "entitlements", "sex")} == {"M"}
        assert rows(client, "follow-ups", "sex") == []
        summary = client.get("/api/reintegration/summary/").json()
        assert summary["totals"]["enrolled"] == 5
        assert (
            next(f for f in summary["funding"] if f["code"] == "world-bank")["committed_xof"]
            == 5 * PACKAGE_XOF
        )
    assert rows(child_protection_client, "enrolments", "sex") == []


def test_regional_officers_read_their_region_and_filters_select_periods(
    officer: User, gao_client: Client, analyst_client: Client
) -> None:
    package = PackageFactory.create()
    cohort(6, package, officer, code="GAO")
    cohort(6, package, officer, code="KID", on=dt.date(2024, 5, 2))
    assert rows(gao_client, "enrolments", "region") == [{"region": "GAO", "people": 6, "suppressed": False}]
    second = rows(analyst_client, "enrolments", "region,period", **{"from": "2024-04-01", "to": "2024-06-30"})
    assert second == [{"region": "KID", "period": "2024-04-01", "people": 6, "suppressed": True}]
    assert rows(analyst_client, "enrolments", "region", region="KID") == [
        {"region": "KID", "people": 6, "suppressed": True}
    ]
    # Analysts read whole periods of their grain; an unknown grouping or region is a 400 naming it.
    refused = analyst_client.get("/api/reintegration/enrolments/", {"from": "2024-04-02"})
    assert refused.status_code == 400 and "period" in refused.json()
    refused = analyst_client.get("/api/reintegration/entitlements/", {"by": "name"})
    assert refused.status_code == 400 and "by" in refused.json()
    assert analyst_client.get("/api/reintegration/follow-ups/", {"by": "sex,sex"}).status_code == 400
    assert analyst_client.get("/api/reintegration/summary/", {"region": "XXX"}).status_code == 400


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url", ["/api/reintegration/summary/", "/api/reintegration/entitlements/?by=region,state"]
)
def test_queries_do_not_grow_with_the_data(
    officer: User, commission_client: Client, analyst_client: Client, url: str
) -> None:
    world_bank = PackageFactory.create()
    pbf = PackageFactory.create(funding_source=FundingSourceFactory.create(code="pbf", name="PBF"))
    cohort(5, world_bank, officer)
    small = {client: _queries(client, url) for client in (commission_client, analyst_client)}
    for i, code in enumerate(["GAO", "KID", "TBK", "MOP"]):
        ids = cohort(20, pbf, officer, code=code, on=dt.date(2024, 1 + 3 * i, 10), sex=Sex.FEMALE)
        pay_first_tranche(ids)
        follow_up(ids)
    for client, count in small.items():
        assert _queries(client, url) == count
    assert small[analyst_client] <= 10


def test_dashboard_shows_the_section_in_french_with_its_charts(
    officer: User, commission_client: Client, analyst_client: Client, django_assert_max_num_queries: Any
) -> None:
    package = PackageFactory.create()
    ids = cohort(6, package, officer)
    pay_first_tranche(ids)
    cohort(2, package, officer, sex=Sex.FEMALE)
    with django_assert_max_num_queries(35):
        page = commission_client.get("/tableau-de-bord/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="dashboard-reintegration"' in html
    for french in (
        "Réinsertion et réintégration",
        "Personnes par période d’inscription",
        "Enveloppe",
        "Décaissé",
    ):
        assert french in html, french
    assert '<title id="reintegration-periods-title">Personnes par période d’inscription</title>' in html
    assert 'data-testid="reintegration-funding"' in html and "Banque mondiale" in html
    assert "table-responsive" in html  # readable at 390 px: the tables scroll, the charts shrink
    analyst_page = analyst_client.get("/tableau-de-bord/").content.decode()
    assert 'data-testid="dashboard-reintegration"' in analyst_page
    export = commission_client.get("/tableau-de-bord/", {"export": "csv", "table": "reintegration-funding"})
    assert export.status_code == 200
    assert "Banque mondiale;2400000000;3200000;450000" in export.content.decode("utf-8-sig")


def test_the_schema_documents_the_endpoints(commission_client: Client) -> None:
    paths = commission_client.get("/api/schema/?format=json").json()["paths"]
    for table in ("summary", "enrolments", "entitlements", "follow-ups"):
        operation = paths[f"/api/reintegration/{table}/"]["get"]
        assert {"200", "400", "401", "403"} <= set(operation["responses"])
    parameters = {p["name"] for p in paths["/api/reintegration/entitlements/"]["get"]["parameters"]}
    assert {"by", "region", "from", "to"} <= parameters
