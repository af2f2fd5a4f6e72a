"""Integration: the one-third rule and the rank table as pure functions; memberships, command,
desertions, cohorts from medical screening to a BATFAR unit; the API's pseudonyms and suppression."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ddr.models import Combatant, Pathway, VettingStatus
from integration import rules, services
from integration.models import (
    Candidate,
    Cohort,
    ComplianceCheck,
    IntegrationTarget,
    Membership,
    Party,
    RankTable,
    Unit,
)
from integration.services import IntegrationRefused

from ..factories import CombatantFactory, UnitFactory, region

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


LABELS = {"fama": "FAMa", "cma": "CMA", "platform": "Platform"}


def test_one_third_rule_with_its_tolerance() -> None:
    assert (
        rules.one_third_deviations(
            {"fama": 10, "cma": 10, "platform": 10},
            {"fama": 1, "cma": 1, "platform": 1},
            Decimal("0.05"),
            LABELS,
        )
        == []
    )
    found = rules.one_third_deviations(
        {"fama": 18, "cma": 15, "platform": 12}, {"fama": 1, "cma": 1, "platform": 1}, Decimal("0.05"), LABELS
    )
    assert [d.code for d in found] == ["strength:fama", "strength:platform"]
    assert "FAMa holds 40 % of the strength (18)" in found[0].message
    # Inclusivity movements are counted apart: they do not dilute the three thirds.
    assert (
        rules.one_third_deviations(
            {"fama": 5, "cma": 5, "platform": 5, "cmi": 9}, {}, Decimal("0.05"), LABELS
        )
        == []
    )


def rule(order: int, held: str, years: int, edu: str, rank: str) -> SimpleNamespace:
    return SimpleNamespace(
        order=order, movement_rank=held, min_years=years, min_education=edu, army_rank=rank
    )


RULES = [
    rule(1, "Capitaine", 8, "secondary", "Lieutenant"),
    rule(2, "Capitaine", 3, "none", "Sous-lieutenant"),
]


def test_rank_allocation_explains_itself_and_respects_caps() -> None:
    top = rules.allocate_rank(RULES, {}, {}, movement_rank="capitaine", years=10, education="higher")
    assert top.rank == "Lieutenant" and "Rule 1" in top.explanation
    low = rules.allocate_rank(RULES, {}, {}, movement_rank="Capitaine", years=10, education="primary")
    assert low.rank == "Sous-lieutenant" and "Rule 2" in low.explanation
    capped = rules.allocate_rank(
        RULES, {"Lieutenant": 2}, {"Lieutenant": 2}, movement_rank="Capitaine", years=10, education="higher"
    )
    assert capped.rank == "Sous-lieutenant" and "cap of 2 for Lieutenant is reached" in capped.explanation
    none = rules.allocate_rank(RULES, {}, {}, movement_rank="Sergent", years=1, education="none")
    assert none.rank == "Soldat de 2e classe" and "No rule" in none.explanation


def test_one_unit_at_a_time_and_command_only_for_members(commission_officer: Any) -> None:
    moc, batfar = UnitFactory.create(kind=Unit.Kind.MOC), UnitFactory.create()
    person = CombatantFactory.create()
    member = services.membership_start(
        unit=moc, party=Party.CMA, start=TODAY, by=commission_officer, person=person
    )
    with pytest.raises(IntegrationRefused, match="one unit at a time"):
        services.membership_start(
            unit=batfar, party=Party.CMA, start=TODAY, by=commission_officer, person=person
        )
    soldier = services.membership_start(
        unit=moc, party=Party.FAMA, start=TODAY, by=commission_officer, service_number="fa-1"
    )
    with pytest.raises(IntegrationRefused, match="one unit at a time"):
        services.membership_start(
            unit=batfar, party=Party.FAMA, start=TODAY, by=commission_officer, service_number="FA-1"
        )
    with pytest.raises(IntegrationRefused, match="does not serve in"):
        services.command_give(unit=batfar, membership=member, by=commission_officer)
    services.command_give(unit=moc, membership=soldier, by=commission_officer, rank="Capitaine")
    assert services.thirds([moc])[moc.pk].command == {"fama": 1}
    child = CombatantFactory.create(category="child")
    with pytest.raises(IntegrationRefused, match="child"):
        services.membership_start(
            unit=batfar, party=Party.CMA, start=TODAY, by=commission_officer, person=child
        )


def test_desertion_needs_circumstances_and_cannot_predate_joining(commission_officer: Any) -> None:
    unit = UnitFactory.create()
    member = services.membership_start(
        unit=unit,
        party=Party.CMA,
        start=TODAY - dt.timedelta(days=30),
        by=commission_officer,
        person=CombatantFactory.create(),
    )
    with pytest.raises(IntegrationRefused, match="before joining"):
        services.membership_end(
            membership=member,
            end=TODAY - dt.timedelta(days=31),
            leaving="deserted",
            circumstances="x",
            by=commission_officer,
        )
    with pytest.raises(IntegrationRefused, match="circumstances"):
        services.membership_end(membership=member, end=TODAY, leaving="deserted", by=commission_officer)
    services.membership_end(
        membership=member,
        end=TODAY,
        leaving="deserted",
        circumstances="Parti avec son arme",
        by=commission_officer,
    )
    member.refresh_from_db()
    assert member.leaving == "deserted" and member.history.first().history_user == commission_officer
    # Free to serve again: a return is a new membership pointing at the desertion.
    services.membership_start(
        unit=unit,
        party=Party.CMA,
        start=TODAY,
        by=commission_officer,
        person=member.combatant,
        returned_from=member,
    )


def test_compliance_is_kept_day_by_day(commission_officer: Any) -> None:
    unit = UnitFactory.create()
    for party in (Party.FAMA, Party.CMA):
        services.membership_start(
            unit=unit, party=party, start=TODAY, by=commission_officer, service_number=f"S-{party}"
        )
    assert services.compliance_record(TODAY) == 1
    check = ComplianceCheck.objects.get(unit=unit, day=TODAY)
    assert not check.compliant and "strength:platform" in check.deviations
    services.membership_start(
        unit=unit, party=Party.PLATFORM, start=TODAY, by=commission_officer, service_number="S-P"
    )
    services.compliance_record(TODAY)  # the same day again: updated, not duplicated
    assert ComplianceCheck.objects.get(unit=unit, day=TODAY).compliant


def _cohort(unit: Unit) -> Cohort:
    return Cohort.objects.create(
        name="Gao, novembre 2026", region=region("GAO"), target_unit=unit, training_start=TODAY
    )


def test_candidates_only_from_integration_never_a_child_or_excluded(commission_officer: Any) -> None:
    cohort = _cohort(UnitFactory.create())
    for person, reason in (
        (CombatantFactory.create(pathway=Pathway.REINSERTION), "not oriented to integration"),
        (
            CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY, vetting_status=VettingStatus.CONFIRMED),
            "excluded",
        ),
        (CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY, category="child"), "child"),
    ):
        with pytest.raises(IntegrationRefused, match=reason):
            services.candidate_add(cohort=cohort, person=person, by=commission_officer)
    assert not Candidate.objects.exists()


def test_a_cohort_from_medical_screening_to_a_batfar_unit(commission_officer: Any) -> None:
    batfar = UnitFactory.create(kind=Unit.Kind.BATFAR)
    cohort = _cohort(batfar)
    fit_person = CombatantFactory.create(
        pathway=Pathway.INTEGRATION_ARMY, status=Combatant.Status.ORIENTED, rank_in_movement="Capitaine"
    )
    unfit_person = CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY, status=Combatant.Status.ORIENTED)
    fit = services.candidate_add(
        cohort=cohort, person=fit_person, by=commission_officer, years_of_service=10, education="secondary"
    )
    unfit = services.candidate_add(cohort=cohort, person=unfit_person, by=commission_officer)
    services.candidate_medical(candidate=fit, fit=True, on=TODAY, examiner="Dr Diallo", by=commission_officer)
    services.candidate_medical(
        candidate=unfit, fit=False, on=TODAY, examiner="Dr Diallo", by=commission_officer
    )
    unfit_person.refresh_from_db()
    assert unfit_person.pathway == Pathway.REINSERTION and unfit_person.medical_status == "unfit"
    assert unfit_person.history.first().history_user == commission_officer  # visible and audited
    assert (
        services.training_start(
            candidates=cohort.candidates.filter(status="fit"), on=TODAY, by=commission_officer
        )
        == 1
    )
    fit.refresh_from_db()
    with pytest.raises(IntegrationRefused, match="before it started"):
        services.training_end(
            candidate=fit, on=TODAY - dt.timedelta(days=1), passed=True, by=commission_officer
        )
    services.training_end(candidate=fit, on=TODAY, passed=True, by=commission_officer)
    with pytest.raises(IntegrationRefused, match="needs a reason"):
        services.candidate_assign(candidate=fit, unit=batfar, on=TODAY, by=commission_officer, rank="Colonel")
    done = services.candidate_assign(candidate=fit, unit=batfar, on=TODAY, by=commission_officer)
    table = RankTable.objects.get()
    assert done.army_rank == "Lieutenant" and "Capitaine" in done.rank_explanation and table.rules.exists()
    fit_person.refresh_from_db()
    assert fit_person.status == Combatant.Status.INTEGRATED
    assert done.membership.unit == batfar and done.membership.rank == "Lieutenant"
    assert services.thirds([batfar])[batfar.pk].strength == {services.party_of(fit_person, TODAY): 1}


def test_targets_count_assigned_candidates_and_reported_cohorts(commission_officer: Any) -> None:
    target = IntegrationTarget.objects.get(number=3000)
    Cohort.objects.create(
        name="2019-2020", region=region("GAO"), training_start=dt.date(2019, 12, 1), reported_fit=1765
    )
    (progress,) = services.target_progress([target])
    assert progress.integrated == 1765 and round(progress.share, 2) == 0.59


def test_api_pseudonyms_and_desertion_suppression(
    analyst_client: Client, commission_client: Client, commission_officer: Any
) -> None:
    unit = UnitFactory.create(name="BATFAR Kidal", region=region("KID"))
    people = [CombatantFactory.create() for _ in range(3)]
    for person in people:
        member = services.membership_start(
            unit=unit, party=Party.CMA, start=dt.date(2020, 2, 13), by=commission_officer, person=person
        )
        services.membership_end(
            membership=member,
            end=dt.date(2023, 10, 5),
            leaving="deserted",
            circumstances="Reprise des hostilités",
            by=commission_officer,
        )
    # Memberships join to other figures on a person: not for analysts; 3 desertions show nowhere.
    assert analyst_client.get("/api/unit-memberships/").status_code == 403
    assert analyst_client.get("/api/integration/desertions/?from=2023-07-01").json() == []  # a quarter's start
    page = analyst_client.get(reverse("integration:desertions"), {"from": "2023-07-01", "export": "csv"})
    assert page.status_code == 200 and "BATFAR Kidal" not in page.content.decode("utf-8-sig")
    assert commission_client.get("/api/integration/desertions/?from=2023-09-01").json()[0]["count"] == 3
    assert commission_client.get("/api/integration/desertions/?from=hier").status_code == 400
    units = commission_client.get("/api/units/").json()["results"]
    assert units[0]["strength"] == {} and units[0]["name"] == "BATFAR Kidal"


def test_regional_officer_pages_are_scoped(gao_client: Client) -> None:
    kidal = UnitFactory.create(region=region("KID"))
    gao = UnitFactory.create(region=region("GAO"))
    assert gao_client.get(reverse("integration:unit-detail", args=[kidal.pk])).status_code == 404
    assert gao_client.get(reverse("integration:unit-detail", args=[gao.pk])).status_code == 200
    assert gao_client.get(f"/api/units/{kidal.pk}/").status_code == 404
    membership = Membership.objects.create(unit=kidal, party="fama", service_number="X1", start=TODAY)
    assert (
        gao_client.post(
            reverse("integration:membership-leave", args=[membership.pk]), {"end": TODAY, "leaving": "transferred"}
        ).status_code
        == 404
    )
