"""The dashboard's reinsertion section on a phone (390 px), in French: the charts and tables fit
the screen (tables scroll inside themselves), and an analyst sees it too."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Combatant, Entitlement, Pathway
from ddr.reintegration.packages.services import cohort_enrol

from ..factories import CombatantFactory, PackageFactory, UserFactory, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reintegration_section_reads_on_a_phone_in_french(page: Page, live_server: Any) -> None:
    officer = UserFactory.create(username="seydou", role=Role.COMMISSION_OFFICER)
    people = [CombatantFactory.create(region=region("GAO"), pathway=Pathway.REINSERTION) for _ in range(6)]
    package = PackageFactory.create()
    cohort_enrol(
        people=Combatant.objects.filter(pk__in=[p.pk for p in people]),
        package=package,
        on=dt.date(2024, 2, 1),
        by=officer,
    )
    Entitlement.objects.filter(component__position=1).update(state=Entitlement.State.PAID)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(live_server.url + "/")
    page.get_by_label("Nom d'utilisateur").fill("seydou")
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    page.goto(live_server.url + "/tableau-de-bord/")
    section = page.get_by_test_id("dashboard-reintegration")
    section.scroll_into_view_if_needed()
    expect(section.get_by_role("heading", name="Réinsertion et réintégration")).to_be_visible()
    expect(section.get_by_role("img", name="Personnes par période d’inscription")).to_be_visible()
    expect(page.get_by_test_id("reintegration-funding")).to_contain_text("Banque mondiale")
    expect(page.get_by_test_id("reintegration-periods")).to_contain_text("6")
    # Nothing wider than the phone: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = section.get_by_role("img", name="Fonds par source de financement (FCFA)").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    if os.environ.get("DDR_SCREENSHOTS"):
        section.screenshot(path=os.path.join(os.environ["DDR_SCREENSHOTS"], "reintegration-390.png"))
    assert errors == []
