"""Who may benefit from a programme: one rule (ddr.benefit.benefit_bar and its query form), used by
CVR, integration and units alike."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from cvr import services as cvr
from cvr.models import Beneficiary
from ddr.models import Category, Combatant, Pathway, VettingStatus
from ddr.registration.benefit import benefit_bar, may_benefit
from integration import services as integration
from integration.models import Candidate, Cohort, Membership

from ..factories import CombatantFactory, ProjectFactory, UnitFactory, region

S = Combatant.Status
BARRED: dict[str, dict[str, Any]] = {
    "child": {"category": Category.CHILD, "status": S.REFERRED},
    "merged": {"status": S.MERGED},
    "excluded by vetting": {"vetting_status": VettingStatus.CONFIRMED},
    "excluded pathway": {"pathway": Pathway.EXCLUDED},
    "excluded status": {"status": S.EXCLUDED},
    "deceased": {"status": S.DECEASED},
}


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("facts", BARRED.values(), ids=BARRED.keys())
def test_the_rule_bars_children_merged_excluded_and_deceased(facts: dict[str, str]) -> None:
    assert not may_benefit(_person(**facts))
    assert may_benefit(_person())
    assert not may_benefit(_person(merged_into_id=7))  # merged, whatever its status says


def _person(**facts: Any) -> SimpleNamespace:
    plain = {
        "category": Category.COMBATANT_ARMED,
        "status": S.REGISTERED,
        "merged_into_id": None,
        "vetting_status": VettingStatus.CLEAR,
        "pathway": Pathway.REINSERTION,
    }
    return SimpleNamespace(**{**plain, **facts})


@pytest.mark.django_db
def test_the_query_form_agrees_with_the_rule() -> None:
    people = [CombatantFactory.create(**facts) for facts in BARRED.values()]
    kept = CombatantFactory.create()
    people.append(CombatantFactory.create(merged_into=kept))
    assert list(Combatant.objects.may_benefit()) == [kept]
    assert all(benefit_bar(p) for p in people) and not benefit_bar(kept)


@pytest.mark.django_db
@pytest.mark.parametrize("facts", BARRED.values(), ids=BARRED.keys())
def test_nobody_barred_becomes_a_candidate_a_beneficiary_or_a_member(
    facts: dict[str, str], commission_officer: Any
) -> None:
    merged_into = CombatantFactory.create() if facts.get("status") == S.MERGED else None
    oriented = {"pathway": Pathway.INTEGRATION_ARMY, "merged_into": merged_into}
    person = CombatantFactory.create(**{**oriented, **facts})
    cohort = Cohort.objects.create(name="Gao", region=region("GAO"), training_start=dt.date(2026, 1, 5))
    with pytest.raises(integration.IntegrationRefused):
        integration.candidate_add(cohort=cohort, person=person, by=commission_officer)
    with pytest.raises(integration.IntegrationRefused):
        integration.membership_start(
            unit=UnitFactory.create(), party="cma", start=dt.date(2026, 1, 5), by=commission_officer, person=person
        )
    Combatant.objects.filter(pk=person.pk).update(pathway=facts.get("pathway", Pathway.REINSERTION))
    person.refresh_from_db()
    with pytest.raises(cvr.CVRRefused):
        cvr.beneficiary_add(project=ProjectFactory.create(), person=person, by=commission_officer, age_band="25-35")
    assert not (Candidate.objects.exists() or Membership.objects.exists() or Beneficiary.objects.exists())


@pytest.mark.django_db
def test_a_merged_record_is_refused_with_the_reason(commission_officer: Any) -> None:
    kept = CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY)
    absorbed = CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY, status=S.MERGED, merged_into=kept)
    cohort = Cohort.objects.create(name="Gao", region=region("GAO"), training_start=dt.date(2026, 1, 5))
    with pytest.raises(integration.IntegrationRefused, match="merged into another record"):
        integration.candidate_add(cohort=cohort, person=absorbed, by=commission_officer)
    integration.candidate_add(cohort=cohort, person=kept, by=commission_officer)
