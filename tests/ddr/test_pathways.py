"""Rule sets, set-based recomputation, what-if, quotas and the case state machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from ddr.accountability.appeals import services as appeals
from ddr.eligibility import selectors as eligibility_selectors
from ddr.eligibility import services as eligibility
from ddr.models import Combatant, EligibilityRun, Pathway, RuleSet, WaitingPlace

from ..factories import CombatantFactory, RuleSetFactory, region

pytestmark = pytest.mark.django_db

SCREENED = {"medical_status": "fit", "vetting_status": "clear"}


def activate(ruleset: RuleSet, by: User, eager_tasks: Any) -> EligibilityRun:
    with eager_tasks():
        run = eligibility.ruleset_activate(ruleset=ruleset, by=by)
    run.refresh_from_db()
    return run


def test_activation_decides_every_pathway_and_records_the_run(
    commission_officer: Any, eager_tasks: Any
) -> None:
    armed = CombatantFactory.create(**SCREENED)
    unfit = CombatantFactory.create(**{**SCREENED, "medical_status": "unfit"})
    unvetted = CombatantFactory.create(medical_status="fit")
    mdsf = CombatantFactory.create(**SCREENED, category="ex_mdsf")
    ruleset = RuleSetFactory.create(created_by=commission_officer)
    run = activate(ruleset, commission_officer, eager_tasks)
    assert run.finished_at and run.changed == 4 and run.job.status == "done"
    decided = {p.pk: (p.pathway, p.pathway_reason, p.pathway_ruleset_id) for p in Combatant.objects.all()}
    assert decided == {
        armed.pk: (Pathway.INTEGRATION_ARMY, "category_rule", ruleset.pk),
        unfit.pk: (Pathway.REINSERTION, "medical_unfit", ruleset.pk),
        unvetted.pk: (Pathway.PENDING, "vetting_missing", ruleset.pk),
        mdsf.pk: (Pathway.RECALL, "category_rule", ruleset.pk),
    }
    assert run.counts == {"integration_army": 1, "reinsertion": 1, "pending": 1, "recall": 1}
    # Each changed decision has its history row, by the officer who activated the rule set.
    change = unfit.history.filter(history_type="~").first()
    assert change.history_user == commission_officer and change.pathway == Pathway.REINSERTION
    ruleset.refresh_from_db()
    assert ruleset.status == RuleSet.Status.ACTIVE and ruleset.activated_by == commission_officer


def test_recomputing_twice_changes_nothing_the_second_time(commission_officer: Any, eager_tasks: Any) -> None:
    CombatantFactory.create_batch(5, **SCREENED)
    ruleset = RuleSetFactory.create()
    activate(ruleset, commission_officer, eager_tasks)
    before = Combatant.history.count()
    with eager_tasks():
        again = eligibility.recompute_queue(ruleset=ruleset, by=commission_officer)
    again.refresh_from_db()
    assert again.changed == 0 and Combatant.history.count() == before


def test_a_new_rule_set_writes_only_the_decisions_it_changes_and_stands_behind_the_rest(
    commission_officer: Any, commission_client: Any, eager_tasks: Any
) -> None:
    armed = CombatantFactory.create(**SCREENED)
    unarmed = CombatantFactory.create(**SCREENED, has_weapon=False)
    first = RuleSetFactory.create(effective_from=dt.date(2018, 1, 1))
    activate(first, commission_officer, eager_tasks)
    armed_history = armed.history.count()
    # Without the weapon requirement the unarmed man goes to integration; the armed man stays.
    second = RuleSetFactory.create(effective_from=dt.date(2019, 1, 1), integration_requires_weapon=False)
    run = activate(second, commission_officer, eager_tasks)
    armed.refresh_from_db()
    unarmed.refresh_from_db()
    assert run.changed == 1
    assert (unarmed.pathway, unarmed.pathway_ruleset_id) == (Pathway.INTEGRATION_ARMY, second.pk)
    assert unarmed.history.first().pathway_ruleset_id == second.pk  # the change is audited
    # The armed man's row is not rewritten: no new history, still stamped by the first rule set,
    # yet the rule set in force gives his decision, so it is the one named and explained.
    assert (armed.pathway, armed.pathway_ruleset_id) == (Pathway.INTEGRATION_ARMY, first.pk)
    assert armed.history.count() == armed_history
    assert eligibility_selectors.decided_by(armed) == second
    decision = eligibility_selectors.explain(armed)
    assert (decision.pathway, decision.reason, decision.ruleset) == (
        armed.pathway,
        armed.pathway_reason,
        str(second),
    )
    page = commission_client.get(reverse("ddr:person-detail", args=[armed.pk])).content.decode()
    assert f'data-testid="decision-ruleset">{second}<' in page
    # An appeal against his decision contests the rule set in force.
    appeal = appeals.appeal_file(
        kind="eligibility", decision=armed.pk, grounds="-", filed_on=dt.date.today(), by=commission_officer
    )
    assert appeal.ruleset == second


def test_a_decision_the_rules_in_force_do_not_give_keeps_the_rule_set_that_made_it(
    commission_officer: Any, eager_tasks: Any
) -> None:
    unarmed = CombatantFactory.create(**SCREENED, has_weapon=False)
    first = RuleSetFactory.create(effective_from=dt.date(2018, 1, 1))
    activate(first, commission_officer, eager_tasks)
    unarmed.refresh_from_db()
    assert eligibility_selectors.decided_by(unarmed) == first
    # The next rule set's run has not reached him yet (or an appeal froze him): his decision
    # (reinsertion, no weapon) is still the first rule set's, and explained by it.
    second = RuleSetFactory.create(effective_from=dt.date(2019, 1, 1), integration_requires_weapon=False)
    eligibility.ruleset_activate(ruleset=second, by=commission_officer)  # its run queued, not run
    unarmed.refresh_from_db()
    assert (unarmed.pathway, unarmed.pathway_reason) == (Pathway.REINSERTION, "no_weapon")
    assert eligibility_selectors.decided_by(unarmed) == first
    assert eligibility_selectors.explain(unarmed).reason == "no_weapon"


def test_people_already_engaged_keep_their_pathway(commission_officer: Any, eager_tasks: Any) -> None:
    integrated = CombatantFactory.create(**SCREENED, status="integrated", pathway="integration_army")
    Combatant.objects.filter(pk=integrated.pk).update(has_weapon=False)  # would now go to reinsertion
    activate(RuleSetFactory.create(), commission_officer, eager_tasks)
    integrated.refresh_from_db()
    assert integrated.pathway == "integration_army"


def test_a_new_version_supersedes_the_rules_in_force_from_its_start(
    commission_officer: Any, eager_tasks: Any
) -> None:
    first = RuleSetFactory.create(effective_from=dt.date(2018, 1, 1))
    activate(first, commission_officer, eager_tasks)
    activate(RuleSetFactory.create(effective_from=dt.date(2019, 1, 1)), commission_officer, eager_tasks)
    first.refresh_from_db()
    assert (first.status, first.effective_to) == (RuleSet.Status.RETIRED, dt.date(2019, 1, 1))
    assert first.history.first().history_user == commission_officer


def test_overlapping_active_periods_are_refused(commission_officer: Any, eager_tasks: Any) -> None:
    activate(RuleSetFactory.create(effective_from=dt.date(2018, 1, 1)), commission_officer, eager_tasks)
    # Starting before the rules in force would rewrite a period they already govern.
    overlapping = RuleSetFactory.create(effective_from=dt.date(2017, 6, 1))
    with pytest.raises(eligibility.PathwayRefused, match="chevauche"):
        eligibility.ruleset_activate(ruleset=overlapping, by=commission_officer)
    overlapping.refresh_from_db()
    assert overlapping.status == RuleSet.Status.DRAFT and EligibilityRun.objects.count() == 1


def test_a_quota_below_places_already_taken_is_refused(commission_officer: Any) -> None:
    CombatantFactory.create_batch(3, status="integrated", pathway="integration_army")
    ruleset = RuleSetFactory.create(quotas={"integration_army": {"total": 2}})
    with pytest.raises(eligibility.PathwayRefused, match="3"):
        eligibility.ruleset_activate(ruleset=ruleset, by=commission_officer)
    assert RuleSet.objects.get(pk=ruleset.pk).status == RuleSet.Status.DRAFT


def test_over_quota_people_wait_in_priority_order(commission_officer: Any, eager_tasks: Any) -> None:
    people = [
        CombatantFactory.create(**SCREENED, registered_at=dt.date(2019, 1, day), region=region(code))
        for day, code in [(5, "GAO"), (1, "GAO"), (3, "KID"), (2, "GAO"), (4, "KID")]
    ]
    quotas = {"integration_army": {"total": 4, "regions": {"GAO": 2}}}
    run = activate(RuleSetFactory.create(quotas=quotas), commission_officer, eager_tasks)
    positions = {
        p.combatant.registered_at.day: p.position for p in WaitingPlace.objects.select_related("combatant")
    }
    # Gao has 2 places: registered on the 1st and 2nd; the 5th waits. Nationally 4 places.
    assert positions == {5: 1}
    assert run.waitlisted == 1 and len(people) == 5
    place = WaitingPlace.objects.get()
    assert place.pathway == "integration_army"

    # Another Gao man registered on the 3rd arrives: he waits ahead of the man of the 5th (Gao is
    # full); the Kidal man of the 4th keeps the fourth national place, which Gao cannot take. The
    # man of the 5th keeps his `since`.
    CombatantFactory.create(
        **SCREENED, registered_at=dt.date(2019, 1, 3), region=region("GAO"), pathway="integration_army"
    )
    assert eligibility.waitlists_refresh(run.ruleset) == 2
    moved = WaitingPlace.objects.get(pk=place.pk)
    assert (moved.position, moved.since) == (2, place.since)

    # Places free up in Gao: both leave the list.
    Combatant.objects.filter(registered_at__in=[dt.date(2019, 1, 1), dt.date(2019, 1, 2)]).update(
        status="withdrawn"
    )
    assert eligibility.waitlists_refresh(run.ruleset) == 0
    assert not WaitingPlace.objects.exists()


def test_what_if_counts_changes_by_pathway_region_and_movement_before_activation(
    commission_officer: Any, eager_tasks: Any
) -> None:
    CombatantFactory.create_batch(3, **SCREENED, has_weapon=False)
    CombatantFactory.create_batch(2, **SCREENED, region=region("KID"))
    first = RuleSetFactory.create(effective_to=dt.date(2019, 1, 1))
    activate(first, commission_officer, eager_tasks)
    draft = RuleSetFactory.create(effective_from=dt.date(2019, 1, 1), integration_requires_weapon=False)
    result = eligibility_selectors.what_if(draft)
    assert result["changes"] == 3 and result["people"] == 5
    assert [(t[2], t[3], t[4]) for t in result["transitions"]] == [("reinsertion", "integration_army", 3)]
    assert result["by_region"] == [("GAO", 3)] and result["by_movement"] == [("GATIA", 3)]
    inspect = eligibility_selectors.what_if_people(draft, from_pathway="reinsertion", to_pathway="integration_army")
    assert inspect.count() == 3
    assert Combatant.objects.filter(pathway="integration_army").count() == 2  # nothing changed yet


def test_transitions_follow_the_case_path_and_refuse_the_rest(commission_officer: Any) -> None:
    person = CombatantFactory.create(status="screened")
    eligibility.case_transition(people=[person], to="oriented", by=commission_officer, reason="orientation")
    person.refresh_from_db()
    assert person.status == "oriented" and person.history.first().history_change_reason == "orientation"
    with pytest.raises(eligibility.PathwayRefused, match="nothing was changed|rien n'a été modifié"):
        eligibility.case_transition(people=[person], to="integrated", by=commission_officer)
    eligibility.case_transition(people=[person], to="deceased", by=commission_officer, reason="décès")
    with pytest.raises(eligibility.PathwayRefused):
        eligibility.case_transition(people=[person], to="oriented", by=commission_officer)  # terminal


def test_a_cohort_moves_together_or_not_at_all(commission_officer: Any) -> None:
    cohort = CombatantFactory.create_batch(4, status="oriented")
    stray = CombatantFactory.create(status="registered")
    with pytest.raises(eligibility.PathwayRefused):
        eligibility.case_transition(people=[*cohort, stray], to="in_training", by=commission_officer)
    assert Combatant.objects.filter(status="in_training").count() == 0
    assert (
        eligibility.case_transition(people=cohort, to="in_training", by=commission_officer, reason="cohorte")
        == 4
    )
    assert Combatant.history.filter(status="in_training", history_user=commission_officer).count() == 4
