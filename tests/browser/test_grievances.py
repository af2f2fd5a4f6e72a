"""A grievance from receipt to answer, in French: an SMS about a site, received three days ago
(its acknowledgement is late), flagged overdue by the job, assigned to a colleague, answered; the
overdue flag is gone, and stays gone when the job runs again. The same pages at 390 px."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.accountability.grievances import services
from ddr.accountability.grievances.models import Grievance

from ..factories import SiteFactory, UserFactory, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def _fits(page: Page, width: int) -> None:
    """Nothing wider than the phone's screen but what scrolls inside its own box (tables)."""
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, overflow


def test_receive_an_sms_grievance_assign_answer_and_the_overdue_flag_goes(
    page: Page, live_server: Any
) -> None:
    UserFactory.create(
        username="seydou", first_name="Seydou", last_name="Keïta", role=Role.COMMISSION_OFFICER
    )
    UserFactory.create(username="awa", first_name="Awa", last_name="Konaté", role=Role.COMMISSION_OFFICER)
    site = SiteFactory.create(name="Site de Tin-Hama", region=region("GAO"))
    received = timezone.localtime() - dt.timedelta(days=3)

    sign_in(page, live_server.url, "seydou")
    page.get_by_test_id("nav-accountability").click()
    page.get_by_test_id("nav-grievances").click()
    expect(page.get_by_role("heading", name="Plaintes")).to_be_visible()
    page.get_by_test_id("grievance-new").click()
    expect(page.get_by_role("heading", name="Recevoir une plainte")).to_be_visible()
    form = page.get_by_test_id("grievance-form")
    form.locator("[name=received_on]").fill(received.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=channel]").select_option(label="SMS")
    form.locator("[name=complainant_kind]").select_option(label="Une communauté")
    form.locator("[name=contact_phone]").fill("+223 76 12 34 56")
    form.locator("[name=category]").select_option(label="Conditions sur le site")
    form.locator("[name=subject_kind]").select_option(label="Un site")
    form.locator("[name=subject_site]").select_option(label="Site de Tin-Hama")
    form.locator("[name=description]").fill("Pas d'eau potable sur le site depuis trois jours.")
    page.get_by_test_id("grievance-submit").click()
    expect(page.get_by_text("Plainte PL-")).to_have_count(2)  # the message and the heading
    grievance = Grievance.objects.get()
    assert grievance.channel == "sms" and grievance.subject_site == site and grievance.region == site.region
    expect(page.get_by_test_id("overdue")).to_have_count(0)

    # The hourly job finds its acknowledgement late (48 h).
    services.grievances_flag_overdue()
    page.reload()
    expect(page.get_by_test_id("overdue")).to_contain_text("Accusé de réception en retard")
    page.goto(live_server.url + "/plaintes/?overdue=on")
    expect(page.get_by_test_id("grievance-row")).to_have_count(1)
    page.get_by_test_id("grievance-row").get_by_role("link").click()

    # Seydou gives it to Awa, then records the answer given to the community.
    page.get_by_test_id("form-assign").locator("select").select_option(label="Awa Konaté")
    page.get_by_test_id("step-assign").click()
    expect(page.get_by_test_id("grievance-assignee")).to_contain_text("Awa Konaté")
    answer = page.get_by_test_id("form-resolve")
    answer.locator("textarea").fill("Citerne livrée par le génie le lendemain ; le chef de site a rappelé.")
    answer.locator("select").select_option("yes")
    page.get_by_test_id("step-resolve").click()
    expect(page.get_by_test_id("grievance-answer")).to_contain_text("Citerne livrée")
    expect(page.get_by_test_id("overdue")).to_have_count(0)
    expect(page.get_by_test_id("grievance-events")).to_contain_text("Awa Konaté")

    # The job runs again: nothing comes back.
    services.grievances_flag_overdue()
    page.goto(live_server.url + "/plaintes/?overdue=on")
    expect(page.get_by_test_id("grievance-row")).to_have_count(0)
    grievance.refresh_from_db()
    assert grievance.status == "resolved" and not grievance.overdue and grievance.accepted == "yes"

    # On a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/plaintes/")
    expect(page.get_by_test_id("grievance-row")).to_have_count(1)
    _fits(page, 390)
    page.get_by_test_id("grievance-row").get_by_role("link").first.click()
    expect(page.get_by_test_id("grievance-status")).to_be_visible()
    expect(page.get_by_test_id("form-reopen")).to_be_visible()
    _fits(page, 390)
    page.goto(live_server.url + "/plaintes/nouvelle/")
    expect(page.get_by_test_id("grievance-submit")).to_be_visible()
    _fits(page, 390)
