"""An officer checks a person in at the Kati transit camp, in French, and sees the occupancy and the
leave-by date; a full site refuses the next person; the map draws Mali and the site."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from cantonment.models import CantonmentStay, Site
from ddr.models import Combatant

from ..factories import CombatantFactory, RuleSetFactory, SiteFactory, UserFactory, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_shows_occupancy_and_leave_by_then_refuses_when_full(page: Page, live_server: Any) -> None:
    UserFactory.create(
        username="hamadoun",
        first_name="Hamadoun",
        last_name="Maïga",
        role=Role.REGIONAL_OFFICER,
        region=region("KOU"),
    )
    RuleSetFactory.create(status="active", effective_from=dt.date(2018, 1, 1), max_stay_days=45)
    site = SiteFactory.create(
        name="Camp de transit de Kati",
        kind=Site.Kind.TRANSIT,
        region=region("KOU"),
        capacity=1,
        places_for_women=0,
        latitude=12.74,
        longitude=-8.07,
    )
    first = CombatantFactory.create(region=region("KOU"), status=Combatant.Status.ORIENTED, family_name="Coulibaly")
    second = CombatantFactory.create(region=region("KOU"), status=Combatant.Status.ORIENTED)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))

    page.goto(live_server.url + "/")
    page.get_by_label("Nom d'utilisateur").fill("hamadoun")
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("nav-cantonment").click()  # the menu groups pages by phase
    page.get_by_role("link", name="Sites", exact=True).click()
    page.get_by_role("link", name="Camp de transit de Kati").click()
    expect(page.get_by_test_id("occupancy")).to_contain_text("0 places occupées sur 1")

    page.get_by_label("Numéro d'enregistrement").fill(first.registration_number)
    page.get_by_role("button", name="Enregistrer l'entrée").click()

    leave_by = timezone.localdate() + dt.timedelta(days=45)
    expect(page.get_by_role("alert")).to_contain_text(f"sortie au plus tard le {leave_by:%d/%m/%Y}")
    expect(page.get_by_test_id("occupancy")).to_contain_text("1 places occupées sur 1")
    stays = page.get_by_test_id("stays")
    expect(stays).to_contain_text("Coulibaly")
    expect(stays.get_by_test_id("leave-by")).to_have_text(f"{leave_by:%d/%m/%Y}")

    page.get_by_label("Numéro d'enregistrement").fill(second.registration_number)
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(page.get_by_role("alert")).to_contain_text("est complet (1 places occupées sur 1)")
    expect(page.get_by_test_id("occupancy")).to_contain_text("1 places occupées sur 1")

    # What the browser showed is what the database holds, audited to the officer.
    stay = CantonmentStay.objects.get()
    assert (stay.combatant_id, stay.site_id, stay.leave_by) == (first.pk, site.pk, leave_by)
    assert stay.history.get().history_user.username == "hamadoun"
    assert Combatant.objects.get(pk=first.pk).status == Combatant.Status.CANTONED

    # The map: Mali's outline from our own static files, the site as a marker with its occupancy.
    page.goto(live_server.url + "/sites/carte/")
    expect(page.locator("#site-map")).to_have_attribute("data-loaded", "1")
    expect(page.locator("path.leaflet-interactive")).to_have_count(10)  # 9 regions + 1 site
    page.locator("path.map-point").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Présents : 1 sur 1 places")
    assert hosts == {urlparse(live_server.url).netloc}  # no tile server, no CDN
    assert errors == []
