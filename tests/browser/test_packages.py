"""On a phone (390 px wide), in French: an officer reads the package catalogue, enrols a person
from their page, enrols a cohort after its preview, and reads the budget; no page is wider than
the screen (tables scroll inside their own box)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import Role
from ddr.models import Category, Combatant, Enrolment, Entitlement, Pathway, Sex

from ..factories import CombatantFactory, PackageFactory, UserFactory
from .test_home import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_an_officer_enrols_a_person_and_a_cohort_on_a_phone(page: Page, live_server: Any) -> None:
    page.set_viewport_size(PHONE)
    UserFactory.create(username="fatoumata", role=Role.COMMISSION_OFFICER)
    package = PackageFactory.create(name="Projet FAGA", women_only=True)
    oriented = {"status": Combatant.Status.ORIENTED, "pathway": Pathway.REINSERTION}
    women = {"sex": Sex.FEMALE, "category": Category.WOMAN_ASSOCIATED, **oriented}
    first = CombatantFactory.create(**women)
    CombatantFactory.create_batch(3, **women)
    CombatantFactory.create_batch(2, **oriented)  # men: left out of a women-only package

    _sign_in(page, live_server, "fatoumata")
    page.goto(f"{live_server.url}/reinsertion/paquets/")
    expect(page.get_by_test_id(f"package-{package.code}")).to_contain_text("Projet FAGA")
    expect(page.get_by_test_id(f"package-{package.code}")).to_contain_text("250")
    _fits(page)

    page.goto(f"{live_server.url}/personnes/{first.pk}/")
    page.get_by_test_id("tab-reintegration").click()
    page.get_by_test_id("enrol-form").locator("select").select_option(str(package.pk))
    page.get_by_test_id("enrol").click()
    expect(page.get_by_test_id("entitlements")).to_contain_text("75")
    _fits(page)
    assert Entitlement.objects.filter(combatant=first).count() == 3

    page.goto(f"{live_server.url}/reinsertion/inscription-groupee/?package={package.pk}")
    page.get_by_test_id("cohort-preview").click()
    expect(page.get_by_test_id("left-out").locator("tr[data-reason='women_only'] td.num")).to_have_text("2")
    expect(page.get_by_test_id("left-out").locator("tr[data-reason='already'] td.num")).to_have_text("1")
    _fits(page)
    page.get_by_test_id("cohort-confirm").click()
    expect(page.get_by_test_id("enrolled")).to_contain_text("4")
    assert Enrolment.objects.count() == 4

    page.goto(f"{live_server.url}/reinsertion/budget/")
    expect(page.get_by_test_id(f"package-{package.code}")).to_contain_text("1")
    _fits(page)
