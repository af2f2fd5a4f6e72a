"""A commission officer searches the register for duplicates in French, on the real worker,
compares a pair side by side, merges it, and undoes the merge (the pair is then open again)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Combatant, DuplicatePair

from ..ddr.test_dedup import twins
from ..factories import CombatantFactory, UserFactory
from .test_home import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_finds_compares_merges_and_undoes_a_duplicate(
    page: Page, live_server: Any, celery_worker_process: Any
) -> None:
    UserFactory.create(username="seydou", role=Role.COMMISSION_OFFICER)
    kept, absorbed = twins()
    CombatantFactory.create(given_name="Moussa", family_name="Maïga", birth_year=1985, place_of_birth="Kidal")

    _sign_in(page, live_server, "seydou")
    page.get_by_test_id("nav-registration").click()  # the menu groups pages by phase
    page.get_by_role("link", name="Doublons").click()
    expect(page.get_by_role("heading", name="Doublons probables")).to_be_visible()
    page.get_by_test_id("duplicate-run").click()
    expect(page.get_by_text("La recherche tourne en arrière-plan")).to_be_visible()
    expect(page.get_by_test_id("duplicate-job").locator("[data-status]")).to_have_attribute(
        "data-status", "done", timeout=60_000
    )
    # The search says what it found, not only "100 / 100".
    expect(page.get_by_test_id("duplicate-job")).to_contain_text("1 paire trouvée,")

    page.get_by_test_id("nav-registration").click()  # the menu groups pages by phase
    page.get_by_role("link", name="Doublons").click()
    rows = page.get_by_test_id("duplicate-pairs").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ag Intallah")
    expect(rows.first).to_contain_text("mouvement")  # a reason against, in French
    rows.first.get_by_role("link", name="Comparer").click()

    cards = page.get_by_test_id("side-by-side")
    expect(cards).to_contain_text(kept.registration_number)
    expect(cards).to_contain_text(absorbed.registration_number)
    page.get_by_test_id("decide-same").click()
    expect(page.get_by_text("Fusionné : une seule personne")).to_be_visible()
    assert Combatant.objects.get(pk=absorbed.pk).merged_into_id == kept.pk

    # The merged page: who merged and when, the undo first.
    expect(page.get_by_test_id("merged")).to_contain_text("Fusionné par seydou")
    page.get_by_test_id("merge-undo").click()
    expect(page.get_by_role("alert")).to_contain_text("Fusion annulée")
    assert Combatant.objects.get(pk=absorbed.pk).status == "registered"
    assert DuplicatePair.objects.get().status == "open"  # back in the queue, to be decided anew
    expect(page.get_by_test_id("decide-different")).to_be_visible()
