"""Requirements per pathway into the State: civilian cadres reach the civil service without a weapon
or a military medical, the army still asks both, an age ceiling sends a person to the pathway for
those refused; the Python rules and the SQL CASE agree; the screens and the API show the table."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from ddr.eligibility.models import default_pathway_requirements
from ddr.eligibility.rules import REASONS, STATE_PATHWAYS, Requirements, Rules, decide, pathway_case
from ddr.models import Category, Combatant, MedicalStatus, Pathway, RuleSet, VettingStatus

from ..factories import CombatantFactory, RuleSetFactory

ON = dt.date(2021, 3, 1)
CATEGORIES = {
    "combatant_armed": "integration_army",
    "combatant_unarmed": "community",
    "woman_associated": "reinsertion",
    "ex_mdsf": "recall",
    "civilian_cadre": "integration_civil",
    "defector": "integration_army",
}
# The 2018 rules as they were: one set of requirements for every integration pathway.
GLOBAL = Rules(name="Accord 2018 v1", category_pathways=CATEGORIES)
CIVIL = {"integration_civil": Requirements(weapon=False, medical=False)}
PER_PATHWAY = Rules(
    name="Feuille de route 2020 v1",
    category_pathways=CATEGORIES,
    pathway_requirements={**CIVIL, "integration_army": Requirements(max_age=45)},
)


def person(**facts: Any) -> SimpleNamespace:
    base = {
        "category": Category.COMBATANT_ARMED,
        "birth_year": 1990,
        "has_weapon": True,
        "age_verified": True,
        "medical_status": MedicalStatus.FIT,
        "vetting_status": VettingStatus.CLEAR,
        "choice": "",
    }
    return SimpleNamespace(**{**base, **facts})


CADRE = {
    "category": Category.CIVILIAN_CADRE,
    "has_weapon": False,
    "medical_status": MedicalStatus.NOT_EXAMINED,
}


# --- the rules, without a database ------------------------------------------------------------


def test_a_civilian_cadre_without_weapon_or_medical_reaches_the_civil_service() -> None:
    decision = decide(person(**CADRE), PER_PATHWAY, ON)
    assert (decision.pathway, decision.reason) == (Pathway.INTEGRATION_CIVIL, "category_rule")


def test_under_one_set_of_requirements_the_same_cadre_waited_for_a_medical() -> None:
    """The demo's finding (roadmap 2020, items 7 and 13): all cadres waited for "medical missing",
    an examined unarmed one went to reinsertion."""
    assert decide(person(**CADRE), GLOBAL, ON).reason == "medical_missing"
    fit = decide(person(**{**CADRE, "medical_status": MedicalStatus.FIT}), GLOBAL, ON)
    assert (fit.pathway, fit.reason) == (Pathway.REINSERTION, "no_weapon")


def test_an_unarmed_combatant_is_still_refused_the_army() -> None:
    decision = decide(person(has_weapon=False), PER_PATHWAY, ON)
    assert (decision.pathway, decision.reason) == (Pathway.REINSERTION, "no_weapon")
    assert (
        decide(person(medical_status=MedicalStatus.NOT_EXAMINED), PER_PATHWAY, ON).reason == "medical_missing"
    )


def test_over_the_army_age_ceiling_goes_to_the_fallback_with_its_reason() -> None:
    born = ON.year - 46  # 46 this year: over 45
    decision = decide(person(birth_year=born, medical_status=MedicalStatus.NOT_EXAMINED), PER_PATHWAY, ON)
    assert (decision.pathway, decision.reason) == (Pathway.REINSERTION, "over_age")
    with translation.override("en"):
        assert "maximum age" in str(REASONS["over_age"])
    assert decide(person(birth_year=ON.year - 45), PER_PATHWAY, ON).pathway == Pathway.INTEGRATION_ARMY
    assert (
        decide(person(birth_year=None), PER_PATHWAY, ON).pathway == Pathway.INTEGRATION_ARMY
    )  # unknown: not over
    # The ceiling is the army's: an older civilian cadre still reaches the civil service.
    assert decide(person(**CADRE, birth_year=born - 10), PER_PATHWAY, ON).pathway == Pathway.INTEGRATION_CIVIL
    elsewhere = Rules(**{**PER_PATHWAY.__dict__, "integration_fallback": Pathway.COMMUNITY})
    assert decide(person(birth_year=born), elsewhere, ON).pathway == Pathway.COMMUNITY


def test_a_pathway_minimum_age_above_the_general_one_refuses_the_younger() -> None:
    rules = Rules(
        **{**PER_PATHWAY.__dict__, "pathway_requirements": {"integration_army": Requirements(min_age=21)}}
    )
    decision = decide(person(birth_year=ON.year - 19), rules, ON)
    assert (decision.pathway, decision.reason) == (Pathway.REINSERTION, "under_pathway_age")
    assert decide(person(birth_year=ON.year - 16), rules, ON).reason == "under_age"  # a child stays a child


def test_vetting_and_age_verification_follow_the_pathway_of_the_category() -> None:
    lines = {
        "integration_civil": Requirements(vetting=False),
        "integration_army": Requirements(age_verification=True),
    }
    rules = Rules(**{**GLOBAL.__dict__, "pathway_requirements": lines})
    unvetted = {"vetting_status": VettingStatus.NOT_VETTED}
    assert decide(person(**unvetted), rules, ON).reason == "vetting_missing"
    assert decide(person(**CADRE, **unvetted), rules, ON).reason == "medical_missing"  # past vetting
    assert decide(person(age_verified=False), rules, ON).reason == "age_not_verified"
    unverified_cadre = decide(person(**CADRE, age_verified=False), rules, ON)
    assert unverified_cadre.reason != "age_not_verified"
    # A category without a pathway keeps the general rule: vetted first, then not eligible.
    no_pathway = Rules(**{**rules.__dict__, "category_pathways": {"civilian_cadre": "integration_civil"}})
    assert decide(person(**unvetted), no_pathway, ON).reason == "vetting_missing"


def test_a_rule_set_without_lines_decides_exactly_as_before() -> None:
    """Stored rule sets have no lines (migration 0029): every branch is the one they had."""
    assert Rules.of(SimpleNamespace(**_fields(pathway_requirements={}))).pathway_requirements == {}
    plain = Rules(name="x", category_pathways=CATEGORIES)
    for pathway in STATE_PATHWAYS:
        needs = plain.requirements(pathway)
        integration = pathway != Pathway.RECALL
        assert (needs.weapon, needs.medical, needs.vetting, needs.age_verification) == (
            integration,
            integration,
            True,
            False,
        )


def test_a_stored_line_of_the_wrong_type_counts_as_not_given() -> None:
    line = Requirements.of({"weapon": "no", "medical": False, "max_age": True, "min_age": 20, "colour": 1})
    assert line == Requirements(medical=False, min_age=20)
    rules = Rules.of(
        SimpleNamespace(**_fields(pathway_requirements={"reinsertion": {"max_age": 30}, "x": 1}))
    )
    assert rules.pathway_requirements == {}  # only the pathways into the State have lines


def _fields(**changes: Any) -> dict[str, Any]:
    values = {
        "min_age": 18,
        "integration_requires_weapon": True,
        "medical_fitness_required": True,
        "vetting_required": True,
        "age_verification_required": False,
        "civilian_choice_respected": True,
        "category_pathways": CATEGORIES,
        "integration_fallback": "reinsertion",
        "pathway_requirements": default_pathway_requirements(),
    }
    return {**values, **changes}


# --- Python and SQL agree ------------------------------------------------------------------------

flag = st.one_of(st.none(), st.booleans())
age = st.one_of(st.none(), st.integers(15, 70))
lines = st.dictionaries(
    st.sampled_from([p.value for p in STATE_PATHWAYS]),
    st.builds(
        Requirements, weapon=flag, medical=flag, vetting=flag, age_verification=flag, min_age=age, max_age=age
    ),
)
facts = st.fixed_dictionaries(
    {
        "category": st.sampled_from(Category.values),
        "birth_year": st.one_of(st.none(), st.integers(1950, 2008)),
        "has_weapon": st.booleans(),
        "age_verified": st.booleans(),
        "medical_status": st.sampled_from(MedicalStatus.values),
        "vetting_status": st.sampled_from(VettingStatus.values),
        "choice": st.sampled_from(["", "civilian_life"]),
    }
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(people=st.lists(facts, min_size=1, max_size=15), requirements=lines, strict=st.booleans())
def test_the_sql_case_decides_every_person_as_the_python_rules(
    people: list[dict[str, Any]], requirements: dict[str, Requirements], strict: bool
) -> None:
    rules = Rules(
        name="random",
        category_pathways=CATEGORIES,
        vetting_required=not strict,
        age_verification_required=strict,
        pathway_requirements=requirements,
    )
    Combatant.objects.all().delete()
    created = [CombatantFactory.create(**f) for f in people]
    pathway, reason = pathway_case(rules, ON)
    in_sql = {
        pk: (p, r) for pk, p, r in Combatant.objects.annotate(p=pathway, r=reason).values_list("pk", "p", "r")
    }
    for obj in created:
        expected = decide(obj, rules, ON)
        assert in_sql[obj.pk] == (expected.pathway, expected.reason), (obj.__dict__, requirements)


@pytest.mark.django_db
def test_over_a_population_the_recompute_writes_what_the_rules_say(
    commission_officer: Any, eager_tasks: Any
) -> None:
    """A recompute (the SQL) over a few dozen people agrees with `decide` person by person."""
    from ddr.eligibility import selectors
    from ddr.eligibility import services as eligibility

    adults = [c for c in Category.values if c != Category.CHILD]
    for n in range(40):
        CombatantFactory.create(
            category=adults[n % len(adults)],
            birth_year=1950 + n,
            has_weapon=n % 3 != 0,
            medical_status=MedicalStatus.values[n % len(MedicalStatus.values)],
            vetting_status=VettingStatus.CLEAR if n % 5 else VettingStatus.NOT_VETTED,
        )
    ruleset = RuleSetFactory.create(
        category_pathways=CATEGORIES,
        pathway_requirements={
            "integration_civil": {"weapon": False, "medical": False},
            "integration_army": {"max_age": 45},
        },
    )
    with eager_tasks():
        eligibility.ruleset_activate(ruleset=ruleset, by=commission_officer)
    decided = list(Combatant.objects.all())
    assert {p.pathway_reason for p in decided} >= {"over_age", "category_rule"}
    for p in decided:
        expected = selectors.explain(p)
        assert expected is not None and (p.pathway, p.pathway_reason) == (expected.pathway, expected.reason)


# --- the data migration ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_gives_rule_sets_with_civil_service_a_civil_line_audited() -> None:
    migration = importlib.import_module("ddr.migrations.0030_civil_service_without_weapon_or_medical")
    with_civil = RuleSetFactory.create(category_pathways=CATEGORIES)
    without = RuleSetFactory.create(category_pathways={"combatant_armed": "integration_army"})
    own_line = RuleSetFactory.create(
        category_pathways=CATEGORIES, pathway_requirements={"integration_civil": {"weapon": True}}
    )
    migration.civil_line(apps, None)
    for r in (with_civil, without, own_line):
        r.refresh_from_db()
    assert with_civil.pathway_requirements == {"integration_civil": {"weapon": False, "medical": False}}
    assert without.pathway_requirements == {} and own_line.pathway_requirements == {
        "integration_civil": {"weapon": True}
    }
    latest = with_civil.history.latest()
    assert latest.history_change_reason.startswith("Rapport 2024") and latest.pathway_requirements
    assert without.history.count() == 1  # its creation only
    migration.no_civil_line(apps, None)
    with_civil.refresh_from_db()
    assert with_civil.pathway_requirements == {}


def test_a_new_rule_set_has_a_civil_line_and_invented_ceilings() -> None:
    lines = RuleSet().pathway_requirements
    assert lines["integration_civil"] == {"weapon": False, "medical": False}
    assert lines["integration_army"]["max_age"] == lines["integration_security"]["max_age"] == 45


# --- screens and API --------------------------------------------------------------------------------


def _form_data(ruleset: RuleSet, **changes: Any) -> dict[str, Any]:
    data = {
        "name": ruleset.name,
        "version": ruleset.version,
        "effective_from": "2021-01-01",
        "min_age": 18,
        "max_stay_days": 45,
        "integration_requires_weapon": "on",
        "medical_fitness_required": "on",
        "vetting_required": "on",
        "civilian_choice_respected": "on",
        "integration_fallback": "reinsertion",
        "priority": "registration",
        **{f"category_{c}": p for c, p in CATEGORIES.items()},
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_the_administrator_edits_the_table_of_requirements_in_french(admin_client: Any) -> None:
    draft = RuleSetFactory.create()
    page = admin_client.get(reverse("ddr:ruleset-edit", args=[draft.pk])).content.decode()
    assert 'data-testid="ruleset-requirements-form"' in page and 'name="req_integration_civil_weapon"' in page
    data = _form_data(
        draft,
        req_integration_civil_weapon="no",
        req_integration_civil_medical="no",
        req_integration_army_max_age="45",
        req_recall_vetting="yes",
    )
    response = admin_client.post(reverse("ddr:ruleset-edit", args=[draft.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    assert draft.pathway_requirements == {
        "integration_army": {"max_age": 45},
        "integration_civil": {"weapon": False, "medical": False},
        "recall": {"vetting": True},
    }
    assert draft.history.latest().pathway_requirements == draft.pathway_requirements  # audited
    detail = admin_client.get(reverse("ddr:ruleset-detail", args=[draft.pk])).content.decode()
    assert 'data-testid="ruleset-requirements"' in detail and 'data-pathway="integration_civil"' in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"req_integration_army_max_age": "30", "req_integration_army_min_age": "35"},
            "req_integration_army_max_age",
        ),
        ({"req_integration_security_max_age": "16"}, "req_integration_security_max_age"),
        ({"req_integration_army_max_age": "abc"}, "req_integration_army_max_age"),
        ({"req_integration_army_max_age": "150"}, "req_integration_army_max_age"),
        ({"req_integration_civil_weapon": "peut-être"}, "req_integration_civil_weapon"),
    ],
)
def test_a_bad_requirement_is_a_400_with_its_field_and_nothing_changes(
    admin_client: Any, changes: dict[str, str], field: str
) -> None:
    draft = RuleSetFactory.create(pathway_requirements={"integration_civil": {"weapon": False}})
    response = admin_client.post(reverse("ddr:ruleset-edit", args=[draft.pk]), _form_data(draft, **changes))
    assert response.status_code == 400 and field in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.pathway_requirements == {"integration_civil": {"weapon": False}}


@pytest.mark.django_db
def test_only_the_administrator_edits_and_the_commission_reads(
    commission_client: Any, gao_client: Any
) -> None:
    draft = RuleSetFactory.create()
    edit = reverse("ddr:ruleset-edit", args=[draft.pk])
    assert (
        commission_client.post(edit, _form_data(draft, req_integration_civil_weapon="no")).status_code == 403
    )
    assert commission_client.get(reverse("ddr:ruleset-detail", args=[draft.pk])).status_code == 200
    assert gao_client.get(reverse("ddr:ruleset-detail", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.pathway_requirements == {}


@pytest.mark.django_db
def test_the_api_shows_each_pathways_requirements_read_only(
    commission_client: Any, analyst_client: Any, gao_client: Any
) -> None:
    ruleset = RuleSetFactory.create(
        pathway_requirements={"integration_civil": {"weapon": False, "medical": False}}
    )
    response = commission_client.get(f"/api/rulesets/{ruleset.pk}/")
    assert response.status_code == 200
    lines = {line["pathway"]: line for line in response.json()["requirements"]}
    assert set(lines) == {p.value for p in STATE_PATHWAYS}
    assert lines["integration_civil"] | {"own": sorted(lines["integration_civil"]["own"])} == {
        "pathway": "integration_civil",
        "weapon": False,
        "medical": False,
        "vetting": True,
        "age_verification": False,
        "min_age": 18,
        "max_age": None,
        "own": ["medical", "weapon"],
    }
    assert lines["integration_army"]["weapon"] is True and lines["integration_army"]["own"] == []
    assert commission_client.patch(f"/api/rulesets/{ruleset.pk}/", {"min_age": 10}).status_code == 405
    assert commission_client.get("/api/rulesets/?status=nonsense").status_code == 400
    for refused in (analyst_client, gao_client):
        assert refused.get("/api/rulesets/").status_code == 403


@pytest.mark.django_db
def test_the_demo_rule_sets_send_civilian_cadres_to_the_civil_service(administrator: Any) -> None:
    """seed_demo's rule sets (the 2018 criteria, the roadmap of 18 December 2020): a cadre without
    weapon or medical reaches the civil service; no age ceiling, the report gives none."""
    from programme.management.commands.seed_demo import Command

    assert Command._rulesets(administrator).status == RuleSet.Status.ACTIVE
    assert RuleSet.objects.count() == 2
    for ruleset in RuleSet.objects.all():
        rules = Rules.of(ruleset)
        assert decide(person(**CADRE), rules, ON).pathway == Pathway.INTEGRATION_CIVIL
        assert decide(person(has_weapon=False), rules, ON).reason == "no_weapon"
        assert decide(person(birth_year=1950), rules, ON).pathway == Pathway.INTEGRATION_ARMY
