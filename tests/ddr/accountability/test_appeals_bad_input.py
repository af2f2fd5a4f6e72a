"""Bad input is refused with a clear message, and nothing changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from ddr.accountability.appeals import services
from ddr.accountability.appeals.models import Appeal
from ddr.accountability.appeals.services import AppealRefused
from ddr.models import MedicalExam

from .appeals_setup import TODAY, K, decider, filed, medical, merged, overturn, scheduled, uphold

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_an_appeal_against_a_decision_that_does_not_exist_is_refused(commission_officer: Any) -> None:
    for kind in Appeal.Kind.values:
        with pytest.raises(AppealRefused, match="does not exist") as refused:
            filed(kind, 999_999, commission_officer)
        assert refused.value.field == "decision"
    assert not Appeal.objects.exists()


def test_an_unknown_kind_is_refused(commission_officer: Any) -> None:
    with pytest.raises(AppealRefused, match="Choose the decision"):
        filed("salary", medical(commission_officer).pk, commission_officer)


def test_a_decision_already_under_an_open_appeal_is_refused(commission_officer: Any) -> None:
    exam = medical(commission_officer)
    filed(K.MEDICAL, exam.pk, commission_officer)
    with pytest.raises(AppealRefused, match="already under an open appeal"):
        filed(K.MEDICAL, exam.pk, commission_officer)
    assert Appeal.objects.count() == 1


def test_the_database_refuses_a_second_open_appeal_on_one_decision(commission_officer: Any) -> None:
    first = filed(K.MEDICAL, medical(commission_officer).pk, commission_officer)
    twin = Appeal(
        kind=K.MEDICAL,
        combatant=first.combatant,
        medical_exam=first.medical_exam,
        grounds="Encore",
        filed_on=first.filed_on,
        filed_by=commission_officer,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_the_database_refuses_a_decision_of_another_kind(commission_officer: Any) -> None:
    exam = medical(commission_officer)
    wrong = Appeal(
        kind=K.AGE,
        combatant=exam.combatant,
        medical_exam=exam,
        grounds="Mauvais type",
        filed_on=TODAY(),
        filed_by=commission_officer,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        wrong.save()


def test_once_decided_the_same_decision_may_be_appealed_again(commission_officer: Any) -> None:
    exam = medical(commission_officer)
    boss = decider()
    uphold(scheduled(filed(K.MEDICAL, exam.pk, commission_officer), boss), boss)
    assert filed(K.MEDICAL, exam.pk, commission_officer).status == "filed"


def test_a_filing_in_the_future_or_without_grounds_is_refused(commission_officer: Any) -> None:
    exam = medical(commission_officer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(AppealRefused, match="future") as refused:
        services.appeal_file(
            kind=K.MEDICAL, decision=exam.pk, grounds="x", filed_on=tomorrow, by=commission_officer
        )
    assert refused.value.field == "filed_on"
    with pytest.raises(AppealRefused, match="grounds"):
        services.appeal_file(
            kind=K.MEDICAL, decision=exam.pk, grounds=" ", filed_on=TODAY(), by=commission_officer
        )
    assert not Appeal.objects.exists()


def test_a_hearing_before_the_filing_is_refused(commission_officer: Any) -> None:
    appeal = filed(K.MEDICAL, medical(commission_officer).pk, commission_officer)
    with pytest.raises(AppealRefused, match="before the appeal was filed") as refused:
        services.appeal_schedule(
            appeal=appeal,
            hearing_on=appeal.filed_on - dt.timedelta(days=1),
            deciding_body="Comité",
            by=decider(),
        )
    assert refused.value.field == "hearing_on"
    appeal.refresh_from_db()
    assert appeal.status == "filed" and appeal.hearing_on is None


def test_a_decision_before_the_hearing_is_scheduled_is_refused(commission_officer: Any) -> None:
    appeal = filed(K.MEDICAL, medical(commission_officer).pk, commission_officer)
    with pytest.raises(AppealRefused, match="Schedule the hearing"):
        uphold(appeal, decider())


def test_an_overturn_by_whoever_made_the_decision_is_refused_and_changes_nothing(
    commission_officer: Any,
) -> None:
    exam = medical(commission_officer)
    appeal = scheduled(filed(K.MEDICAL, exam.pk, commission_officer), commission_officer)
    with pytest.raises(AppealRefused, match="another person must decide"):
        overturn(appeal, commission_officer, new_value="fit")
    appeal.refresh_from_db()
    assert appeal.status == "scheduled" and appeal.decided_by is None
    assert MedicalExam.objects.count() == 1
    # Upholding it is not an overturn: allowed.
    assert uphold(appeal, commission_officer).status == "upheld"


def test_an_overturn_of_a_merge_by_its_merger_is_refused(commission_officer: Any) -> None:
    merge = merged(commission_officer)
    appeal = scheduled(filed(K.MERGE, merge.pk, commission_officer), commission_officer)
    with pytest.raises(AppealRefused, match="another person"):
        overturn(appeal, commission_officer)
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_an_overturn_to_the_same_decision_is_refused(commission_officer: Any) -> None:
    appeal = scheduled(filed(K.MEDICAL, medical(commission_officer).pk, commission_officer), decider())
    with pytest.raises(AppealRefused, match="uphold the appeal instead") as refused:
        overturn(appeal, decider("autre"), new_value="unfit")
    assert refused.value.field == "new_value"


def test_a_decision_on_a_closed_appeal_is_refused(commission_officer: Any) -> None:
    boss = decider()
    appeal = uphold(
        scheduled(filed(K.MEDICAL, medical(commission_officer).pk, commission_officer), boss), boss
    )
    for attempt in (
        lambda: overturn(appeal, boss, new_value="fit"),
        lambda: uphold(appeal, boss),
        lambda: services.appeal_withdraw(appeal=appeal, reasons="Trop tard", by=boss),
        lambda: services.appeal_schedule(appeal=appeal, hearing_on=TODAY(), deciding_body="Comité", by=boss),
    ):
        with pytest.raises(AppealRefused, match="closed"):
            attempt()
    appeal.refresh_from_db()
    assert appeal.status == "upheld" and MedicalExam.objects.count() == 1


def test_a_decision_without_reasons_or_in_the_future_is_refused(commission_officer: Any) -> None:
    boss = decider()
    appeal = scheduled(filed(K.MEDICAL, medical(commission_officer).pk, commission_officer), boss)
    with pytest.raises(AppealRefused, match="reasons") as refused:
        services.appeal_decide(appeal=appeal, outcome="upheld", decided_on=TODAY(), reasons="", by=boss)
    assert refused.value.field == "reasons"
    with pytest.raises(AppealRefused, match="future"):
        services.appeal_decide(
            appeal=appeal, outcome="upheld", decided_on=TODAY() + dt.timedelta(days=1), reasons="x", by=boss
        )
    appeal.refresh_from_db()
    assert appeal.status == "scheduled"


def test_an_overturn_refused_by_the_original_service_changes_nothing(commission_officer: Any) -> None:
    """medical_record refuses a different final result on the same day: the appeal stays open."""
    exam = medical(commission_officer)
    MedicalExam.objects.filter(pk=exam.pk).update(examined_on=TODAY())
    boss = decider()
    appeal = scheduled(filed(K.MEDICAL, exam.pk, commission_officer), boss)
    appeal.hearing_on = TODAY()
    with pytest.raises(Exception, match="re-examination"):
        overturn(appeal, boss, new_value="fit")
    appeal.refresh_from_db()
    assert appeal.status == "scheduled" and appeal.decided_by is None
    assert MedicalExam.objects.count() == 1
