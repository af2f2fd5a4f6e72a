"""The CVR rules as pure functions: SOP by date, caps, the mix and the gender targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from cvr import rules


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def sop(name: str, start: dt.date, single: int, consortium: int | None) -> SimpleNamespace:
    return SimpleNamespace(
        name=name,
        effective_from=start,
        ex_combatant_share=Decimal("0.60"),
        mix_tolerance=Decimal("0.05"),
        cap_single_usd=Decimal(single),
        cap_consortium_usd=Decimal(consortium) if consortium else None,
        women_projects_share=Decimal("0.30"),
        women_benefit_threshold=Decimal("0.50"),
        women_leadership_share=Decimal("0.30"),
    )


SOP_2019 = sop("SOP 2019", dt.date(2019, 1, 1), 50_000, None)
SOP_2020 = sop("SOP 2020", dt.date(2020, 1, 1), 100_000, None)
SOP_2023 = sop("SOP 2023", dt.date(2023, 5, 1), 100_000, 300_000)
VERSIONS = [SOP_2023, SOP_2019, SOP_2020]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2018, 12, 31), None),
        (dt.date(2019, 1, 1), SOP_2019),
        (dt.date(2019, 12, 31), SOP_2019),
        (dt.date(2023, 4, 30), SOP_2020),
        (dt.date(2023, 5, 1), SOP_2023),
        (dt.date(2026, 1, 1), SOP_2023),
    ],
)
def test_the_sop_in_force_is_the_latest_that_took_effect(day: dt.date, expected: object) -> None:
    assert rules.sop_in_force(VERSIONS, day) is expected


def test_caps_quote_the_rule() -> None:
    assert rules.cap_refusal(SOP_2019, Decimal(50_000), consortium=False) == ""
    refusal = rules.cap_refusal(SOP_2019, Decimal(60_000), consortium=False)
    assert "USD 60,000" in refusal and "USD 50,000" in refusal and "SOP 2019" in refusal
    assert rules.cap_refusal(SOP_2020, Decimal(100_000), consortium=False) == ""
    assert "consortia cannot be funded" in rules.cap_refusal(SOP_2020, Decimal(90_000), consortium=True)
    assert rules.cap_refusal(SOP_2023, Decimal(300_000), consortium=True) == ""
    assert "USD 300,000" in rules.cap_refusal(SOP_2023, Decimal(300_001), consortium=True)


def test_the_mix_is_measured_against_60_40_with_its_tolerance() -> None:
    assert rules.mix_deviations(rules.BeneficiaryMix(60, 40, 50, 30), SOP_2023) == []
    assert rules.mix_deviations(rules.BeneficiaryMix(56, 44, 50, 30), SOP_2023) == []
    (deviation,) = rules.mix_deviations(rules.BeneficiaryMix(0, 100, 48, 30), SOP_2023)
    assert deviation.code == "mix"
    assert "0 % of the 100 beneficiaries" in deviation.message and "60 %" in deviation.message
    assert (
        rules.mix_deviations(rules.BeneficiaryMix(0, 0, 0, 0), SOP_2023) == []
    )  # nobody yet: nothing to say


def test_women_in_committee_leadership() -> None:
    mix = rules.BeneficiaryMix(60, 40, 50, 30)
    assert rules.mix_deviations(mix, SOP_2023, leaders=5, leaders_women=2) == []
    (deviation,) = rules.mix_deviations(mix, SOP_2023, leaders=5, leaders_women=1)
    assert deviation.code == "leadership" and "1 of 5" in deviation.message


def test_projects_benefiting_women_across_the_portfolio() -> None:
    assert rules.benefits_women(rules.BeneficiaryMix(0, 100, 50, 0), SOP_2023)
    assert not rules.benefits_women(rules.BeneficiaryMix(0, 100, 49, 0), SOP_2023)
    assert rules.portfolio_deviations(10, 3, SOP_2023) == []
    (deviation,) = rules.portfolio_deviations(10, 2, SOP_2023)
    assert deviation.code == "women_projects" and "20 %" in deviation.message
    assert rules.portfolio_deviations(0, 0, SOP_2023) == []
    # An SOP that sets no such share judges no project on it, and raises no deviation.
    silent = SimpleNamespace(**{**vars(SOP_2023), "women_benefit_threshold": None})
    assert rules.benefits_women(rules.BeneficiaryMix(0, 100, 48, 0), silent) is None
    assert rules.portfolio_deviations(10, None, silent) == rules.portfolio_deviations(10, 0, silent) == []
