"""The person's choice (and the pathway it changes at once), the profile's versions, the opportunity map."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from core.models import Cercle
from ddr.eligibility import services as eligibility
from ddr.models import Category, Choice, Combatant, Opportunity, Pathway, Profile, RuleSet, Trade
from ddr.reintegration.profiles import selectors, services
from ddr.reintegration.profiles.services import ChoiceRefused, OpportunityRefused, ProfileRefused

from ...factories import CombatantFactory, RuleSetFactory, region

pytestmark = pytest.mark.django_db

SCREENED = {"medical_status": "fit", "vetting_status": "clear"}


def activate(ruleset: RuleSet, by: User, eager_tasks: Any) -> None:
    with eager_tasks():
        eligibility.ruleset_activate(ruleset=ruleset, by=by)


def choose(person: Combatant, by: User, **kw: Any) -> Choice:
    values = {
        "option": "civilian_life",
        "volunteer_first_operation": True,
        "chosen_on": dt.date(2024, 2, 1),
        "witnessed_by": "Commission régionale de Gao",
    }
    return services.choice_record(person=person, by=by, **{**values, **kw})


def trade(code: str) -> Trade:
    return Trade.objects.get(code=code)


def cercle(name: str) -> Cercle:
    return Cercle.objects.get(name=name)


# --- the choice ---------------------------------------------------------------------------


def test_a_choice_for_civilian_life_sends_an_armed_fit_vetted_combatant_to_reinsertion_at_once(
    commission_officer: Any, eager_tasks: Any
) -> None:
    person = CombatantFactory.create(**SCREENED)
    activate(RuleSetFactory.create(), commission_officer, eager_tasks)
    person.refresh_from_db()
    assert (person.pathway, person.pathway_reason) == (Pathway.INTEGRATION_ARMY, "category_rule")

    choice = choose(person, commission_officer)

    person.refresh_from_db()
    assert person.choice == "civilian_life"
    assert (person.pathway, person.pathway_reason) == (Pathway.REINSERTION, "chose_civilian_life")
    # Audited: the choice's own history, and the person's change of choice and of pathway.
    assert choice.history.get().history_user == commission_officer
    assert choice.recorded_by == commission_officer
    changes = list(person.history.order_by("-history_id")[:2])
    assert [(h.choice, h.pathway) for h in changes] == [
        ("civilian_life", Pathway.REINSERTION),
        ("civilian_life", Pathway.INTEGRATION_ARMY),
    ]
    assert all(h.history_user == commission_officer for h in changes)


def test_without_a_rule_set_in_force_the_choice_is_kept_and_the_pathway_waits(
    commission_officer: Any,
) -> None:
    person = CombatantFactory.create(**SCREENED)
    choose(person, commission_officer)
    person.refresh_from_db()
    assert person.choice == "civilian_life" and person.pathway == Pathway.PENDING


def test_a_person_the_rules_never_decided_waits_for_the_next_run(
    commission_officer: Any, eager_tasks: Any
) -> None:
    activate(RuleSetFactory.create(), commission_officer, eager_tasks)
    newcomer = CombatantFactory.create(**SCREENED)  # registered after the run
    choose(newcomer, commission_officer)
    newcomer.refresh_from_db()
    assert (newcomer.choice, newcomer.pathway, newcomer.pathway_ruleset_id) == (
        "civilian_life",
        Pathway.PENDING,
        None,
    )


def test_the_latest_choice_by_date_is_the_persons(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    choose(person, commission_officer, chosen_on=dt.date(2024, 3, 1))
    # Recorded later, chosen earlier: kept, but not the current choice.
    choose(
        person,
        commission_officer,
        option="integration_forces",
        volunteer_first_operation=False,
        chosen_on=dt.date(2023, 1, 1),
    )
    person.refresh_from_db()
    assert person.choice == "civilian_life" and person.choices.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"chosen_on": "tomorrow"}, "chosen_on"),
        ({"chosen_on": dt.date(2019, 2, 1)}, "chosen_on"),  # before registration (1 March 2019)
        ({"witnessed_by": "   "}, "witnessed_by"),
        ({"option": "integration_forces"}, "volunteer_first_operation"),  # volunteers choose civilian life
        ({"option": "abroad", "volunteer_first_operation": False}, "option"),
    ],
)
def test_bad_choices_are_refused_and_nothing_changes(
    commission_officer: Any, change: dict[str, Any], field: str
) -> None:
    person = CombatantFactory.create()
    if change.get("chosen_on") == "tomorrow":
        change = {"chosen_on": timezone.localdate() + dt.timedelta(days=1)}
    before = person.history.count()
    with pytest.raises(ChoiceRefused) as refused:
        choose(person, commission_officer, **change)
    assert refused.value.field == field and str(refused.value)
    person.refresh_from_db()
    assert person.choice == "" and Choice.objects.count() == 0 and person.history.count() == before


def test_a_child_or_a_merged_record_makes_no_choice(commission_officer: Any) -> None:
    child = CombatantFactory.create(category=Category.CHILD, has_weapon=False)
    kept = CombatantFactory.create()
    merged = CombatantFactory.create(status=Combatant.Status.MERGED, merged_into=kept)
    for person in (child, merged):
        with pytest.raises(ChoiceRefused, match=person.registration_number):
            choose(person, commission_officer)
    assert Choice.objects.count() == 0
    assert set(Combatant.objects.values_list("choice", flat=True)) == {""}


# --- the profile --------------------------------------------------------------------------


def profile_data(**kw: Any) -> dict[str, Any]:
    values = {
        "profiled_on": dt.date(2024, 2, 1),
        "education": "primary",
        "literate": True,
        "languages": "Songhaï, français",
        "occupation_before": "Éleveur",
        "skills": [trade("livestock"), trade("mechanics")],
        "preferred_trade": trade("mechanics"),
        "dependants": 4,
        "household_size": 6,
        "return_region": region("GAO"),
        "return_cercle": cercle("Ansongo"),
        "return_commune": "Ouattagouna",
        "housing": "family",
        "mobile_money": "+223 76 12 34 56",
    }
    return {**values, **kw}


def test_profile_created_then_updated_keeps_every_version_with_its_skills(
    commission_officer: Any, gao_officer: Any
) -> None:
    person = CombatantFactory.create()
    profile = services.profile_save(person=person, data=profile_data(), by=commission_officer)
    assert profile.mobile_money == "+22376123456"  # normalised
    assert profile.profiled_by == commission_officer

    data = profile_data(household_size=7, skills=[trade("livestock")], preferred_trade=trade("sewing"))
    again = services.profile_save(person=person, data=data, by=gao_officer)

    assert again.pk == profile.pk and Profile.objects.count() == 1
    versions = list(profile.history.order_by("history_id"))
    assert [(v.history_type, v.household_size, v.history_user) for v in versions] == [
        ("+", 6, commission_officer),
        ("~", 7, gao_officer),
    ]
    # Each version keeps the skills as they were then.
    assert [sorted(v.skills.values_list("trade__code", flat=True)) for v in versions] == [
        ["livestock", "mechanics"],
        ["livestock"],
    ]
    shown = selectors.profile_versions(again)
    assert [e.who for e in shown] == ["Awa Traoré", "Awa Traoré"] and len(shown) == 2
    newest = {c.name: (c.before, c.after) for c in shown[0].changes}
    assert newest["household_size"] == ("6", "7")
    assert newest["skills"] == ("Mécanique auto et moto, Élevage", "Élevage")


def test_a_cercle_outside_the_region_of_return_is_refused(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    with pytest.raises(ProfileRefused) as refused:
        services.profile_save(
            person=person, data=profile_data(return_region=region("KID")), by=commission_officer
        )
    assert refused.value.field == "return_cercle" and "Ansongo" in str(refused.value)
    assert Profile.objects.count() == 0 and Profile.history.count() == 0


def test_a_cercle_alone_gives_its_region(commission_officer: Any) -> None:
    profile = services.profile_save(
        person=CombatantFactory.create(), data=profile_data(return_region=None), by=commission_officer
    )
    assert profile.return_region == region("GAO")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mobile_money": "12 34"}, "mobile_money"),
        ({"household_size": 3, "dependants": 4}, "household_size"),
        ({"household_size": 0, "dependants": 0}, "household_size"),
        ({"profiled_on": dt.date(2019, 1, 1)}, "profiled_on"),
    ],
)
def test_bad_profiles_are_refused_and_the_saved_one_stays(
    commission_officer: Any, change: dict[str, Any], field: str
) -> None:
    person = CombatantFactory.create()
    services.profile_save(person=person, data=profile_data(), by=commission_officer)
    with pytest.raises(ProfileRefused) as refused:
        services.profile_save(person=person, data=profile_data(**change), by=commission_officer)
    assert refused.value.field == field
    profile = Profile.objects.get()
    assert (profile.household_size, profile.mobile_money) == (6, "+22376123456")
    assert profile.history.count() == 1


def test_a_child_is_never_profiled(commission_officer: Any) -> None:
    child = CombatantFactory.create(category=Category.CHILD, has_weapon=False)
    with pytest.raises(ProfileRefused):
        services.profile_save(person=child, data=profile_data(), by=commission_officer)
    assert Profile.objects.count() == 0


def test_the_fit_reads_the_map_of_the_place_of_return(commission_officer: Any) -> None:
    Opportunity.objects.create(
        region=region("GAO"),
        cercle=cercle("Ansongo"),
        trade=trade("mechanics"),
        demand="high",
        provider="CFP Ansongo",
        capacity=25,
        source="Étude BIT 2023",
        studied_on=dt.date(2023, 4, 1),
    )
    profile = services.profile_save(
        person=CombatantFactory.create(), data=profile_data(), by=commission_officer
    )
    fit = selectors.profile_fit(profile)
    assert (fit.outcome, fit.demand, fit.provider, fit.training_places) == (
        "listed",
        "high",
        "CFP Ansongo",
        25,
    )


# --- the opportunity map ------------------------------------------------------------------


def opportunity(**kw: Any) -> Opportunity:
    values = {
        "region": region("GAO"),
        "cercle": cercle("Bourem"),
        "trade": trade("livestock"),
        "demand": "high",
        "provider": "Centre agro-pastoral",
        "capacity": 30,
        "source": "Étude FAO 2022",
        "studied_on": dt.date(2022, 9, 1),
    }
    return Opportunity(**{**values, **kw})


def test_a_regional_officer_edits_their_region_only(gao_officer: Any) -> None:
    saved = services.opportunity_save(opportunity=opportunity(), by=gao_officer)
    assert saved.history.get().history_user == gao_officer
    with pytest.raises(OpportunityRefused) as refused:
        services.opportunity_save(
            opportunity=opportunity(region=region("KID"), cercle=cercle("Tessalit")), by=gao_officer
        )
    assert refused.value.field == "region"
    # Nor moves a line of another region into theirs.
    kidal = opportunity(region=region("KID"), cercle=None)
    kidal.save()
    kidal.region = region("GAO")
    with pytest.raises(OpportunityRefused):
        services.opportunity_save(opportunity=kidal, by=gao_officer)
    assert Opportunity.objects.get(pk=kidal.pk).region == region("KID")


def test_a_line_names_its_study_and_is_once_per_place(commission_officer: Any) -> None:
    with pytest.raises(OpportunityRefused) as refused:
        services.opportunity_save(opportunity=opportunity(source=""), by=commission_officer)
    assert refused.value.field == "source"
    services.opportunity_save(opportunity=opportunity(cercle=None), by=commission_officer)
    with pytest.raises(OpportunityRefused) as twin:
        services.opportunity_save(opportunity=opportunity(cercle=None, demand="low"), by=commission_officer)
    assert twin.value.field == "trade" and Opportunity.objects.count() == 1
    with pytest.raises(OpportunityRefused) as outside:
        services.opportunity_save(opportunity=opportunity(cercle=cercle("Tessalit")), by=commission_officer)
    assert outside.value.field == "cercle"
