"""Appeals' rules, without a database: each says why a step is refused, or '' when it may go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from ddr.accountability.appeals import rules


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The refusals are asserted in English (the catalogue would give them in French)."""
    with translation.override("en"):
        yield


DAY = dt.date(2026, 3, 10)


def test_a_decision_needs_a_scheduled_hearing_first() -> None:
    assert rules.step_refusal("filed", "overturned")
    assert rules.step_refusal("scheduled", "overturned") == ""
    assert rules.step_refusal("heard", "upheld") == ""


def test_a_closed_appeal_takes_no_further_decision() -> None:
    for status in ("upheld", "overturned", "withdrawn"):
        assert "closed" in rules.step_refusal(status, "upheld")
        assert rules.closed_refusal(status)
    assert rules.closed_refusal("heard") == ""


def test_an_appeal_may_be_withdrawn_while_open() -> None:
    for status in ("filed", "scheduled", "heard"):
        assert rules.step_refusal(status, "withdrawn") == ""


def test_filing_refuses_a_future_date_and_no_grounds() -> None:
    assert rules.filing_refusal(filed_on=DAY + dt.timedelta(days=1), today=DAY, grounds="x")
    assert rules.filing_refusal(filed_on=DAY, today=DAY, grounds="  ")
    assert rules.filing_refusal(filed_on=DAY, today=DAY, grounds="Blessure guérie") == ""


def test_the_hearing_cannot_come_before_filing() -> None:
    refusal = rules.hearing_refusal(
        hearing_on=DAY - dt.timedelta(days=1), filed_on=DAY, deciding_body="Comité"
    )
    assert "10 Mar 2026" in refusal  # English (rules run outside a request): the month in letters
    assert rules.hearing_refusal(hearing_on=DAY, filed_on=DAY, deciding_body="") != ""
    assert rules.hearing_refusal(hearing_on=DAY, filed_on=DAY, deciding_body="Comité") == ""


def test_an_outcome_is_dated_after_the_hearing_not_in_the_future_with_reasons() -> None:
    ok: dict[str, Any] = {
        "outcome": "upheld",
        "filed_on": DAY,
        "hearing_on": DAY,
        "today": DAY,
        "reasons": "Fondée",
    }
    assert rules.outcome_refusal(decided_on=DAY, **ok) == ""
    assert rules.outcome_refusal(decided_on=DAY - dt.timedelta(days=1), **ok)
    assert rules.outcome_refusal(decided_on=DAY + dt.timedelta(days=1), **ok)
    assert rules.outcome_refusal(decided_on=DAY, **{**ok, "reasons": ""})
    assert rules.outcome_refusal(decided_on=DAY, **{**ok, "outcome": "heard"})


def test_whoever_made_the_decision_never_overturns_it() -> None:
    assert rules.same_decider_refusal(original_by_id=3, by_id=3)
    assert rules.same_decider_refusal(original_by_id=3, by_id=4) == ""
    assert rules.same_decider_refusal(original_by_id=None, by_id=4) == ""


def test_an_overturn_names_a_different_valid_decision() -> None:
    assert rules.new_value_refusal(contested="unfit", new="", allowed=["fit", "unfit"])
    assert rules.new_value_refusal(contested="unfit", new="unfit", allowed=["fit", "unfit"])
    assert rules.new_value_refusal(contested="unfit", new="healthy", allowed=["fit", "unfit"])
    assert rules.new_value_refusal(contested="unfit", new="fit", allowed=["fit", "unfit"]) == ""


def test_merges_and_pathways_hold_payments_other_kinds_do_not() -> None:
    assert rules.HOLDS_PAYMENT == {"merge", "eligibility"}
