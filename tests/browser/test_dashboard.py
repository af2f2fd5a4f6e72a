"""The commission president's weekly page, in French: the figures, a region filter, the PDF."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Pathway

from ..factories import CombatantFactory, UserFactory, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_in_french_filtered_by_region_with_its_pdf(
    page: Page, live_server: Any, celery_worker_process: Any, settings: Any, tmp_path: Any
) -> None:
    UserFactory.create(username="seydou", role=Role.COMMISSION_OFFICER)
    for code, n in (("GAO", 6), ("KID", 4)):
        for _ in range(n):
            CombatantFactory.create(region=region(code), pathway=Pathway.REINSERTION)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(live_server.url + "/")
    page.get_by_label("Nom d'utilisateur").fill("seydou")
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("nav-programme").click()  # the menu's group
    page.get_by_role("link", name="Tableau de bord", exact=True).click()
    expect(page.get_by_role("heading", name="Tableau de bord du programme")).to_be_visible()
    table = page.get_by_test_id("pathway-region")
    expect(table).to_contain_text("Réinsertion socio-économique (DDR)")
    expect(table.get_by_role("columnheader", name="Kidal")).to_be_visible()
    expect(page.get_by_test_id("funnel")).to_contain_text("Enregistré")
    expect(page.get_by_test_id("chart-pathway-region")).to_contain_text("Kidal")
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute(
        "data-loaded", "0"
    )  # Mali drawn, no site yet
    expect(page.locator(".map-region-label", has_text="Gao")).to_contain_text("6")
    expect(page.get_by_test_id("map-legend")).to_be_visible()

    page.get_by_label("Région", exact=True).select_option(label="Gao")
    page.get_by_role("button", name="Filtrer").click()
    expect(table.get_by_role("columnheader", name="Gao")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Kidal")).to_have_count(0)
    expect(table).to_contain_text("6")

    page.get_by_test_id("dashboard-pdf").click()  # on the worker: its progress, then the file
    with page.expect_download(timeout=60_000) as download:
        page.get_by_test_id("dashboard-pdf-download").click(timeout=60_000)
    pdf = download.value
    assert pdf.suggested_filename == "tableau-de-bord.pdf"
    with open(pdf.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert errors == []


def test_dashboard_at_phone_width_has_no_sideways_scroll(page: Page, live_server: Any) -> None:
    UserFactory.create(username="awa", role=Role.ANALYST)
    for code, pathway, n in (
        ("GAO", Pathway.REINSERTION, 7),
        ("KID", Pathway.REINSERTION, 3),
        ("KID", Pathway.COMMUNITY, 5),
    ):
        for _ in range(n):
            CombatantFactory.create(region=region(code), pathway=pathway)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    page.get_by_label("Nom d'utilisateur").fill("awa")
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    page.goto(live_server.url + "/tableau-de-bord/")
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-loaded", "0")
    chart = page.get_by_test_id("chart-pathway-region")
    expect(chart).to_contain_text("masqué")  # Kidal's 3: hidden, no bar
    assert chart.locator("svg").bounding_box()["width"] <= 390  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
