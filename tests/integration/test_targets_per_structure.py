"""Targets count every structure of the State: the report's targets (3,000 by 2020, another 2,000,
26,000 at 13,000 a year), each pathway's people who reached it against its target, for staff, for a
regional officer (their region) and for analysts (suppressed, no names), on the API and dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import User
from ddr.models import Category, Pathway
from ddr.registration.selectors import Scope
from integration import selectors, services
from integration.models import Cohort, IntegrationTarget, TargetStructure

from ..factories import CombatantFactory, region

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 10, 1)  # inside the first year of the August 2022 decision


def reached(code: str, pathway: str, n: int, **extra: Any) -> None:
    for _ in range(n):
        CombatantFactory.create(region=region(code), pathway=pathway, status="integrated", **extra)


# --- the report's targets (migration 0007) -------------------------------------------------------


def test_the_report_targets_are_there_with_their_structure_and_split() -> None:
    targets = {t.number: t for t in IntegrationTarget.objects.all()}
    assert targets[3000].structure == TargetStructure.ARMY and "2480" in targets[3000].name
    assert (targets[3000].start, targets[3000].deadline) == (dt.date(2018, 11, 1), dt.date(2020, 12, 31))
    another = targets[2000]
    assert "2531" in another.name and another.structure == TargetStructure.STATE
    assert (another.military_number, another.civil_number) == (2000, 0)  # defence and security units
    assert targets[26000].structure == targets[13000].structure == TargetStructure.STATE
    assert targets[13000].deadline == dt.date(2023, 7, 31) and targets[26000].start == dt.date(2022, 8, 1)
    assert targets[26000].military_number is None  # the report gives no civil/military split
    assert all(t.source.startswith("Rapport 2024") for t in targets.values())
    assert IntegrationTarget.history.filter(history_change_reason__contains="rapport 2024").count() >= 3


def test_a_split_larger_than_the_target_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        IntegrationTarget.objects.create(
            name="x", number=10, military_number=11, start=dt.date(2022, 1, 1), deadline=dt.date(2023, 1, 1)
        )


# --- what each target counts ---------------------------------------------------------------------


def test_a_target_of_the_state_counts_every_pathway_an_army_target_its_cohorts(
    commission_officer: Any,
) -> None:
    reached("GAO", Pathway.INTEGRATION_CIVIL, 3)
    reached("KID", Pathway.INTEGRATION_SECURITY, 2)
    reached("GAO", Pathway.RECALL, 1)
    CombatantFactory.create(pathway=Pathway.INTEGRATION_CIVIL, status="oriented")  # not there yet
    CombatantFactory.create(pathway=Pathway.REINSERTION, status="integrated")  # not a State pathway
    Cohort.objects.create(
        name="2019-2020", region=region("GAO"), training_start=dt.date(2019, 12, 1), reported_fit=1765
    )
    civil = IntegrationTarget.objects.create(
        name="Fonction publique",
        structure=TargetStructure.CIVIL,
        number=500,
        start=dt.date(2021, 1, 1),
        deadline=dt.date(2023, 1, 1),
    )
    progress = {
        p.target.number: p.integrated for p in services.target_progress(IntegrationTarget.objects.all())
    }
    assert progress[3000] == 1765  # the army's: its cohorts, as before
    assert progress[26000] == progress[13000] == 6 and progress[500] == 3
    assert civil.pathways == (Pathway.INTEGRATION_CIVIL,)


def test_target_progress_reads_a_fixed_number_of_queries(django_assert_max_num_queries: Any) -> None:
    for n in range(6):
        IntegrationTarget.objects.create(
            name=f"Armée {n}", number=100, start=dt.date(2019, 1, 1), deadline=dt.date(2020, 1, 1)
        )
        IntegrationTarget.objects.create(
            name=f"État {n}",
            structure="state",
            number=100,
            start=dt.date(2019, 1, 1),
            deadline=dt.date(2020, 1, 1),
        )
    targets = list(IntegrationTarget.objects.all())
    with django_assert_max_num_queries(3):  # assigned candidates, reported figures, people reached
        assert len(services.target_progress(targets)) == len(targets)


# --- every pathway against its target --------------------------------------------------------------


def test_every_pathway_is_shown_against_its_target_in_force(commission_officer: User) -> None:
    reached("GAO", Pathway.INTEGRATION_ARMY, 4)
    reached("GAO", Pathway.INTEGRATION_CIVIL, 2)
    reached("GAO", Pathway.RECALL, 1)
    rows = {r.structure: r for r in selectors.pathway_progress(Scope(commission_officer), on=TODAY)}
    assert list(rows) == [*[s.value for s in TargetStructure if s != TargetStructure.STATE], TargetStructure.STATE]
    assert rows["integration_army"].reached == 4 and rows["integration_army"].target.number == 3000
    assert rows["integration_civil"].reached == 2 and rows["integration_civil"].target is None
    state = rows["state"]
    assert (state.reached, state.military, state.civil) == (7, 5, 2)
    assert state.target.number == 13000  # running on that day; the 26,000 ends later
    assert (
        selectors.pathway_progress(Scope(commission_officer), on=dt.date(2026, 1, 1))[-1].target.number
        == 26000
    )
    assert (
        selectors.pathway_progress(Scope(commission_officer), on=dt.date(2020, 9, 1))[-1].target.number
        == 2000
    )


def test_staff_read_every_pathway_and_the_regional_officer_their_region(
    commission_client: Client, gao_client: Client, django_assert_max_num_queries: Any
) -> None:
    reached("GAO", Pathway.INTEGRATION_CIVIL, 3)
    reached("KID", Pathway.INTEGRATION_CIVIL, 2)
    with django_assert_max_num_queries(12):
        staff = commission_client.get("/api/integration/progress/").json()
    rows = {r["structure"]: r for r in staff["pathways"]}
    assert rows["integration_civil"]["reached"] == 5 and rows["state"]["civil"] == 5
    assert rows["state"]["target"] and rows["state"]["number"] in (13000, 26000, 2000)
    targets = {t["number"]: t for t in staff["targets"]}
    assert targets[2000]["structure"] == "state" and targets[2000]["military_number"] == 2000
    assert targets[2000]["reference"].startswith("Rapport 2024")
    gao = {r["structure"]: r for r in gao_client.get("/api/integration/progress/").json()["pathways"]}
    assert gao["integration_civil"]["reached"] == 3 and gao["state"]["reached"] == 3  # never Kidal's


def test_analysts_read_each_pathways_progress_suppressed_and_without_names(
    analyst_client: Client, commission_client: Client, django_assert_max_num_queries: Any
) -> None:
    reached("GAO", Pathway.INTEGRATION_CIVIL, 6, family_name="Ag Secretname")
    reached("KID", Pathway.INTEGRATION_CIVIL, 2)  # a small cell: left out
    reached("GAO", Pathway.INTEGRATION_SECURITY, 3)  # the same
    with django_assert_max_num_queries(12):
        answer = analyst_client.get("/api/integration/progress/")
    assert answer.status_code == 200 and "Secretname" not in answer.content.decode()
    rows = {r["structure"]: r for r in answer.json()["pathways"]}
    assert rows["integration_civil"]["reached"] == 6 and rows["integration_security"]["reached"] == 0
    assert (rows["state"]["reached"], rows["state"]["military"], rows["state"]["civil"]) == (6, 0, 6)
    targets = {t["number"]: t["integrated"] for t in answer.json()["targets"]}
    assert targets[26000] == 6
    staff = {
        r["structure"]: r for r in commission_client.get("/api/integration/progress/").json()["pathways"]
    }
    assert staff["integration_civil"]["reached"] == 8 and staff["integration_security"]["reached"] == 3


def test_the_progress_reads_the_same_number_of_queries_whatever_the_targets(
    commission_client: Client,
) -> None:
    reached("GAO", Pathway.INTEGRATION_CIVIL, 3)

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert commission_client.get("/api/integration/progress/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        IntegrationTarget.objects.create(
            name=f"Sécurité {n}", structure="integration_security", number=50, start=TODAY, deadline=TODAY
        )
        IntegrationTarget.objects.create(name=f"Armée {n}", number=50, start=TODAY, deadline=TODAY)
    assert queries() == before


def test_the_dashboard_shows_every_pathway_against_its_target(
    commission_client: Client, analyst_client: Client, gao_client: Client
) -> None:
    reached("GAO", Pathway.INTEGRATION_CIVIL, 5)
    reached("KID", Pathway.RECALL, 2)
    page = commission_client.get("/tableau-de-bord/").content.decode()
    assert 'data-testid="dashboard-pathway-progress"' in page and 'data-structure="integration_civil"' in page
    assert 'data-structure="state"' in page
    figure = commission_client.get("/api/dashboard/pathway_progress/").json()["data"]
    rows = {r["structure"]: r for r in figure}
    assert rows["integration_civil"]["reached"] == 5 and rows["recall"]["reached"] == 2
    assert rows["state"]["military"] == 2 and rows["state"]["civil"] == 5
    hidden = {
        r["structure"]: r for r in analyst_client.get("/api/dashboard/pathway_progress/").json()["data"]
    }
    assert hidden["recall"]["reached"] == 0 and hidden["integration_civil"]["reached"] == 5
    mine = {r["structure"]: r for r in gao_client.get("/api/dashboard/pathway_progress/").json()["data"]}
    assert mine["recall"]["reached"] == 0 and mine["integration_civil"]["reached"] == 5
    assert gao_client.get("/api/dashboard/pathway_progress/?region=XXX").status_code == 400


def test_children_never_count_towards_a_target() -> None:
    CombatantFactory.create(
        category=Category.CHILD, birth_year=2008, pathway=Pathway.INTEGRATION_CIVIL, status="integrated"
    )
    assert {p.target.number: p.integrated for p in services.target_progress(IntegrationTarget.objects.all())}[
        26000
    ] == 0
