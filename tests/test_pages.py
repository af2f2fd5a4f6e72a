from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from programme.work_queue import WORK

from .factories import CombatantFactory, ProjectFactory, SiteFactory, UnitFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_home_page_is_french_by_default_with_french_numbers(commission_client: Any) -> None:
    CombatantFactory.create_batch(3)
    ProjectFactory.create(budget_usd=1234567)
    page = commission_client.get(reverse("programme:home")).content.decode()
    assert '<html lang="fr">' in page
    assert "Le programme en un coup d" in page
    assert "1\xa0234\xa0567" in page  # French thousands separator (non-breaking space)


def test_english_switch(commission_client: Any) -> None:
    response = commission_client.post(reverse("core:set_language"), {"language": "en", "next": "/"}, follow=True)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "The programme at a glance" in page
    translation.activate("fr")


def test_home_page_query_count_is_constant(
    commission_client: Any, django_assert_max_num_queries: Any
) -> None:
    CombatantFactory.create_batch(5)
    SiteFactory.create_batch(3)
    UnitFactory.create_batch(2)
    ProjectFactory.create_batch(3)
    # The summary's reads, and one bounded count per kind of work the officer does (the queue).
    with django_assert_max_num_queries(12 + len(WORK) - 1) as small:
        commission_client.get(reverse("programme:home"))
    CombatantFactory.create_batch(30)
    ProjectFactory.create_batch(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        commission_client.get(reverse("programme:home"))


def test_lists_render_for_each_app(commission_client: Any) -> None:
    SiteFactory.create(name="Tabankort")
    UnitFactory.create(name="BATFAR Kidal")
    ProjectFactory.create(title="Puits pastoral")
    assert "Tabankort" in commission_client.get(reverse("cantonment:site-list")).content.decode()
    assert "BATFAR Kidal" in commission_client.get(reverse("integration:unit-list")).content.decode()
    assert "Puits pastoral" in commission_client.get(reverse("cvr:project-list")).content.decode()


def test_person_search_by_name_or_number(commission_client: Any) -> None:
    target = CombatantFactory.create(family_name="Ag Intallah")
    CombatantFactory.create(family_name="Touré")
    page = commission_client.get(reverse("ddr:person-list"), {"q": "intallah"}).content.decode()
    assert "Ag Intallah" in page and "Touré" not in page
    page = commission_client.get(reverse("ddr:person-list"), {"q": target.registration_number}).content.decode()
    assert "Ag Intallah" in page


def test_pages_reference_no_external_origin(commission_client: Any) -> None:
    """No CDN: every script, style, font and image comes from our own server."""
    external = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)
    for template in (ROOT / "templates").rglob("*.html"):
        assert not external.search(template.read_text()), template
    page = commission_client.get(reverse("programme:home"))
    assert not external.search(page.content.decode())
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_vendored_assets_are_served() -> None:
    for asset in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
    ):
        assert (ROOT / "static" / asset).stat().st_size > 10_000
    htmx = (ROOT / "static/vendor/htmx/htmx.min.js").read_text()
    assert 'version:"2.' in htmx.replace(" ", "")


def test_every_table_header_names_its_column() -> None:
    """A screen reader announces each column by its header: an action or bar column has a label too,
    at least a visually hidden one."""
    header = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)
    empty = []
    for template in (ROOT / "templates").rglob("*.html"):
        for found in header.finditer(template.read_text()):
            # Tags and conditions say nothing; a {% translate %} or a {{ value }} does.
            words = re.sub(r"<[^>]*>|\{%\s*(?:end)?(?:if|elif|else|for|with)\b[^%]*%\}", "", found.group(1))
            words = words.strip()
            if not words:
                empty.append(f"{template.relative_to(ROOT)}: {found.group(0)}")
    assert not empty, "\n".join(empty)
