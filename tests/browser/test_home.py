"""A commission officer signs in with Chromium in French and reads the programme at a glance."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Category

from ..factories import CombatantFactory, UserFactory, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, live_server: Any, username: str) -> None:
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()


def test_officer_signs_in_and_sees_the_french_home_page(page: Page, live_server: Any) -> None:
    UserFactory.create(username="seydou", first_name="Seydou", last_name="Keïta", role=Role.COMMISSION_OFFICER)
    CombatantFactory.create_batch(12, region=region("KID"))
    CombatantFactory.create(category=Category.CHILD, has_weapon=False)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    _sign_in(page, live_server, "seydou")

    expect(page.get_by_role("heading", name="Le programme en un coup d'œil")).to_be_visible()
    expect(page.get_by_test_id("stat-people")).to_have_text("12")  # the child is not counted
    expect(page.get_by_test_id("current-user")).to_contain_text("Agent de la commission (national)")
    expect(page.get_by_role("cell", name="Kidal")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    # Nothing is fetched from anywhere but our own server (no CDN), and no CSP violation.
    assert hosts == {urlparse(live_server.url).netloc}
    assert errors == []


def test_english_switch_and_back(page: Page, live_server: Any) -> None:
    UserFactory.create(username="claire", role=Role.ANALYST)
    _sign_in(page, live_server, "claire")
    page.get_by_test_id("language-en").click()
    expect(page.get_by_role("heading", name="The programme at a glance")).to_be_visible()
    page.get_by_test_id("language-fr").click()
    expect(page.get_by_role("heading", name="Le programme en un coup d'œil")).to_be_visible()
    # An analyst has no "People" menu: names are not theirs to read.
    expect(page.get_by_role("link", name="Personnes")).to_have_count(0)


def test_wrong_password_shows_a_french_error(page: Page, live_server: Any) -> None:
    UserFactory.create(username="awa", role=Role.COMMISSION_OFFICER)
    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Nom d'utilisateur").fill("awa")
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_role("alert")).to_have_text("Nom d'utilisateur ou mot de passe incorrect.")


def test_api_docs_render_under_the_strict_csp(page: Page, live_server: Any) -> None:
    UserFactory.create(username="claire", role=Role.ANALYST)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, live_server, "claire")
    page.goto(live_server.url + "/api/docs/")
    expect(page.get_by_role("heading", name="DDR case management API")).to_be_visible()
    # Swagger UI draws only the sections near the viewport (a virtual list): scroll down to people.
    people = page.get_by_text("/api/people/").first
    for _ in range(60):
        if people.count():
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(100)
    expect(people).to_be_visible()
    assert [e for e in errors if "Content Security Policy" in e] == []
