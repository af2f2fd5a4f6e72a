"""A hand-over in kind recorded in the offline app with no network: the person found by the card's
token, the entitlement due chosen, queued as pending, then synced: delivered on the server."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import Role
from ddr.models import Distribution, Entitlement, card_token_for

from ..ddr.reintegration.payments_setup import enrolled
from ..factories import UserFactory, region
from .test_offline import _install

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_distribution_recorded_offline_is_delivered_at_the_sync(
    page: Page, context: BrowserContext, live_server: Any
) -> None:
    officer = UserFactory.create(username="aminata", role=Role.REGIONAL_OFFICER, region=region("GAO"))
    (person,) = enrolled(UserFactory.create(role=Role.COMMISSION_OFFICER), 1, region=region("GAO"))
    toolkit = Entitlement.objects.get(combatant=person, component__delivery="in_kind")
    token = card_token_for(person.pk)
    _install(page, live_server.url, "aminata")

    context.set_offline(True)
    page.locator("#search-query").fill(token.lower())  # typed from the card
    page.get_by_test_id("person-result").click()
    details = page.get_by_test_id("distribution")
    expect(details).to_be_visible()
    details.locator("summary").click()
    page.locator("#dist-token").fill("DDR-PAS-LA-BONNE")
    page.locator("#dist-entitlement").select_option(str(toolkit.pk))
    page.locator("#dist-place").fill("Site de Gao")
    page.locator("#dist-confirmation").select_option("thumbprint")
    page.get_by_test_id("distribution-submit").click()
    expect(page.get_by_test_id("offline-message")).to_have_class("alert alert-danger")
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
    page.locator("#dist-token").fill(token)
    page.get_by_test_id("distribution-submit").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    expect(details).to_be_hidden()  # nothing else due: the form leaves
    assert not Distribution.objects.exists()

    context.set_offline(False)
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("offline-message")).to_contain_text("Synchronisé")
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
    distribution = Distribution.objects.get()
    assert (distribution.combatant_id, distribution.handed_over_by, distribution.place) == (
        person.pk,
        officer,
        "Site de Gao",
    )
    assert distribution.handed_over_on == timezone.localdate()
    toolkit.refresh_from_db()
    assert toolkit.state == "delivered"
