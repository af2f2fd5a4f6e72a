"""Appeals of each kind: filed, freezing what must not move while open, and ended upheld (nothing
changes) or overturned through the service that made the decision, audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from core.errors import Refused
from ddr.accountability.appeals import services
from ddr.accountability.appeals.models import Appeal
from ddr.duplicates import services as duplicates
from ddr.eligibility import services as eligibility
from ddr.lists import services as lists
from ddr.models import AgeAssessment, Category, Combatant, MedicalExam, Merge, Pathway, SubmittedList
from integration.models import Candidate

from ...factories import CombatantFactory, RuleSetFactory
from .appeals_setup import (
    K,
    a_list,
    age,
    assigned,
    decider,
    filed,
    medical,
    merged,
    overturn,
    scheduled,
    uphold,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The refusals are asserted in English (the catalogue would give them in French)."""
    with translation.override("en"):
        yield


# --- medical results ----------------------------------------------------------------------


def test_a_medical_result_overturned_is_a_new_final_examination_by_the_decider(
    commission_officer: Any, gao_officer: Any
) -> None:
    exam = medical(commission_officer)
    person = exam.combatant
    appeal = filed(K.MEDICAL, exam.pk, gao_officer)
    assert (appeal.combatant, appeal.region_id, appeal.decision_by) == (
        person,
        person.region_id,
        commission_officer,
    )
    assert appeal.contested_value == "unfit" and appeal.status == "filed"
    boss = decider()
    appeal = overturn(scheduled(appeal, boss), boss, new_value="fit")
    person.refresh_from_db()
    assert appeal.status == "overturned" and appeal.decided_by == boss and appeal.new_value == "fit"
    assert person.medical_status == "fit"
    latest = MedicalExam.objects.filter(combatant=person).order_by("-id").first()
    assert latest is not None and latest.result == "fit" and latest.recorded_by == boss
    assert f"appeal {appeal.pk}" in latest.note
    # The person's fitness changed with its history row naming the decider.
    assert person.history.first().history_user == boss
    assert appeal.history.first().history_user == boss


def test_a_medical_result_upheld_changes_nothing(commission_officer: Any) -> None:
    exam = medical(commission_officer)
    boss = decider()
    appeal = uphold(scheduled(filed(K.MEDICAL, exam.pk, commission_officer), boss), boss)
    assert appeal.status == "upheld" and appeal.new_value == ""
    assert MedicalExam.objects.count() == 1
    exam.combatant.refresh_from_db()
    assert exam.combatant.medical_status == "unfit"


# --- age assessments ----------------------------------------------------------------------


def test_an_age_assessment_overturned_goes_through_age_assess_and_separates_a_child(
    commission_officer: Any, child_protection_officer: Any
) -> None:
    assessment = age(commission_officer, years=19)
    boss = decider()
    appeal = overturn(scheduled(filed(K.AGE, assessment.pk, commission_officer), boss), boss, new_value="16")
    person = Combatant.objects.get(pk=assessment.combatant_id)
    latest = AgeAssessment.objects.filter(combatant=person).order_by("-id").first()
    assert latest is not None and (latest.assessed_age, latest.decision, latest.assessed_by) == (
        16,
        "child",
        boss,
    )
    assert person.category == Category.CHILD and person.pathway == Pathway.CHILD_REFERRAL
    # Now a child's appeal: child protection only.
    assert not Appeal.objects.for_user(commission_officer).filter(pk=appeal.pk).exists()
    assert Appeal.objects.for_user(child_protection_officer).filter(pk=appeal.pk).exists()


def test_an_age_overturn_needs_an_age(commission_officer: Any) -> None:
    assessment = age(commission_officer)
    boss = decider()
    appeal = scheduled(filed(K.AGE, assessment.pk, commission_officer), boss)
    with pytest.raises(Refused) as refused:
        overturn(appeal, boss, new_value="")
    assert refused.value.field == "new_value"
    appeal.refresh_from_db()
    assert appeal.status == "scheduled" and AgeAssessment.objects.count() == 1


# --- ranks --------------------------------------------------------------------------------


def test_a_rank_overturned_goes_through_candidate_rank_change(commission_officer: Any) -> None:
    candidate = assigned(commission_officer, rank="Caporal")
    appeal = filed(K.RANK, candidate.pk, commission_officer)
    assert appeal.decision_by == commission_officer and appeal.contested_value == "Caporal"
    boss = decider()
    overturn(scheduled(appeal, boss), boss, new_value="Sergent")
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert candidate.army_rank == "Sergent" and f"appeal {appeal.pk}" in candidate.rank_override_reason
    assert candidate.history.first().history_user == boss


def test_a_rank_upheld_keeps_the_rank(commission_officer: Any) -> None:
    candidate = assigned(commission_officer)
    boss = decider()
    uphold(scheduled(filed(K.RANK, candidate.pk, commission_officer), boss), boss)
    assert Candidate.objects.get(pk=candidate.pk).army_rank == "Caporal"


# --- a list's status ----------------------------------------------------------------------


def test_a_list_status_under_appeal_is_frozen_and_changes_only_by_the_decision(
    commission_officer: Any,
) -> None:
    submitted = a_list(commission_officer)
    lists.list_status_change(submitted=submitted, status="disputed", by=commission_officer)
    appeal = filed(K.LIST_STATUS, submitted.pk, commission_officer)
    assert appeal.movement == submitted.movement and appeal.combatant is None and appeal.region is None
    assert appeal.decision_by == commission_officer and appeal.contested_value == "disputed"
    with pytest.raises(Refused, match="appeal"):
        lists.list_status_change(submitted=submitted, status="accepted", by=commission_officer)
    assert SubmittedList.objects.get(pk=submitted.pk).status == "disputed"
    boss = decider()
    overturn(scheduled(appeal, boss), boss, new_value="accepted")
    submitted.refresh_from_db()
    assert submitted.status == "accepted" and submitted.history.first().history_user == boss
    # Decided: the status moves by hand again.
    lists.list_status_change(submitted=submitted, status="under_review", by=commission_officer)


def test_a_withdrawn_list_appeal_unfreezes_the_status(commission_officer: Any) -> None:
    submitted = a_list(commission_officer)
    appeal = filed(K.LIST_STATUS, submitted.pk, commission_officer)
    services.appeal_withdraw(appeal=appeal, reasons="Accord trouvé avec le mouvement.", by=commission_officer)
    lists.list_status_change(submitted=submitted, status="accepted", by=commission_officer)


# --- merges -------------------------------------------------------------------------------


def test_a_merge_under_appeal_is_not_undone_by_hand_the_overturn_undoes_it(commission_officer: Any) -> None:
    merge = merged(commission_officer)
    appeal = filed(K.MERGE, merge.pk, commission_officer)
    assert appeal.combatant_id == merge.absorbed_id and appeal.decision_by == commission_officer
    with pytest.raises(Refused, match="appeal"):
        duplicates.merge_undo(merge=merge, by=commission_officer)
    assert Merge.objects.get(pk=merge.pk).undone_at is None
    boss = decider()
    appeal = overturn(scheduled(appeal, boss), boss)
    merge.refresh_from_db()
    absorbed = Combatant.objects.get(pk=merge.absorbed_id)
    assert merge.undone_by == boss and merge.undone_at is not None
    assert absorbed.status != Combatant.Status.MERGED and absorbed.merged_into is None
    assert appeal.new_value == "undone"


def test_a_merge_appeal_may_be_filed_by_the_kept_record(commission_officer: Any) -> None:
    merge = merged(commission_officer)
    appeal = filed(K.MERGE, merge.pk, commission_officer, person=merge.kept)
    assert appeal.combatant_id == merge.kept_id


# --- pathways -----------------------------------------------------------------------------


def test_an_open_pathway_appeal_keeps_the_recompute_from_moving_that_person(
    commission_officer: Any, eager_tasks: Any
) -> None:
    screened = {"medical_status": "fit", "vetting_status": "clear"}
    frozen, free = CombatantFactory.create_batch(2, **screened)
    eligibility.pathway_set(
        person=frozen, to=Pathway.COMMUNITY, reason="category_rule", by=commission_officer
    )
    eligibility.pathway_set(person=free, to=Pathway.COMMUNITY, reason="category_rule", by=commission_officer)
    appeal = filed(K.ELIGIBILITY, frozen.pk, commission_officer)
    assert appeal.contested_value == Pathway.COMMUNITY and appeal.decision_by == commission_officer
    ruleset = RuleSetFactory.create()
    with eager_tasks():
        run = eligibility.ruleset_activate(ruleset=ruleset, by=commission_officer)
    run.refresh_from_db()
    frozen.refresh_from_db()
    free.refresh_from_db()
    assert free.pathway == Pathway.INTEGRATION_ARMY and run.changed == 1
    assert frozen.pathway == Pathway.COMMUNITY
    # One person decided again (after a screening step) is frozen too.
    eligibility.person_decide(person=frozen, ruleset=ruleset, by=commission_officer)
    frozen.refresh_from_db()
    assert frozen.pathway == Pathway.COMMUNITY
    boss = decider()
    overturn(scheduled(appeal, boss), boss, new_value=Pathway.INTEGRATION_ARMY)
    frozen.refresh_from_db()
    assert (frozen.pathway, frozen.pathway_reason) == (Pathway.INTEGRATION_ARMY, "appeal_overturned")
    assert frozen.history.first().history_user == boss


def test_a_pathway_upheld_stays(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    eligibility.pathway_set(
        person=person, to=Pathway.REINSERTION, reason="medical_unfit", by=commission_officer
    )
    boss = decider()
    uphold(scheduled(filed(K.ELIGIBILITY, person.pk, commission_officer), boss), boss)
    person.refresh_from_db()
    assert person.pathway == Pathway.REINSERTION


# --- the steps ----------------------------------------------------------------------------


def test_the_hearing_is_recorded_as_held_then_decided(commission_officer: Any) -> None:
    exam = medical(commission_officer)
    boss = decider()
    appeal = scheduled(filed(K.MEDICAL, exam.pk, commission_officer), boss)
    appeal = services.appeal_hear(appeal=appeal, by=boss)
    assert appeal.status == "heard"
    assert uphold(appeal, boss).status == "upheld"
    assert [h.status for h in appeal.history.order_by("history_date")] == [
        "filed",
        "scheduled",
        "heard",
        "upheld",
    ]
