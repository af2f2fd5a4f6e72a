"""The dashboard's charts, drawn on the server: labelled, with their figures, and for analysts
never a hidden group (drawn "hidden", no bar); the map's figures and who may read them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core import charts
from ddr.models import Pathway, Sex

from ..factories import CombatantFactory, ProjectFactory, SiteFactory, region


def label(pathway: str) -> str:
    with translation.override("fr"):
        return str(Pathway(pathway).label)


def _people(code: str, pathway: str, n: int, sex: str = Sex.MALE) -> None:
    for _ in range(n):
        CombatantFactory.create(region=region(code), pathway=pathway, sex=sex)


def _chart_svg(html: str, key: str) -> str:
    found = re.search(rf'data-testid="chart-{key}">(.*?)</figure>', html, re.S)
    assert found, f"no chart {key}"
    return found.group(1)


def test_a_chart_has_its_labels_figures_legend_axis_and_text_alternative() -> None:
    with translation.override("fr"):
        chart = charts.chart(
            "quotas",
            "Quotas",
            [("Intégration", [10000, 1765]), ("DDR", [16000, 26])],
            [
                charts.Series("Quota", charts.GREY, suppressible=False),
                charts.Series("Places prises", charts.BLUE),
            ],
            axis_label="Personnes",
        )
    assert [text for _y, text in chart.labels] == ["Intégration", "DDR"]
    assert [item.label for item in chart.legend] == ["Quota", "Places prises"]
    assert [bar.figure for bar in chart.bars] == ["10\xa0000", "1\xa0765", "16\xa0000", "26"]
    assert chart.bars[0].title == "Intégration, Quota : 10\xa0000"
    assert chart.axis_label == "Personnes" and chart.ticks[0].label == "0"
    assert chart.ticks[-1].x >= max(bar.width for bar in chart.bars)  # the axis covers every bar
    assert "DDR : Quota 16\xa0000, Places prises 26" in chart.description
    # Widths follow the figures.
    assert chart.bars[2].width == pytest.approx(chart.bars[0].width * 1.6)


def test_a_hidden_value_is_drawn_as_the_word_never_by_a_width() -> None:
    with translation.override("en"):
        chart = charts.chart(
            "sex",
            "Sex",
            [("DDR", [7, 0]), ("CRP", [None, 12])],
            [charts.Series("Men", charts.BLUE), charts.Series("Women", charts.ORANGE)],
            axis_label="People",
            suppressed=True,
        )
    drawn = {(b.title, b.hidden, b.width) for b in chart.bars}
    assert ("DDR, Women: hidden", True, 0) in drawn  # an analyst's 0: maybe a few left out
    assert ("CRP, Men: hidden", True, 0) in drawn
    assert all(b.width > 0 for b in chart.bars if not b.hidden)
    assert "0" not in [b.figure for b in chart.bars]
    # Staff read exact figures: a 0 is a 0.
    exact = charts.chart(
        "sex", "Sex", [("DDR", [7, 0])], [charts.Series("Men", charts.BLUE)] * 2, axis_label=""
    )
    assert [b.figure for b in exact.bars] == ["7", "0"] and not any(b.hidden for b in exact.bars)


@pytest.mark.django_db
def test_the_page_draws_every_chart_with_the_tables_figures(commission_client: Client) -> None:
    _people("GAO", Pathway.REINSERTION, 7)
    _people("KID", Pathway.REINSERTION, 3, sex=Sex.FEMALE)
    html = commission_client.get("/tableau-de-bord/").content.decode()
    for key in ("funnel", "pathway-region", "pathway-sex", "cvr-mix"):
        svg = _chart_svg(html, key)
        assert 'role="img"' in svg and "<desc" in svg and 'class="chart-legend"' in svg
    region_chart = _chart_svg(html, "pathway-region")
    assert f"Gao, {label(Pathway.REINSERTION)} : 7</title>" in region_chart
    assert f"Kidal, {label(Pathway.REINSERTION)} : 3</title>" in region_chart
    sex_chart = _chart_svg(html, "pathway-sex")
    assert f"{label(Pathway.REINSERTION)}, Femme : 3</title>" in sex_chart


@pytest.mark.django_db
def test_an_analysts_charts_never_draw_a_hidden_group(analyst_client: Client) -> None:
    _people("GAO", Pathway.REINSERTION, 7)
    _people("GAO", Pathway.COMMUNITY, 6)
    _people("KID", Pathway.REINSERTION, 3)  # hidden: fewer than 5
    _people("KID", Pathway.COMMUNITY, 8)
    html = analyst_client.get("/tableau-de-bord/").content.decode()
    region_chart = _chart_svg(html, "pathway-region")
    assert f"Gao, {label(Pathway.REINSERTION)} : 7</title>" in region_chart
    assert f"Kidal, {label(Pathway.COMMUNITY)} : 8</title>" in region_chart
    # The 3 in Kidal: the word, no bar, and its figure nowhere.
    assert f"Kidal, {label(Pathway.REINSERTION)} : masqué</title>" in region_chart
    assert f"Kidal, {label(Pathway.REINSERTION)} : 3" not in html
    hidden_bars = re.findall(
        r'<rect[^>]*width="([\d.]+)"[^>]*><title>Kidal, ' + re.escape(label(Pathway.REINSERTION)), html
    )
    assert hidden_bars == []
    # The chart's figures are the table's: 7 + 3 hidden = the funnel's 7 + 6 + 8 visible.
    funnel = _chart_svg(html, "funnel")
    steps = re.findall(r"<rect[^>]*><title>[^<]* : ([\d\xa0]+)</title>", funnel)
    assert sum(int(n.replace("\xa0", "")) for n in steps) == 21


@pytest.mark.django_db
def test_the_map_gathers_places_and_gives_analysts_counts_only(
    commission_client: Client, analyst_client: Client, gao_client: Client, django_assert_max_num_queries: Any
) -> None:
    for latitude in ("16.20", "16.30", "16.40"):
        SiteFactory.create(region=region("GAO"), latitude=latitude, longitude="0.10", occupancy=2)
    SiteFactory.create(region=region("KID"), name="Anefis", latitude="18.40", longitude="1.40", occupancy=9)
    ProjectFactory.create(
        region=region("GAO"),
        latitude="16.25",
        longitude="0.05",
        beneficiaries_ex_combatants=3,
        beneficiaries_community=40,
    )
    _people("GAO", Pathway.REINSERTION, 6)
    url = reverse("programme:dashboard-map")
    with django_assert_max_num_queries(12):  # a few grouped reads, whatever the number of places
        staff = commission_client.get(url).json()
    gao_sites = [p for p in staff["places"] if p["kind"] == "site" and p["region"] == "GAO"]
    assert len(gao_sites) == 1 and gao_sites[0]["records"] == 3 and gao_sites[0]["people"] == 6
    assert gao_sites[0]["lat"] == pytest.approx(16.3)
    assert len(gao_sites[0]["listed"]) == 3  # staff may open each site
    assert {r["code"]: r["people"] for r in staff["regions"]}["GAO"] == 6
    cvr = [p for p in staff["places"] if p["kind"] == "cvr"]
    assert cvr[0]["people"] == 43
    with django_assert_max_num_queries(12):
        analyst = analyst_client.get(url).json()
    assert all(p["listed"] == [] for p in analyst["places"])  # aggregates only: nothing named
    assert "Anefis" not in analyst_client.get(url).content.decode()
    assert [p["people"] for p in analyst["places"] if p["kind"] == "cvr"] == [40]  # the 3 left out
    assert [p["people"] for p in analyst["places"] if p["kind"] == "site" and p["region"] == "GAO"] == [0]
    mine = gao_client.get(url).json()
    assert {p["region"] for p in mine["places"]} == {"GAO"}  # never another region
    figures = {r["code"]: r["people"] for r in mine["regions"]}
    assert figures["GAO"] == 6 and figures["KID"] is None  # outside their region: no figure, not 0


def test_the_static_map_names_every_region_with_its_figure() -> None:
    from core import maps

    with translation.override("fr"):
        drawn = maps.region_map(
            "regions",
            "Carte",
            {"GAO": ("Gao", 836), "KID": ("Kidal", 0), "MEN": ("Ménaka", 12)},
            [maps.Point(0.1, 16.3, 3, "#fd7e14", True, "Gao : 3 sites")],
            [],
            hidden=True,
        )
    labels = {label.name: label.figure for label in drawn.labels}
    assert labels["Gao"] == "836" and labels["Kidal"] == "masqué"
    assert labels["KAY"] == ""  # no figure given: the name only
    assert drawn.off_map == [("Ménaka", "12")]  # no outline in the shipped file: said under the map
    assert len(drawn.areas) == 9 and all(area.path.startswith("M") for area in drawn.areas)
    assert 0 < drawn.circles[0].x < drawn.width and 0 < drawn.circles[0].y < drawn.height
