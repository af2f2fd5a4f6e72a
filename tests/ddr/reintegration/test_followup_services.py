"""Follow-up services: planning and overdue flags set-based, recording a visit and its refusals,
a person moved to reintegrated by the rules in force, and the rules' lifecycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.errors import Refused
from ddr.models import Combatant, Enrolment, FollowUp, ReintegrationRules
from ddr.reintegration.followup import services, tasks
from ddr.reintegration.packages.services import enrolment_create, enrolment_drop

from ...factories import CombatantFactory, PackageFactory

pytestmark = pytest.mark.django_db

ENROLLED = dt.date(2023, 1, 10)
FOUND: dict[str, Any] = {
    "mode": "visit",
    "status": "done",
    "activity_running": True,
    "income": "medium",
    "acceptance": "good",
    "security_incident": False,
    "needs": "",
}


def enrol(by: Any, *, on: dt.date = ENROLLED, status: str = "registered", **person: Any) -> Enrolment:
    someone = CombatantFactory.create(status=status, **person)
    return enrolment_create(person=someone, package=PackageFactory.create(), on=on, by=by)


def planned(enrolment: Enrolment, month: int) -> FollowUp:
    return FollowUp.objects.get(enrolment=enrolment, month=month)


def rules(**values: Any) -> ReintegrationRules:
    values = {"name": "Accord", "status": "active", "effective_from": dt.date(2020, 1, 1), **values}
    return ReintegrationRules.objects.create(**values)


# --- planning ------------------------------------------------------------------------------


def test_planning_uses_the_defaults_when_no_rules_are_in_force(commission_officer: Any) -> None:
    enrolment = enrol(commission_officer)
    assert services.follow_ups_plan(on=ENROLLED, by=commission_officer) == 3
    rows = list(FollowUp.objects.filter(enrolment=enrolment).values_list("month", "due_on", "status"))
    assert rows == [
        (3, dt.date(2023, 4, 10), "planned"),
        (6, dt.date(2023, 7, 10), "planned"),
        (12, dt.date(2024, 1, 10), "planned"),
    ]
    assert services.follow_ups_plan(on=ENROLLED) == 0  # idempotent: planned once
    assert FollowUp.history.filter(enrolment_id=enrolment.pk, history_type="+").count() == 3


def test_planning_follows_the_rules_in_force_on_each_enrolment_date(commission_officer: Any) -> None:
    old = rules(follow_up_months=[1, 2], min_months=2, effective_to=dt.date(2023, 6, 1), status="retired")
    rules(name="Accord", version=2, follow_up_months=[6, 24], min_months=24, effective_from=old.effective_to)
    draft = rules(name="Brouillon", status="draft", follow_up_months=[9], effective_from=dt.date(2019, 1, 1))
    before, after = enrol(commission_officer), enrol(commission_officer, on=dt.date(2023, 7, 1))
    later = enrol(commission_officer, on=dt.date(2030, 1, 1))  # not begun yet
    assert services.follow_ups_plan(on=dt.date(2023, 8, 1)) == 4
    assert set(before.follow_ups.values_list("month", flat=True)) == {1, 2}
    assert set(after.follow_ups.values_list("month", flat=True)) == {6, 24}
    assert not later.follow_ups.exists()
    assert draft.status == "draft"


def test_planning_leaves_out_dropped_enrolments_and_people_gone(commission_officer: Any) -> None:
    dropped, gone = enrol(commission_officer), enrol(commission_officer)
    enrolment_drop(enrolment=dropped, on=ENROLLED, reason="Parti au Niger", by=commission_officer)
    Combatant.objects.filter(pk=gone.combatant_id).update(status="deceased")
    kept = enrol(commission_officer)
    assert services.follow_ups_plan(on=ENROLLED) == 3
    assert set(FollowUp.objects.values_list("enrolment_id", flat=True)) == {kept.pk}


def test_planning_takes_the_same_queries_for_two_or_twelve_enrolments(commission_officer: Any) -> None:
    """Inserts go in batches (on SQLite, about 50 rows: its limit on bound parameters)."""
    rules(follow_up_months=[3, 6, 12])

    def queries(count: int) -> int:
        ids = [enrol(commission_officer).pk for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert services.follow_ups_plan(enrolment_ids=ids, on=ENROLLED) == 3 * count
        return len(captured)

    assert queries(2) == queries(12)


# --- overdue -------------------------------------------------------------------------------


def test_the_daily_task_plans_and_flags_overdue_visits(commission_officer: Any) -> None:
    today = timezone.localdate()
    old = enrol(commission_officer, on=today - dt.timedelta(days=200))
    recent = enrol(commission_officer, on=today - dt.timedelta(days=10))
    result = tasks.follow_ups_daily.apply().get()
    assert result == {"planned": 6, "overdue": 2}  # months 3 and 6 of the old enrolment (grace 15 days)
    assert set(FollowUp.objects.filter(overdue=True).values_list("enrolment_id", "month")) == {
        (old.pk, 3),
        (old.pk, 6),
    }
    assert not recent.follow_ups.filter(overdue=True).exists()
    assert tasks.follow_ups_daily.apply().get() == {"planned": 0, "overdue": 0}  # idempotent
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "ddr.reintegration.followup.tasks.follow_ups_daily" in schedule


def test_overdue_counts_the_days_of_grace_of_the_rules_of_the_enrolment(commission_officer: Any) -> None:
    rules(follow_up_months=[3], min_months=3, grace_days=0, effective_to=dt.date(2023, 2, 1))
    strict, lenient = enrol(commission_officer), enrol(commission_officer, on=dt.date(2023, 3, 1))
    services.follow_ups_plan(on=dt.date(2023, 3, 1))
    # 11 April 2023: the strict visit (due 10 April, no grace) is late; the other is due 1 June.
    assert services.follow_ups_flag_overdue(dt.date(2023, 4, 11)) == 1
    assert planned(strict, 3).overdue
    # 6 June: five days past 1 June is within the default 15 days of grace.
    assert services.follow_ups_flag_overdue(dt.date(2023, 6, 6)) == 0
    assert services.follow_ups_flag_overdue(dt.date(2023, 6, 17)) == 1
    assert planned(lenient, 3).overdue


# --- recording -----------------------------------------------------------------------------


@pytest.fixture
def reinserted(commission_officer: Any) -> Enrolment:
    enrolment = enrol(commission_officer, status="reinserted")
    services.follow_ups_plan(on=ENROLLED)
    return enrolment


@pytest.mark.parametrize(
    ("done_on", "field", "message"),
    [
        (dt.date(2023, 1, 9), "done_on", "cannot be dated before the enrolment (on 10/01/2023)"),
        (dt.date(2099, 1, 1), "done_on", "cannot be dated in the future"),
    ],
)
def test_a_follow_up_with_a_bad_date_is_refused_and_nothing_changes(
    reinserted: Enrolment, commission_officer: Any, done_on: dt.date, field: str, message: str
) -> None:
    follow_up = planned(reinserted, 3)
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.follow_up_record(follow_up=follow_up, done_on=done_on, by=commission_officer, **FOUND)
    assert message in str(refused.value) and refused.value.field == field
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.done_on, follow_up.mode) == ("planned", None, "")
    assert follow_up.history.count() == 1


def test_a_follow_up_is_recorded_once(reinserted: Enrolment, commission_officer: Any) -> None:
    follow_up = planned(reinserted, 3)
    services.follow_up_record(
        follow_up=follow_up, done_on=dt.date(2023, 4, 12), by=commission_officer, **FOUND
    )
    again = {**FOUND, "acceptance": "poor"}
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.follow_up_record(
            follow_up=follow_up, done_on=dt.date(2023, 4, 13), by=commission_officer, **again
        )
    assert "already recorded (on 12/04/2023)" in str(refused.value)
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.acceptance) == (dt.date(2023, 4, 12), "good")


def test_no_follow_up_is_recorded_after_a_dropout(reinserted: Enrolment, commission_officer: Any) -> None:
    # A dropout ends the follow-up (an active enrolment is dropped; this one is still active).
    enrolment_drop(enrolment=reinserted, on=dt.date(2023, 3, 1), reason="Départ", by=commission_officer)
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.follow_up_record(
            follow_up=planned(reinserted, 3), done_on=dt.date(2023, 4, 12), by=commission_officer, **FOUND
        )
    assert "dropped out" in str(refused.value)


def test_a_done_follow_up_says_what_it_found(reinserted: Enrolment, commission_officer: Any) -> None:
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.follow_up_record(
            follow_up=planned(reinserted, 3),
            done_on=dt.date(2023, 4, 12),
            by=commission_officer,
            **{**FOUND, "acceptance": ""},
        )
    assert refused.value.field == "acceptance"


def test_a_twelve_month_follow_up_meeting_the_rules_makes_the_person_reintegrated(
    reinserted: Enrolment, commission_officer: Any
) -> None:
    version = rules(name="Accord de suivi", follow_up_months=[3, 6, 12])
    recorded = services.follow_up_record(
        follow_up=planned(reinserted, 12), done_on=dt.date(2024, 1, 15), by=commission_officer, **FOUND
    )
    assert recorded.reintegrated and recorded.verdict and recorded.verdict.reintegrated
    person = Combatant.objects.get(pk=reinserted.combatant_id)
    assert person.status == "reintegrated"
    last = person.history.first()
    assert last is not None and str(version) in last.history_change_reason
    assert last.history_user == commission_officer
    follow_up = planned(reinserted, 12)
    assert (follow_up.status, follow_up.recorded_by) == ("done", commission_officer)
    assert follow_up.history.first().history_user == commission_officer


def test_a_follow_up_that_does_not_meet_the_rules_leaves_the_person_reinserted_and_says_why(
    reinserted: Enrolment, commission_officer: Any
) -> None:
    with translation.override("en"):
        recorded = services.follow_up_record(
            follow_up=planned(reinserted, 12),
            done_on=dt.date(2024, 1, 15),
            by=commission_officer,
            **{**FOUND, "acceptance": "poor", "security_incident": True},
        )
    assert not recorded.reintegrated and recorded.verdict is not None
    assert recorded.verdict.reasons == ("not_accepted", "incident")
    assert recorded.explanation[0] == "Not accepted by the community at the last follow-up."
    assert Combatant.objects.get(pk=reinserted.combatant_id).status == "reinserted"


def test_an_early_follow_up_is_not_enough(reinserted: Enrolment, commission_officer: Any) -> None:
    recorded = services.follow_up_record(
        follow_up=planned(reinserted, 6), done_on=dt.date(2023, 7, 10), by=commission_officer, **FOUND
    )
    assert recorded.verdict is not None and recorded.verdict.reasons == ("too_early", "no_late_follow_up")
    assert Combatant.objects.get(pk=reinserted.combatant_id).status == "reinserted"


def test_rules_met_do_not_skip_reinsertion(commission_officer: Any) -> None:
    """A person whose package is not delivered yet (oriented) is not reintegrated by the rules."""
    enrolment = enrol(commission_officer, status="oriented")
    services.follow_ups_plan(on=ENROLLED)
    recorded = services.follow_up_record(
        follow_up=planned(enrolment, 12), done_on=dt.date(2024, 1, 15), by=commission_officer, **FOUND
    )
    assert recorded.verdict is not None and recorded.verdict.reintegrated and not recorded.reintegrated
    assert Combatant.objects.get(pk=enrolment.combatant_id).status == "oriented"


def test_a_phone_follow_up_is_recorded_as_remote(reinserted: Enrolment, commission_officer: Any) -> None:
    services.follow_up_record(
        follow_up=planned(reinserted, 3),
        done_on=dt.date(2023, 4, 12),
        by=commission_officer,
        **{**FOUND, "mode": "phone"},
    )
    follow_up = planned(reinserted, 3)
    assert follow_up.mode == "phone"
    with translation.override("en"):
        assert follow_up.get_mode_display() == "By phone (remote)"


def test_a_person_not_found_has_no_findings(reinserted: Enrolment, commission_officer: Any) -> None:
    recorded = services.follow_up_record(
        follow_up=planned(reinserted, 3),
        done_on=dt.date(2023, 4, 12),
        by=commission_officer,
        **{**FOUND, "status": "missed"},
    )
    assert recorded.verdict is None
    follow_up = planned(reinserted, 3)
    assert (follow_up.status, follow_up.acceptance, follow_up.activity_running) == ("missed", "", None)


# --- the rules' lifecycle ------------------------------------------------------------------


def test_activating_a_draft_retires_the_version_it_overlaps(administrator: Any) -> None:
    first = services.reintegration_rules_draft_from(None, by=administrator)
    assert (first.version, first.status, first.follow_up_months) == (1, "draft", [3, 6, 12])
    first.effective_from = dt.date(2021, 1, 1)
    services.reintegration_rules_save(rules=first, by=administrator)
    services.reintegration_rules_activate(rules=first, by=administrator)
    second = services.reintegration_rules_draft_from(first, by=administrator)
    assert (second.name, second.version) == (first.name, 2)
    second.min_months = 6
    services.reintegration_rules_save(rules=second, by=administrator)
    services.reintegration_rules_activate(rules=second, by=administrator)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.effective_to) == ("retired", second.effective_from)
    assert second.status == "active"
    # The retired version still decides for the dates of its period.
    from ddr.reintegration.followup.selectors import rules_in_force

    assert rules_in_force(dt.date(2022, 1, 1)) == first
    assert rules_in_force(timezone.localdate()) == second
    with pytest.raises(Refused):
        services.reintegration_rules_save(rules=second, by=administrator)  # only drafts change
    with pytest.raises(Refused):
        services.reintegration_rules_activate(rules=second, by=administrator)


def test_a_draft_that_could_never_reintegrate_anyone_is_refused(administrator: Any) -> None:
    draft = services.reintegration_rules_draft_from(None, by=administrator)
    draft.follow_up_months = [3, 6]
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.reintegration_rules_save(rules=draft, by=administrator)
    assert "month 12 or later" in str(refused.value) and refused.value.field == "follow_up_months"


def test_a_draft_overlapping_a_later_active_version_is_refused(administrator: Any) -> None:
    later = rules(effective_from=dt.date(2024, 1, 1))
    draft = rules(name="Autre", status="draft", effective_from=dt.date(2023, 1, 1))
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.reintegration_rules_activate(rules=draft, by=administrator)
    assert "overlaps the active rules" in str(refused.value)
    later.refresh_from_db()
    draft.refresh_from_db()
    assert (later.status, later.effective_to, draft.status) == ("active", None, "draft")
