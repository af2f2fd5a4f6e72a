"""The dashboard: figures for staff, suppression for analysts that cannot be undone from the
totals, filters, the PDF, scope, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from core.suppression import Base
from ddr.models import Pathway

from .factories import CombatantFactory, region

pytestmark = pytest.mark.django_db


def test_small_cells_are_dropped_before_any_sum() -> None:
    base = Base(["region", "sex"], {("GAO", "M"): 12, ("GAO", "F"): 3, ("KID", "M"): 7, ("KID", "F"): 0})
    assert base.margin("region") == {("GAO",): 12, ("KID",): 7}  # the 3 is in no total
    assert base.margin("sex") == {("M",): 19}  # and a group with nothing visible is absent
    assert base.where(region="GAO").total() - base.where(region="GAO", sex="M").total() == 0


def label(pathway: str) -> str:
    with translation.override("fr"):  # the API answers in the default language, French
        return str(Pathway(pathway).label)


def _people(code: str, pathway: str, n: int, sex: str = "M") -> None:
    for _ in range(n):
        CombatantFactory.create(region=region(code), pathway=pathway, sex=sex)


def test_staff_see_every_count_analysts_do_not(commission_client: Client, analyst_client: Client) -> None:
    _people("GAO", Pathway.REINSERTION, 7)
    _people("GAO", Pathway.COMMUNITY, 2, sex="F")
    _people("KID", Pathway.REINSERTION, 9)
    staff = commission_client.get("/api/dashboard/").json()
    assert staff["pathways"][label(Pathway.COMMUNITY)]["Gao"] == 2
    assert staff["suppressed"] is False
    analyst = analyst_client.get("/api/dashboard/").json()
    assert analyst["suppressed"] is True
    assert label(Pathway.COMMUNITY) not in analyst["pathways"]  # 2 people: in no figure
    assert analyst["pathways"][label(Pathway.REINSERTION)] == {"Gao": 7, "Kidal": 9}
    page = analyst_client.get("/tableau-de-bord/").content.decode()
    assert 'data-testid="suppressed-note"' in page


def test_filters_and_regional_scope(gao_client: Client) -> None:
    _people("GAO", Pathway.REINSERTION, 6)
    _people("KID", Pathway.REINSERTION, 6)
    mine = gao_client.get("/api/dashboard/").json()["pathways"]
    assert list(mine[label(Pathway.REINSERTION)]) == ["Gao"]  # never another region
    assert gao_client.get("/api/dashboard/?from=hier").status_code == 400
    assert gao_client.get("/api/dashboard/?from=2030-01-01").json()["pathways"] == {}


def test_dashboard_page_and_pdf(commission_client: Client, django_assert_max_num_queries: Any) -> None:
    _people("GAO", Pathway.REINSERTION, 6)
    with django_assert_max_num_queries(35):  # reinsertion's section: 5 (programme.reintegration.summary)
        page = commission_client.get("/tableau-de-bord/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="funnel"' in html and "<svg" in html
    assert 'action="/tableau-de-bord/pdf/"' in html  # the PDF: a job (tests/programme/test_dashboard_pdf.py)


def test_each_figure_has_its_endpoint_with_the_same_filters_and_suppression(
    commission_client: Client, analyst_client: Client, django_assert_max_num_queries: Any
) -> None:
    _people("GAO", Pathway.REINSERTION, 7)
    _people("KID", Pathway.REINSERTION, 2)
    whole = commission_client.get("/api/dashboard/").json()
    for figure in (
        "funnel",
        "pathways",
        "pathway_by_sex",
        "pathway_by_movement",
        "duplicates",
        "sites",
        "cvr",
    ):
        one = commission_client.get(f"/api/dashboard/{figure}/").json()
        assert one == {"figure": figure, "suppressed": False, "data": whole[figure]}
    assert whole["pathway_by_movement"][label(Pathway.REINSERTION)] == {"GATIA": 9}
    gao = commission_client.get("/api/dashboard/pathways/?region=GAO").json()["data"]
    assert gao == {label(Pathway.REINSERTION): {"Gao": 7}}
    # An analyst's figures leave the 2 in Kidal out of every count, the movement's total too.
    with django_assert_max_num_queries(6):
        hidden = analyst_client.get("/api/dashboard/pathways/").json()
    assert hidden["suppressed"] is True
    assert hidden["data"] == {label(Pathway.REINSERTION): {"Gao": 7}}
    hidden = analyst_client.get("/api/dashboard/pathway_by_movement/").json()["data"]
    assert hidden == {label(Pathway.REINSERTION): {"GATIA": 7}}
    assert commission_client.get("/api/dashboard/nothing/").status_code == 404
    refused = commission_client.get("/api/dashboard/funnel/?region=XXX")
    assert refused.status_code == 400 and "region" in refused.json()
    assert commission_client.get("/api/dashboard/funnel/?to=2019-02-30").status_code == 400


def test_an_analyst_reads_a_figure_with_a_token_until_it_expires(analyst: Any) -> None:
    import datetime as dt

    from knox.models import AuthToken

    _people("GAO", Pathway.REINSERTION, 6)
    _, live = AuthToken.objects.create(analyst, expiry=dt.timedelta(hours=1))
    _, expired = AuthToken.objects.create(analyst, expiry=dt.timedelta(seconds=-1))
    answer = Client().get("/api/dashboard/funnel/", HTTP_AUTHORIZATION=f"Token {live}")
    assert answer.status_code == 200 and answer.json()["suppressed"] is True
    assert Client().get("/api/dashboard/funnel/", HTTP_AUTHORIZATION=f"Token {expired}").status_code == 401
    assert Client().get("/api/dashboard/funnel/").status_code == 401


def test_analysts_see_more_people_at_quarter_grain_than_at_month_grain(
    analyst_client: Client, settings: Any
) -> None:
    """The point of the quarter: people registered a few a month fall in cells of 1 to 4 at month
    grain and are left out, while a quarter gathers them into a cell analysts may read."""
    for month in (1, 2, 3):
        for day in (3, 20):
            CombatantFactory.create(registered_at=dt.date(2024, month, day), pathway=Pathway.REINSERTION)

    def funnel_total() -> int:
        return sum(n or 0 for _step, n in analyst_client.get("/api/dashboard/funnel/").json()["data"])

    settings.DDR_ANALYST_PERIOD_MONTHS = 1
    by_month = funnel_total()
    settings.DDR_ANALYST_PERIOD_MONTHS = 3
    by_quarter = funnel_total()
    assert (by_month, by_quarter) == (0, 6)


@pytest.mark.parametrize(
    ("months", "kind", "day", "start", "end"),
    [
        (1, "month", dt.date(2024, 2, 10), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (3, "quarter", dt.date(2024, 11, 10), dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        (3, "quarter", dt.date(2024, 5, 31), dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        (12, "year", dt.date(2024, 5, 31), dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ],
)
def test_analyst_periods_follow_the_grain(
    settings: Any, months: int, kind: str, day: dt.date, start: dt.date, end: dt.date
) -> None:
    from core import suppression

    settings.DDR_ANALYST_PERIOD_MONTHS = months
    assert suppression.period_kind() == kind
    assert (suppression.period_start(day), suppression.period_end(day)) == (start, end)
    assert suppression.is_period_end(end) and not suppression.is_period_end(end - dt.timedelta(days=1))
    assert suppression.analyst_period(start, end) == (start, end)
    with pytest.raises(suppression.PeriodRefused):
        suppression.analyst_period(start + dt.timedelta(days=1), end)
