"""The profile's checks and the fit of a trade with a place: pure rules, no database."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from core.models import Cercle, Region
from ddr.reintegration.profiles import rules
from ddr.reintegration.profiles.models import Opportunity, Trade

GAO = Region(pk=1, code="GAO", name="Gao")
KIDAL = Region(pk=2, code="KID", name="Kidal")
GAO_CERCLE = Cercle(pk=10, region=GAO, name="Gao")
ANSONGO = Cercle(pk=11, region=GAO, name="Ansongo")
BOUREM = Cercle(pk=12, region=GAO, name="Bourem")
MECHANICS = Trade(pk=1, code="mechanics", name="Mécanique")
SEWING = Trade(pk=2, code="sewing", name="Couture")
LIVESTOCK = Trade(pk=3, code="livestock", name="Élevage")
FISHING = Trade(pk=4, code="fishing", name="Pêche")


def line(
    trade: Trade, demand: str, cercle: Cercle | None = None, region: Region = GAO, **kw: Any
) -> Opportunity:
    defaults = {
        "provider": "",
        "capacity": 0,
        "partners": "",
        "source": "Étude PNUD 2022",
        "studied_on": dt.date(2022, 5, 1),
    }
    return Opportunity(region=region, cercle=cercle, trade=trade, demand=demand, **{**defaults, **kw})


MAP = [
    line(MECHANICS, "high", GAO_CERCLE, provider="CFP de Gao", capacity=40, partners="OIM"),
    line(MECHANICS, "medium", provider="ANPE", capacity=15),
    line(LIVESTOCK, "high"),
    line(SEWING, "low", ANSONGO),
    line(FISHING, "high", ANSONGO),
    line(SEWING, "high", BOUREM),
    line(SEWING, "high", region=KIDAL),
]


def test_the_cercles_line_decides_with_its_provider_places_and_study() -> None:
    fit = rules.trade_fit(MECHANICS, GAO, GAO_CERCLE, MAP)
    assert (fit.outcome, fit.place, fit.demand, fit.provider, fit.training_places) == (
        rules.LISTED,
        "Gao",
        "high",
        "CFP de Gao",
        40,
    )
    assert fit.good and fit.partners == "OIM" and fit.source == "Étude PNUD 2022"
    assert fit.studied_on == dt.date(2022, 5, 1)
    assert fit.in_demand_here == ("Élevage",)  # the place's other wanted trades, not Ansongo's


def test_without_a_line_in_the_cercle_the_region_wide_line_decides() -> None:
    fit = rules.trade_fit(MECHANICS, GAO, ANSONGO, MAP)
    assert (fit.outcome, fit.place, fit.demand, fit.provider) == (rules.LISTED, "Gao", "medium", "ANPE")
    assert fit.elsewhere == ("Gao",)  # the cercle of Gao asks for mechanics too


def test_a_trade_not_in_demand_lists_what_the_place_wants() -> None:
    fit = rules.trade_fit(SEWING, GAO, ANSONGO, MAP)
    assert fit.outcome == rules.LISTED and fit.demand == "low" and not fit.good
    assert fit.in_demand_here == ("Élevage", "Pêche", "Mécanique")  # high first, then medium
    assert fit.elsewhere == ("Bourem",)

    unlisted = rules.trade_fit(Trade(pk=9, code="hairdressing", name="Coiffure"), GAO, GAO_CERCLE, MAP)
    assert unlisted.outcome == rules.NOT_LISTED
    assert unlisted.in_demand_here == ("Élevage", "Mécanique")
    assert "Coiffure" in unlisted.explanation


def test_no_study_for_the_place_no_trade_no_place() -> None:
    menaka = Region(pk=3, code="MEN", name="Ménaka")
    assert rules.trade_fit(MECHANICS, menaka, None, MAP).outcome == rules.NO_STUDY
    # Kidal has a study, but not in Tessalit and not region-wide.
    tessalit = Cercle(pk=20, region=KIDAL, name="Tessalit")
    kidal_only_cercle = [line(SEWING, "high", Cercle(pk=21, region=KIDAL, name="Kidal"), region=KIDAL)]
    fit = rules.trade_fit(SEWING, KIDAL, tessalit, kidal_only_cercle)
    assert fit.outcome == rules.NO_STUDY and fit.elsewhere == ("Kidal",)
    assert rules.trade_fit(None, GAO, None, MAP).outcome == rules.NO_TRADE
    assert rules.trade_fit(MECHANICS, None, None, MAP).outcome == rules.NO_PLACE


def test_an_unknown_cercle_reads_the_region_wide_lines() -> None:
    fit = rules.trade_fit(MECHANICS, GAO, None, MAP)
    assert (fit.place, fit.demand) == ("Gao", "medium")
    assert fit.elsewhere == ("Gao",)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("76 12 34 56", "+22376123456"),
        ("+223 76-12-34-56", "+22376123456"),
        ("0022376123456", "+22376123456"),
        ("76.12.34.56", "+22376123456"),
        ("", ""),
        ("7612345", None),
        ("+33 6 12 34 56 78", None),
        ("761234567", None),
        ("76 12 34 5a", None),
    ],
)
def test_mobile_money_numbers_are_malian_and_normalised(typed: str, kept: str | None) -> None:
    assert rules.mobile_money_normalise(typed) == kept


def _profile(**kw: Any) -> Any:
    values = {
        "return_region": GAO,
        "return_cercle": ANSONGO,
        "mobile_money": "76123456",
        "household_size": 5,
        "dependants": 3,
        "profiled_on": dt.date(2024, 1, 10),
    }
    return SimpleNamespace(**{**values, **kw})


def _fields(profile: Any) -> list[str]:
    registered, today = dt.date(2019, 3, 1), dt.date(2024, 6, 1)
    return [field for field, _ in rules.profile_problems(profile, registered_at=registered, today=today)]


def test_profile_checks_name_the_field_to_correct() -> None:
    assert _fields(_profile()) == []
    assert _fields(_profile(return_region=KIDAL)) == ["return_cercle"]
    assert _fields(_profile(mobile_money="12345")) == ["mobile_money"]
    assert _fields(_profile(household_size=0, dependants=0)) == ["household_size"]
    assert _fields(_profile(household_size=2, dependants=3)) == ["household_size"]
    assert _fields(_profile(profiled_on=dt.date(2024, 7, 1))) == ["profiled_on"]
    assert _fields(_profile(profiled_on=dt.date(2018, 1, 1))) == ["profiled_on"]


def test_opportunity_checks() -> None:
    today = dt.date(2024, 6, 1)
    assert rules.opportunity_problems(line(MECHANICS, "high", GAO_CERCLE), today=today) == []
    wrong = line(MECHANICS, "high", Cercle(pk=21, region=KIDAL, name="Kidal"))
    assert [f for f, _ in rules.opportunity_problems(wrong, today=today)] == ["cercle"]
    unsourced = line(MECHANICS, "high", source="  ", capacity=10)
    assert [f for f, _ in rules.opportunity_problems(unsourced, today=today)] == ["source", "provider"]
    future = line(MECHANICS, "high", studied_on=dt.date(2025, 1, 1))
    assert [f for f, _ in rules.opportunity_problems(future, today=today)] == ["studied_on"]
