"""A person's whole case in the browser, in French: the tabs switch in place and the address follows
(it can be copied and opened again), `#name` opens a tab, the timeline's links open theirs; without
JavaScript every tab is still a link the server opens; on a phone (390 px) the tabs scroll inside
their row and the page never sideways. Screenshots go to $DDR_SCREENSHOTS when it is set."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from cantonment.models import CantonmentStay
from ddr.models import Combatant
from integration.models import Membership

from ..ddr.test_person_case import DAY, whole_case
from ..factories import CombatantFactory, SiteFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def shot(page: Page, name: str) -> None:
    if os.environ.get("DDR_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DDR_SCREENSHOTS"], name), full_page=True)


@pytest.fixture
def person(db: Any, settings: Any, tmp_path: Path) -> Combatant:
    settings.MEDIA_ROOT = tmp_path
    officer = UserFactory.create(
        username="seydou", first_name="Seydou", last_name="Keïta", role=Role.COMMISSION_OFFICER
    )
    person = CombatantFactory.create(
        given_name="Aminata", family_name="Walet Intalla", registration_place="Gao", sex="F"
    )
    whole_case(person, 3, officer)
    # Today: on a site and in a unit (the summary says so), with a photo.
    CantonmentStay.objects.create(
        combatant=person, site=SiteFactory.create(name="Site de Fafa"), checked_in_on=DAY, leave_by=DAY
    )
    Membership.objects.create(
        unit=UnitFactory.create(name="BATFAR 3"), combatant=person, party="cma", rank="Caporal", start=DAY
    )
    image = io.BytesIO()
    Image.new("RGB", (120, 150), (96, 125, 139)).save(image, "PNG")
    person.photo.save("aminata.png", ContentFile(image.getvalue()), save=True)
    return person


def test_tabs_switch_in_place_and_the_address_opens_them_again(
    page: Page, live_server: Any, person: Combatant
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, "seydou")
    url = f"{live_server.url}/personnes/{person.pk}/"
    page.goto(url)
    summary = page.get_by_test_id("case-summary")
    expect(summary).to_contain_text(person.registration_number)
    expect(page.get_by_test_id("case-on-site")).to_have_text("Site de Fafa")
    expect(page.get_by_test_id("case-unit")).to_contain_text("BATFAR 3")
    assert page.get_by_test_id("person-photo").evaluate("img => img.naturalWidth") == 120
    expect(page.locator("#overview")).to_be_visible()
    shot(page, "person-after-1366.png")

    page.get_by_test_id("tab-cantonment").click()
    expect(page.get_by_test_id("person-stays")).to_be_visible()
    expect(page).to_have_url(f"{url}?tab=cantonment")
    page.reload()  # the address, copied or reloaded, opens the same tab
    expect(page.get_by_test_id("person-stays")).to_be_visible()
    expect(page.locator("#overview")).to_be_hidden()

    page.get_by_test_id("tab-timeline").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Enregistrement")
    expect(timeline).to_contain_text("Versement")
    shot(page, "person-after-timeline-1366.png")
    timeline.locator("[data-case-link=integration]").first.click()  # an event's tab opens in place
    expect(page.get_by_test_id("person-memberships")).to_be_visible()
    expect(page).to_have_url(f"{url}?tab=integration")

    page.goto(f"{url}#reintegration")  # an anchor opens its tab too (redirects after a form use them)
    expect(page.locator("#reintegration")).to_be_visible()
    expect(page.get_by_test_id("tab-reintegration")).to_have_attribute("aria-selected", "true")
    page.goto(f"{url}#history-tab")  # the page's old anchor
    expect(page.get_by_test_id("history")).to_be_visible()
    assert errors == []


def test_on_a_phone_the_tabs_scroll_inside_and_the_page_never_sideways(
    page: Page, live_server: Any, person: Combatant
) -> None:
    sign_in(page, live_server.url, "seydou")
    page.set_viewport_size({"width": 390, "height": 844})  # signed in: the menu folds at this width
    url = f"{live_server.url}/personnes/{person.pk}/"
    for tab in ("overview", "timeline", "cantonment", "integration", "reintegration", "cvr", "history"):
        page.goto(f"{url}?tab={tab}")
        expect(page.locator(f"#{tab}")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, tab
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.closest('.table-responsive, .case-tabs')"
            " === null && e.getBoundingClientRect().right > 391).map(e => e.tagName + '.' + e.className)"
        )
        assert wide == [], (tab, wide[:5])
        if tab == "overview":
            shot(page, "person-after-390.png")
    tabs = page.locator("[data-case-tabs]")
    assert tabs.evaluate("e => e.scrollWidth > e.clientWidth")  # its own scroll, not the page's
    # The open tab is brought into view inside its row.
    box = page.get_by_test_id("tab-history").bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= 391
    shot(page, "person-after-390-history.png")


def test_without_javascript_each_tab_is_a_link_the_server_opens(
    browser: Browser, live_server: Any, person: Combatant
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    sign_in(page, live_server.url, "seydou")
    url = f"{live_server.url}/personnes/{person.pk}/"
    page.goto(url)
    page.get_by_test_id("tab-cvr").click()
    expect(page).to_have_url(f"{url}?tab=cvr")
    expect(page.get_by_test_id("person-cvr")).to_be_visible()
    expect(page.locator("#overview")).to_be_hidden()
    page.get_by_test_id("tab-timeline").click()
    expect(page.get_by_test_id("timeline")).to_be_visible()
    context.close()
