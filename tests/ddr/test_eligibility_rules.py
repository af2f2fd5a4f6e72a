"""The eligibility rules as pure functions (no database), and the SQL CASE agreeing with them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddr.eligibility.rules import Rules, decide, pathway_case
from ddr.models import Category, Combatant, MedicalStatus, Pathway, VettingStatus

ON = dt.date(2019, 10, 1)
RULES = Rules(
    name="Accord 2018 v1",
    category_pathways={
        "combatant_armed": "integration_army",
        "combatant_unarmed": "community",
        "woman_associated": "reinsertion",
        "ex_mdsf": "recall",
        "civilian_cadre": "integration_civil",
    },
)


def person(**facts: Any) -> SimpleNamespace:
    base = {
        "category": Category.COMBATANT_ARMED,
        "birth_year": 1985,
        "has_weapon": True,
        "age_verified": True,
        "medical_status": MedicalStatus.FIT,
        "vetting_status": VettingStatus.CLEAR,
        "choice": "",
    }
    return SimpleNamespace(**{**base, **facts})


def test_fit_armed_vetted_combatant_goes_to_integration_and_says_why() -> None:
    decision = decide(person(), RULES, ON)
    assert (decision.pathway, decision.reason, decision.ruleset) == (
        Pathway.INTEGRATION_ARMY,
        "category_rule",
        "Accord 2018 v1",
    )


@pytest.mark.parametrize(
    ("facts", "pathway", "reason"),
    [
        ({"birth_year": 2003}, Pathway.CHILD_REFERRAL, "under_age"),  # 16 in 2019
        ({"category": Category.CHILD, "birth_year": None}, Pathway.CHILD_REFERRAL, "under_age"),
        ({"vetting_status": VettingStatus.CONFIRMED}, Pathway.EXCLUDED, "vetting_confirmed"),
        ({"vetting_status": VettingStatus.PENDING}, Pathway.PENDING, "vetting_missing"),
        ({"vetting_status": VettingStatus.NOT_VETTED}, Pathway.PENDING, "vetting_missing"),
        ({"medical_status": MedicalStatus.NOT_EXAMINED}, Pathway.PENDING, "medical_missing"),
        ({"medical_status": MedicalStatus.REEXAMINATION}, Pathway.PENDING, "medical_missing"),
        ({"medical_status": MedicalStatus.UNFIT}, Pathway.REINSERTION, "medical_unfit"),
        ({"has_weapon": False}, Pathway.REINSERTION, "no_weapon"),
        ({"choice": "civilian_life"}, Pathway.REINSERTION, "chose_civilian_life"),
        ({"choice": "civil_service"}, Pathway.INTEGRATION_ARMY, "category_rule"),
        ({"choice": "civilian_life", "vetting_status": VettingStatus.PENDING}, Pathway.PENDING, "vetting_missing"),
        ({"category": Category.EX_MDSF, "medical_status": ""}, Pathway.RECALL, "category_rule"),
        ({"category": Category.COMBATANT_UNARMED, "has_weapon": False}, Pathway.COMMUNITY, "category_rule"),
        ({"category": Category.DEFECTOR}, Pathway.EXCLUDED, "category_not_eligible"),
    ],
)
def test_each_rule_decides_with_its_reason(facts: dict, pathway: str, reason: str) -> None:
    decision = decide(person(**facts), RULES, ON)
    assert (decision.pathway, decision.reason) == (pathway, reason)


def test_a_child_is_never_processed_as_an_adult_whatever_else_holds() -> None:
    child = person(birth_year=2002, vetting_status=VettingStatus.CONFIRMED, medical_status="unfit")
    assert decide(child, RULES, ON).pathway == Pathway.CHILD_REFERRAL


def test_rule_parameters_change_the_outcome() -> None:
    lenient = Rules(**{**RULES.__dict__, "integration_requires_weapon": False, "vetting_required": False})
    unarmed_unvetted = person(has_weapon=False, vetting_status=VettingStatus.NOT_VETTED)
    assert decide(unarmed_unvetted, RULES, ON).pathway == Pathway.PENDING
    assert decide(unarmed_unvetted, lenient, ON).pathway == Pathway.INTEGRATION_ARMY
    strict_age = Rules(**{**RULES.__dict__, "age_verification_required": True})
    assert decide(person(age_verified=False), strict_age, ON).reason == "age_not_verified"
    older = Rules(**{**RULES.__dict__, "min_age": 20})
    assert decide(person(birth_year=2000), older, ON).pathway == Pathway.CHILD_REFERRAL
    choice_ignored = Rules(**{**RULES.__dict__, "civilian_choice_respected": False})
    assert decide(person(choice="civilian_life"), choice_ignored, ON).pathway == Pathway.INTEGRATION_ARMY


def test_reasons_are_explained_in_french() -> None:
    from django.utils import translation

    with translation.override("fr"):
        assert "inapte" in decide(person(medical_status="unfit"), RULES, ON).explanation.lower()


facts_strategy = st.fixed_dictionaries(
    {
        "category": st.sampled_from(Category.values),
        "birth_year": st.one_of(st.none(), st.integers(1950, 2010)),
        "has_weapon": st.booleans(),
        "age_verified": st.booleans(),
        "medical_status": st.sampled_from(MedicalStatus.values),
        "vetting_status": st.sampled_from(VettingStatus.values),
        "choice": st.sampled_from(["", "civilian_life", "integration_forces"]),
    }
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(people=st.lists(facts_strategy, min_size=1, max_size=12), strict=st.booleans())
def test_the_sql_case_decides_exactly_as_the_python_rules(people: list[dict], strict: bool) -> None:
    from tests.factories import CombatantFactory

    rules = Rules(**{**RULES.__dict__, "age_verification_required": strict, "vetting_required": not strict})
    Combatant.objects.all().delete()
    created = [CombatantFactory.create(**facts) for facts in people]
    pathway, reason = pathway_case(rules, ON)
    in_sql = dict(
        (pk, (p, r))
        for pk, p, r in Combatant.objects.annotate(p=pathway, r=reason).values_list("pk", "p", "r")
    )
    for obj in created:
        expected = decide(obj, rules, ON)
        assert in_sql[obj.pk] == (expected.pathway, expected.reason), obj.__dict__
