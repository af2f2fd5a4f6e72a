"""The commission president's weekly page, in French: the figures, a region filter, the PDF."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Pathway

from ..factories import CombatantFactory, UserFactory, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_in_french_filtered_by_region_with_its_pdf(page: Page, live_server: Any) -> None:
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
    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", name="Tableau de bord du programme")).to_be_visible()
    table = page.get_by_test_id("pathway-region")
    expect(table).to_contain_text("Réinsertion socio-économique (DDR)")
    expect(table.get_by_role("columnheader", name="Kidal")).to_be_visible()
    expect(page.get_by_test_id("funnel")).to_contain_text("Enregistré")
    expect(page.locator("#site-map")).to_have_attribute("data-loaded", "0")  # Mali drawn, no site placed yet

    page.get_by_label("Région").select_option(label="Gao")
    page.get_by_role("button", name="Filtrer").click()
    expect(table.get_by_role("columnheader", name="Gao")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Kidal")).to_have_count(0)
    expect(table).to_contain_text("6")

    with page.expect_download() as download:
        page.get_by_test_id("dashboard-pdf").click()
    pdf = download.value
    assert pdf.suggested_filename == "tableau-de-bord.pdf"
    with open(pdf.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert errors == []
