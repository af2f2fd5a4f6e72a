"""Grievance rules without a database: deadlines, the steps allowed, what a receipt must say."""

from __future__ import annotations

import datetime as dt

from ddr.accountability.grievances import rules as R

NOW = dt.datetime(2024, 5, 10, 9, 0, tzinfo=dt.UTC)


def test_default_deadlines_are_48_hours_and_30_days() -> None:
    deadlines = R.Deadlines()
    assert deadlines.acknowledge_by(NOW) == NOW + dt.timedelta(hours=48)
    assert deadlines.answer_by(NOW) == NOW + dt.timedelta(days=30)


def test_a_configured_category_has_its_own_deadlines() -> None:
    assert R.Deadlines(acknowledge_hours=24, answer_days=7).answer_by(NOW) == NOW + dt.timedelta(days=7)


def test_steps_follow_the_lifecycle() -> None:
    assert R.may_go("received", "acknowledged")
    assert R.may_go("received", "resolved")  # an answer acknowledges too
    assert not R.may_go("received", "closed")
    assert R.may_go("resolved", "reopened") and R.may_go("reopened", "resolved")
    assert not R.may_go("closed", "reopened")
    assert not R.may_go("acknowledged", "acknowledged")


def test_sea_gbv_and_child_are_always_sensitive() -> None:
    assert R.is_sensitive("sea", False) and R.is_sensitive("gbv", False) and R.is_sensitive("child", False)
    assert not R.is_sensitive("payment", False)
    assert R.is_sensitive("payment", True)


def _problems(**kwargs: object) -> list[str]:
    values: dict[str, object] = {
        "received_on": NOW,
        "now": NOW,
        "complainant_kind": "community",
        "contact_name": "",
        "contact_phone": "",
    }
    values.update(kwargs)
    return [field for field, _message in R.receipt_problems(**values)]  # type: ignore[arg-type]


def test_an_anonymous_grievance_with_a_contact_is_refused() -> None:
    assert _problems(complainant_kind="anonymous", contact_phone="+223 76 00 00 00") == ["contact_name"]
    assert _problems(complainant_kind="anonymous") == []
    assert _problems(complainant_kind="community", contact_name="Chef de village") == []


def test_a_deadline_before_the_receipt_is_refused() -> None:
    assert _problems(answer_by=NOW - dt.timedelta(days=1)) == ["answer_by"]
    assert _problems(acknowledge_by=NOW - dt.timedelta(hours=1)) == ["acknowledge_by"]
    assert _problems(answer_by=NOW + dt.timedelta(days=3)) == []


def test_a_receipt_in_the_future_is_refused() -> None:
    assert _problems(received_on=NOW + dt.timedelta(days=1)) == ["received_on"]


def test_overdue_when_not_done_past_the_deadline() -> None:
    assert R.overdue(NOW - dt.timedelta(hours=1), False, NOW)
    assert not R.overdue(NOW - dt.timedelta(hours=1), True, NOW)
    assert not R.overdue(NOW + dt.timedelta(hours=1), False, NOW)
