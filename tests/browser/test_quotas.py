"""A commission officer reads the quotas in French: each quota's bar with its figure in words, then
the waiting list in the order places will be given, with the rule that orders it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import RuleSet, WaitingPlace

from ..factories import CombatantFactory, RuleSetFactory, UserFactory
from .test_home import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_reads_a_full_quota_and_its_waiting_list_in_order(page: Page, live_server: Any) -> None:
    UserFactory.create(username="seydou", role=Role.COMMISSION_OFFICER)
    RuleSetFactory.create(status=RuleSet.Status.ACTIVE, quotas={"reinsertion": {"total": 2}})
    CombatantFactory.create_batch(2, has_weapon=False, status="oriented", pathway="reinsertion")
    for position, name in enumerate(["Diarra", "Coulibaly"], start=1):
        person = CombatantFactory.create(
            has_weapon=False, pathway="reinsertion", family_name=name, registered_at=dt.date(2019, 1, position)
        )
        WaitingPlace.objects.create(combatant=person, pathway="reinsertion", position=position, since=timezone.now())

    _sign_in(page, live_server, "seydou")
    page.goto(live_server.url + "/quotas/")
    row = page.locator('[data-testid="quota-row"][data-pathway="reinsertion"]').first
    expect(row.get_by_test_id("quota-fill")).to_contain_text("2 places prises sur 2 (100 %)")
    expect(row.get_by_test_id("quota-full")).to_have_text("■ quota atteint")
    # The bar is named by its figure and its state, in words (the square is not read).
    expect(row.get_by_role("meter")).to_have_accessible_name("2 places prises sur 2 (100 %) quota atteint")

    row.get_by_role("link", name="2").click()
    expect(page.get_by_role("heading", name="Listes d'attente")).to_be_visible()
    expect(page.get_by_test_id("waiting-rule")).to_contain_text("Premier enregistré, premier servi")
    rows = page.get_by_test_id("waiting-list").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Diarra")
    expect(rows.nth(1)).to_contain_text("Coulibaly")
