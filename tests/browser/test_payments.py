"""On a phone: an officer prepares a payment batch, a second officer approves it and sends the
provider's file, imports the statement and watches the worker reconcile it; then a kit is handed
over on the card's token. No page is wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect

from accounts.models import Role
from ddr.models import Entitlement, PaymentBatch, card_token_for

from ..ddr.reintegration.payments_setup import all_paid, enrolled, statement_csv
from ..factories import UserFactory, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}


def _phone(browser: Browser, live_server: Any, username: str) -> Page:
    page = browser.new_context(locale="fr-FR", viewport=PHONE).new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    return page


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_a_batch_from_preparation_to_reconciliation_on_a_phone(
    browser: Browser, live_server: Any, celery_worker_process: Any
) -> None:
    preparer = UserFactory.create(username="seydou", role=Role.REGIONAL_OFFICER, region=region("GAO"))
    checker = UserFactory.create(username="awa", role=Role.COMMISSION_OFFICER)
    people = enrolled(preparer, 3, region=region("GAO"))

    page = _phone(browser, live_server, "seydou")
    page.goto(live_server.url + "/paiements/preparer/")
    _fits(page)
    page.locator("[name=due_by]").fill("2024-03-01")
    page.locator("[name=provider]").fill("Orange Money")
    page.get_by_test_id("batch-preview-button").click()
    expect(page.get_by_test_id("batch-preview")).to_contain_text("3")
    page.get_by_test_id("batch-prepare").click()
    expect(page.get_by_test_id("batch-status")).to_have_attribute("data-status", "prepared")
    expect(page.get_by_test_id("batch-approve")).to_have_count(0)  # the preparer never approves
    expect(page.get_by_test_id("batch-line")).to_have_count(3)
    _fits(page)
    batch = PaymentBatch.objects.get()

    second = _phone(browser, live_server, "awa")
    second.goto(f"{live_server.url}/paiements/{batch.pk}/")
    second.get_by_test_id("batch-approve").click()
    expect(second.get_by_test_id("batch-status")).to_have_attribute("data-status", "approved")
    with second.expect_download() as download:
        second.get_by_test_id("batch-export-csv").click()
    assert download.value.suggested_filename == f"{batch.reference}.csv"
    second.reload()
    expect(second.get_by_test_id("batch-status")).to_have_attribute("data-status", "exported")
    _fits(second)

    second.get_by_test_id("statement-form").locator("input[type=file]").set_input_files(
        files=[FilePayload(name="releve.csv", mimeType="text/csv", buffer=statement_csv(all_paid(batch)))]
    )
    second.get_by_test_id("statement-submit").click()
    # Checked and reconciled on the worker; the page polls until it is done.
    expect(second.locator("#statement-status")).to_have_attribute("data-status", "imported", timeout=60_000)
    expect(second.get_by_test_id("statement-paid")).to_have_text("3")
    _fits(second)
    batch.refresh_from_db()
    assert batch.status == "reconciled" and set(batch.lines.values_list("status", flat=True)) == {"paid"}
    assert checker.pk == batch.approved_by_id

    person = people[0]
    page.goto(f"{live_server.url}/distributions/")
    page.locator("[name=token]").fill(card_token_for(person.pk))
    page.get_by_test_id("card-find").click()
    expect(page.get_by_test_id("card-number")).to_have_text(person.registration_number)
    page.locator("[name=place]").fill("Site de Gao")
    page.locator("[name=on]").fill("2024-02-15")
    _fits(page)
    page.get_by_test_id("distribution-submit").click()
    expect(page.get_by_test_id("nothing-due")).to_be_visible()
    assert Entitlement.objects.get(combatant=person, component__delivery="in_kind").state == "delivered"
