"""Consent from a person's page, in French: an officer sees that the declaration was never
recorded, records it (read in Bambara from the French text, thumb-printed, with its scan), then
prints the declaration to sign; the tab fits a phone (390 px)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from core.models import ExportLog
from ddr.accountability.consent.models import ConsentRecord
from ddr.accountability.consent.services import consent_texts_ship

from ..factories import CombatantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_record_the_declaration_from_the_person_page_and_print_it(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    consent_texts_ship()  # the flush of transactional tests took the migration's texts
    UserFactory.create(
        username="seydou", first_name="Seydou", last_name="Keïta", role=Role.COMMISSION_OFFICER
    )
    person = CombatantFactory.create(family_name="Maïga", given_name="Hamadoun")
    scan = tmp_path / "declaration-signee.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")

    sign_in(page, live_server.url, "seydou")
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_test_id("tab-accountability").click()
    expect(page.get_by_test_id("consent-missing")).to_be_visible()

    form = page.get_by_test_id("consent-form")
    form.locator("select[name='consent-text_language']").select_option("fr")
    form.locator("select[name='consent-language']").select_option("bm")
    form.locator("input[name='consent-outcome'][value='thumbprint']").check()
    form.locator("input[name='consent-scan']").set_input_files(str(scan))
    page.get_by_test_id("consent-submit").click()

    page.get_by_test_id("tab-accountability").click()
    expect(page.get_by_test_id("consent-records")).to_be_visible()
    expect(page.get_by_test_id("consent-missing")).to_have_count(0)
    record = ConsentRecord.objects.get(combatant=person)
    assert (record.language, record.outcome, record.text.language) == ("bm", "thumbprint", "fr")

    # The declaration to sign, in French.
    page.get_by_test_id("consent-print-form").locator("select").select_option("fr")
    with page.expect_download() as download:
        page.get_by_test_id("consent-print").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert ExportLog.objects.filter(what="consent-declaration").count() == 1

    # On a phone the tab does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_test_id("tab-accountability").click()
    expect(page.get_by_test_id("person-consent")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
