"""Screening: age and child separation, medical examinations, vetting. Each step audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ddr.models import (
    Category,
    ChildReferral,
    Combatant,
    IdentityDocument,
    MedicalExam,
    VettingMatch,
    VettingStatus,
    WatchlistEntry,
)
from ddr.screening import services as screening

from ..factories import CombatantFactory

pytestmark = pytest.mark.django_db


def test_a_child_found_at_screening_is_separated_referred_and_minimised(commission_officer: Any) -> None:
    person = CombatantFactory.create(rank_in_movement="Lieutenant", biometric_ref="BIO-1")
    screening.age_assess(
        person=person,
        assessed_on=dt.date(2019, 3, 2),
        evidence="Acte de naissance",
        assessed_age=16,
        by=commission_officer,
    )
    person.refresh_from_db()
    assert person.category == Category.CHILD and person.status == Combatant.Status.REFERRED
    assert person.pathway == "child_referral" and person.age_verified
    assert person.rank_in_movement == "" and person.biometric_ref == ""
    referral = ChildReferral.objects.get(combatant=person)
    assert referral.handover_deadline - referral.identified_at == dt.timedelta(hours=48)
    assert not referral.overdue
    assert person.history.first().history_user == commission_officer
    # From now on only child protection sees the record.
    assert not Combatant.objects.for_user(commission_officer).filter(pk=person.pk).exists()


def test_an_adult_assessment_verifies_age_and_changes_nothing_else(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    screening.age_assess(
        person=person, assessed_on=dt.date(2019, 3, 2), evidence="CNI", assessed_age=30, by=commission_officer
    )
    person.refresh_from_db()
    assert person.age_verified and person.category == Category.COMBATANT_ARMED
    assert not ChildReferral.objects.exists()


def test_referral_past_48_hours_is_overdue(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    referral = screening.child_separate(person=person, by=commission_officer)
    ChildReferral.objects.filter(pk=referral.pk).update(
        identified_at=timezone.now() - dt.timedelta(hours=50),
        handover_deadline=timezone.now() - dt.timedelta(hours=2),
    )
    referral.refresh_from_db()
    assert referral.overdue
    screening.referral_hand_over(
        referral=referral, partner="Centre de transit, Gao", at=timezone.now(), by=commission_officer
    )
    referral.refresh_from_db()
    assert not referral.overdue and referral.partner == "Centre de transit, Gao"


def test_documents_issued_days_before_registration_are_flagged() -> None:
    person = CombatantFactory.create(registered_at=dt.date(2019, 3, 1))
    fresh = IdentityDocument.objects.create(
        combatant=person, kind="nina", number="N-1", issued_on=dt.date(2019, 2, 20)
    )
    IdentityDocument.objects.create(
        combatant=person, kind="passport", number="P-1", issued_on=dt.date(2015, 1, 1)
    )
    assert list(screening.documents_issued_just_before_registration(30)) == [fresh]
    assert not screening.documents_issued_just_before_registration(5).exists()


def test_latest_final_medical_decision_counts(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    record = dict(person=person, examiner="Dr Coulibaly", by=commission_officer)
    screening.medical_record(examined_on=dt.date(2019, 3, 1), result="unfit", final=True, **record)
    screening.medical_record(examined_on=dt.date(2019, 4, 1), result="fit", final=False, **record)
    person.refresh_from_db()
    assert person.medical_status == "unfit"  # a provisional finding does not decide
    screening.medical_record(
        examined_on=dt.date(2019, 5, 1), result="fit", final=True, disputed=True, **record
    )
    person.refresh_from_db()
    assert person.medical_status == "fit" and MedicalExam.objects.filter(disputed=True).count() == 1


def test_fit_and_unfit_on_the_same_day_is_refused_and_saves_nothing(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    record = dict(
        person=person, examiner="Dr Coulibaly", by=commission_officer, examined_on=dt.date(2019, 3, 1)
    )
    screening.medical_record(result="fit", final=True, **record)
    with pytest.raises(screening.ScreeningRefused, match="résultat final différent"):
        screening.medical_record(result="unfit", final=True, **record)
    person.refresh_from_db()
    assert person.medical_status == "fit" and MedicalExam.objects.count() == 1


def test_vetting_matches_spelling_variants_and_aliases_then_review_decides(commission_officer: Any) -> None:
    suspect = CombatantFactory.create(family_name="Ould Sidatti", given_name="Mohammed", birth_year=1975)
    alias = CombatantFactory.create(family_name="Maïga", given_name="Hama", also_known_as="Abou Kalachnikov")
    innocent = CombatantFactory.create(family_name="Touré", given_name="Aliou", birth_year=1990)
    WatchlistEntry.objects.create(name="Mohamed Ag Sidati", birth_year=1976, reason="Exécutions sommaires")
    WatchlistEntry.objects.create(name="X", aliases="Abou Kalachnikov", reason="Recrutement d'enfants")
    assert screening.vetting_screen(people=Combatant.objects.all(), by=commission_officer) == 2
    statuses = dict(Combatant.objects.values_list("pk", "vetting_status"))
    assert statuses == {suspect.pk: "pending", alias.pk: "pending", innocent.pk: "clear"}
    # Screening again proposes nothing new.
    assert screening.vetting_screen(people=Combatant.objects.all(), by=commission_officer) == 0
    match = VettingMatch.objects.get(combatant=suspect)
    with pytest.raises(screening.ScreeningRefused):
        screening.vetting_review(match=match, status="confirmed", reason=" ", by=commission_officer)
    screening.vetting_review(
        match=match, status="confirmed", reason="Même personne (photo)", by=commission_officer
    )
    suspect.refresh_from_db()
    assert suspect.vetting_status == VettingStatus.CONFIRMED
    other = VettingMatch.objects.get(combatant=alias)
    screening.vetting_review(match=other, status="cleared", reason="Homonyme", by=commission_officer)
    alias.refresh_from_db()
    assert alias.vetting_status == VettingStatus.CLEAR
    assert other.history.first().history_user == commission_officer


def test_a_different_generation_with_the_same_name_is_not_a_match(commission_officer: Any) -> None:
    CombatantFactory.create(family_name="Ag Sidati", given_name="Mohamed", birth_year=1998)
    WatchlistEntry.objects.create(name="Mohamed Ag Sidati", birth_year=1960, reason="x")
    assert screening.vetting_screen(people=Combatant.objects.all(), by=commission_officer) == 0
