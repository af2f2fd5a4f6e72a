"""An administrator changes the eligibility rules in French: a draft, its what-if, activation,
and the recomputation on the real worker with its progress bar."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Combatant, EligibilityRun, RuleSet

from ..factories import CombatantFactory, RuleSetFactory, UserFactory
from .test_home import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENED = {"medical_status": "fit", "vetting_status": "clear"}


def test_administrator_drops_the_weapon_requirement_sees_the_effect_and_activates_it(
    page: Page, live_server: Any, celery_worker_process: Any
) -> None:
    UserFactory.create(username="aminata", role=Role.ADMINISTRATOR)
    in_force = RuleSetFactory.create(name="Critères 2018", status=RuleSet.Status.ACTIVE)
    decided = {"pathway_ruleset": in_force, "status": "screened", **SCREENED}
    unarmed = CombatantFactory.create_batch(
        4, has_weapon=False, pathway="reinsertion", pathway_reason="no_weapon", **decided
    )
    CombatantFactory.create_batch(3, pathway="integration_army", pathway_reason="category_rule", **decided)

    _sign_in(page, live_server, "aminata")
    page.get_by_test_id("nav-registration").click()  # the menu groups pages by phase
    page.get_by_role("link", name="Règles").click()
    expect(page.get_by_role("heading", name="Jeux de règles d'éligibilité")).to_be_visible()
    page.get_by_test_id("ruleset-new").click()

    # The draft starts as a copy of the rules in force; the weapon requirement is dropped.
    weapon = page.get_by_label("L'intégration exige une arme")
    expect(weapon).to_be_checked()
    weapon.uncheck()
    page.get_by_label("Nom", exact=True).fill("Critères 2019")
    page.get_by_test_id("ruleset-save").click()
    expect(page.get_by_test_id("requires-weapon")).to_have_text("non")
    expect(page.get_by_test_id("category-pathways")).to_contain_text(
        "Combattant avec arme → Intégration : forces armées"
    )

    page.get_by_test_id("ruleset-what-if").click()
    expect(page.get_by_test_id("what-if-summary")).to_have_text("4 personnes sur 7 changeraient de parcours.")
    row = page.get_by_test_id("what-if-transitions").locator("tbody tr").first
    expect(row).to_contain_text("Réinsertion socio-économique (DDR)")
    expect(row).to_contain_text("Intégration : forces armées")
    assert Combatant.objects.filter(pathway="reinsertion").count() == 4  # a what-if changes nothing

    page.get_by_role("link", name="Retour au jeu de règles").click()
    page.get_by_test_id("ruleset-activate-confirm").check()
    page.get_by_test_id("ruleset-activate").click()

    # The recomputation runs on the worker; the page polls the progress bar until it is done.
    expect(page.get_by_test_id("run-progress").locator("progress")).to_be_visible()
    expect(page.get_by_test_id("run-summary")).to_contain_text("4 décisions modifiées", timeout=60_000)
    expect(page.get_by_test_id("run-progress").locator("progress")).to_have_attribute("value", "100")

    draft = RuleSet.objects.get(name="Critères 2019")
    assert draft.status == RuleSet.Status.ACTIVE
    assert RuleSet.objects.get(pk=in_force.pk).status == RuleSet.Status.RETIRED
    assert EligibilityRun.objects.get(ruleset=draft).changed == 4
    for person in unarmed:
        person.refresh_from_db()
        assert (person.pathway, person.pathway_ruleset_id) == ("integration_army", draft.pk)
        assert person.history.filter(history_change_reason=f"rule set {draft.pk}").count() == 1
