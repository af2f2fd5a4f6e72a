"""The menu: grouped by phase, each role sees only what it may open, the current page marked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role

from .factories import CombatantFactory, UserFactory

pytestmark = pytest.mark.django_db


def _menu(client: Client, url: str = "/") -> str:
    page = client.get(url).content.decode()
    return page[page.index('<ul class="navbar-nav me-auto">') : page.index('data-testid="current-user"')]


def _hrefs(menu: str) -> set[str]:
    return set(re.findall(r'href="(/[^"]*)"', menu))


def test_each_role_sees_the_links_it_may_open(
    commission_client: Any, gao_client: Any, analyst_client: Any, child_protection_client: Any
) -> None:
    focal = Client()
    focal.force_login(UserFactory.create(role=Role.FOCAL_POINT))
    people, budget, referrals = (
        reverse("ddr:person-list"),
        reverse("ddr:reintegration-budget"),
        reverse("ddr:referral-list"),
    )
    sites, grievances = reverse("cantonment:site-list"), reverse("ddr:grievance-list")
    seen = {
        name: _hrefs(_menu(c))
        for name, c in [
            ("commission", commission_client),
            ("gao", gao_client),
            ("analyst", analyst_client),
            ("protection", child_protection_client),
            ("focal", focal),
        ]
    }
    assert {people, budget, sites, grievances} <= seen["commission"] and referrals not in seen["commission"]
    assert {people, sites} <= seen["gao"] and budget not in seen["gao"]
    assert people not in seen["analyst"] and grievances not in seen["analyst"] and sites in seen["analyst"]
    assert referrals in seen["protection"]
    assert seen["focal"] == {"/", reverse("programme:dashboard"), grievances}
    # Every link shown opens for that role (the menu never offers a 403).
    for name, client in [("gao", gao_client), ("analyst", analyst_client), ("focal", focal)]:
        for href in seen[name]:
            assert client.get(href).status_code == 200, (name, href)


def test_the_current_page_and_its_group_are_marked(commission_client: Any) -> None:
    person = CombatantFactory.create()
    menu = _menu(commission_client, reverse("ddr:person-detail", args=[person.pk]))
    current = re.findall(r'<a class="[^"]*active[^"]*" href="([^"]+)" aria-current="page"', menu)
    assert current == [reverse("ddr:person-list")]  # a person's page is under the people
    group = re.search(r'<a class="nav-link dropdown-toggle[^"]* active"[^>]*data-testid="([^"]+)"', menu)
    assert group and group.group(1) == "nav-registration"
    home = _menu(commission_client)
    assert re.findall(r'href="([^"]+)" aria-current="page"', home) == ["/"]
