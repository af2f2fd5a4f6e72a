"""The follow-up rules alone: plain values in, a verdict that says why out. No database."""

from __future__ import annotations

import datetime as dt

from ddr.reintegration.followup.rules import (
    INCIDENT,
    MET,
    NO_ACTIVITY,
    NO_FOLLOW_UP,
    NO_LATE_FOLLOW_UP,
    NOT_ACCEPTED,
    TOO_EARLY,
    Facts,
    Rules,
    Visit,
    add_months,
    conditions,
    explain,
    follow_up_plan,
    reintegration_verdict,
)

ENROLLED = dt.date(2021, 1, 31)
RULES = Rules(name="Accord 2021 v1")


def visit(
    month: int, *, activity: bool | None = True, acceptance: str = "good", incident: bool | None = False
) -> Visit:
    return Visit(
        month=month,
        done_on=add_months(ENROLLED, month),
        activity_running=activity,
        acceptance=acceptance,
        security_incident=incident,
    )


def test_the_plan_is_in_calendar_months_and_keeps_the_month_end() -> None:
    assert follow_up_plan(ENROLLED, [12, 3, 6, 3]) == [
        (3, dt.date(2021, 4, 30)),
        (6, dt.date(2021, 7, 31)),
        (12, dt.date(2022, 1, 31)),
    ]
    assert follow_up_plan(dt.date(2023, 11, 30), [3]) == [(3, dt.date(2024, 2, 29))]  # a leap year
    assert follow_up_plan(ENROLLED, [0, -1]) == []


def test_a_twelve_month_follow_up_meeting_the_rules_says_reintegrated() -> None:
    facts = Facts(ENROLLED, (visit(3, activity=False), visit(6), visit(12)))
    verdict = reintegration_verdict(facts, RULES, add_months(ENROLLED, 12))
    assert verdict.reintegrated
    assert verdict.reasons == (MET,)
    assert verdict.rules == "Accord 2021 v1"


def test_too_early_and_no_late_follow_up_are_both_said() -> None:
    facts = Facts(ENROLLED, (visit(3), visit(6)))
    verdict = reintegration_verdict(facts, RULES, add_months(ENROLLED, 6))
    assert not verdict.reintegrated
    assert verdict.reasons == (TOO_EARLY, NO_LATE_FOLLOW_UP)
    text = explain(verdict, RULES, facts)
    assert "12" in text[0] and "31/01/2021" in text[0]


def test_no_follow_up_done_is_a_reason() -> None:
    verdict = reintegration_verdict(Facts(ENROLLED), RULES, dt.date(2023, 1, 1))
    assert verdict.reasons == (NO_FOLLOW_UP,)


def test_the_last_follow_up_decides_each_finding() -> None:
    facts = Facts(ENROLLED, (visit(6), visit(12, activity=False, acceptance="mixed", incident=True)))
    verdict = reintegration_verdict(facts, RULES, dt.date(2022, 6, 1))
    assert verdict.reasons == (NO_ACTIVITY, NOT_ACCEPTED, INCIDENT)
    # An incident not recorded (None) is not "no incident".
    unknown = Facts(ENROLLED, (visit(12, incident=None),))
    assert reintegration_verdict(unknown, RULES, dt.date(2022, 6, 1)).reasons == (INCIDENT,)


def test_rules_that_do_not_require_a_finding_ignore_it() -> None:
    lenient = Rules(name="souple", min_months=6, activity_required=False, acceptance_required=False)
    facts = Facts(ENROLLED, (visit(6, activity=False, acceptance="poor"),))
    assert reintegration_verdict(facts, lenient, add_months(ENROLLED, 6)).reintegrated
    assert len(conditions(lenient)) == 3
    assert len(conditions(RULES)) == 5


def test_follow_ups_after_the_date_of_the_verdict_are_not_facts_yet() -> None:
    facts = Facts(ENROLLED, (visit(12),))
    assert not reintegration_verdict(
        facts, RULES, add_months(ENROLLED, 12) - dt.timedelta(days=1)
    ).reintegrated


def test_rules_of_a_version_and_the_defaults() -> None:
    assert Rules.of(None) == Rules()
    assert Rules().follow_up_months == (3, 6, 12)

    class Version:
        follow_up_months = [2, 4]
        grace_days, min_months = 10, 4
        activity_required = acceptance_required = no_incident_required = False

        def __str__(self) -> str:
            return "Essai v2"

    assert Rules.of(Version()) == Rules("Essai v2", (2, 4), 10, 4, False, False, False)
