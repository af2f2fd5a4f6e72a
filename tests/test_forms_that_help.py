"""Forms that help the officer: dates the browser can show, the officer's region chosen for them,
no risky default (issue 21)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import CombatantFactory, SiteFactory, region

pytestmark = pytest.mark.django_db


def _date_inputs(page: str) -> dict[str, str]:
    """name → value of every `type=date` input of a page."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", page):
        if 'type="date"' in tag and (name := re.search(r'name="([^"]+)"', tag)):
            value = re.search(r'value="([^"]*)"', tag)
            found[name.group(1)] = value.group(1) if value else ""
    return found


def test_today_fills_date_fields_in_the_format_the_browser_reads(
    commission_client: Any, gao_client: Any
) -> None:
    """A French "30/11/2026" in a date picker shows an empty field: the value must be ISO."""
    today = timezone.localdate().isoformat()
    person = CombatantFactory.create(region=region("GAO"))
    site = SiteFactory.create(region=region("GAO"), status="operational")
    pages = {
        "person": commission_client.get(reverse("ddr:person-detail", args=[person.pk])),
        "registration": gao_client.get(reverse("ddr:person-new")),
        "site": commission_client.get(reverse("cantonment:site-detail", args=[site.pk])),
    }
    dates = {name: _date_inputs(response.content.decode()) for name, response in pages.items()}
    assert dates["person"]["assessed_on"] == today and dates["person"]["examined_on"] == today
    assert dates["registration"]["registered_at"] == today
    assert today in dates["site"].values()
    for page, inputs in dates.items():
        for name, value in inputs.items():
            assert value == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), (page, name, value)


def test_a_regional_officer_registers_in_their_region_without_choosing_it(gao_client: Any) -> None:
    page = gao_client.get(reverse("ddr:person-new")).content.decode()
    select = page[page.index('name="region"') : page.index("</select>", page.index('name="region"'))]
    assert re.findall(r"<option[^>]*selected[^>]*>([^<]+)<", select) == ["Gao"]
    assert "Kidal" not in select


def test_a_site_step_is_chosen_on_purpose(commission_client: Any) -> None:
    site = SiteFactory.create(region=region("GAO"), status="operational")
    page = commission_client.get(reverse("cantonment:site-detail", args=[site.pk])).content.decode()
    start = page.index('name="to"')
    steps = page[start : page.index("</select>", start)]
    assert re.findall(r'<option value="(\w*)"', steps)[0] == ""  # "— choisir —", never "closed"
    assert re.findall(r'<option value="(\w*)" selected', steps) == [""]
    unchosen = commission_client.post(reverse("cantonment:site-advance", args=[site.pk]), {"on": "2026-11-02"})
    assert unchosen.status_code == 302
    site.refresh_from_db()
    assert site.status == "operational"  # no step was chosen: nothing happens
