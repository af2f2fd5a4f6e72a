"""An appeal against a medical result, in French: filed from the person's page, its hearing set;
the doctor's colleague who recorded the result cannot overturn it, another officer does, and the
person's fitness and case timeline show it. The appeal's page fits a phone (390 px)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Appeal, MedicalExam
from ddr.screening import services as screening

from ..factories import CombatantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_a_medical_result_contested_from_the_person_page_and_overturned(page: Page, live_server: Any) -> None:
    awa = UserFactory.create(
        username="awa", first_name="Awa", last_name="Konaté", role=Role.COMMISSION_OFFICER
    )
    UserFactory.create(
        username="seydou", first_name="Seydou", last_name="Keïta", role=Role.COMMISSION_OFFICER
    )
    person = CombatantFactory.create(family_name="Ag Mohamed", medical_status="unfit")
    exam = screening.medical_record(
        person=person,
        examined_on=timezone.localdate() - dt.timedelta(days=20),
        examiner="Dr Coulibaly",
        result="unfit",
        final=True,
        by=awa,
    )

    # Awa files the appeal from the person's page and sets the hearing.
    sign_in(page, live_server.url, "awa")
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_test_id("tab-accountability").click()
    form = page.get_by_test_id("appeal-form")
    form.locator("select[name=decision]").select_option(f"medical:{exam.pk}")
    form.locator("textarea[name=grounds]").fill("Blessure ancienne guérie : demande une contre-expertise.")
    form.locator("input[name=deciding_body]").fill("Commission médicale de recours")
    page.get_by_test_id("appeal-file").click()
    expect(page.get_by_test_id("appeal-status")).to_have_attribute("data-status", "filed")
    appeal_url = page.url
    schedule = page.get_by_test_id("appeal-schedule-form")
    schedule.locator("input[name=hearing_on]").fill(timezone.localdate().isoformat())
    page.get_by_test_id("appeal-schedule").click()
    expect(page.get_by_test_id("appeal-status")).to_have_attribute("data-status", "scheduled")

    # She recorded the result: her overturn is refused, and nothing changes.
    decide = page.get_by_test_id("appeal-decide-form")
    decide.locator("select[name=outcome]").select_option("overturned")
    decide.locator("textarea[name=reasons]").fill("Contre-expertise favorable.")
    decide.locator("select[name=new_value]").select_option("fit")
    page.get_by_test_id("appeal-decide").click()
    expect(page.get_by_test_id("appeal-error").first).to_be_visible()
    assert Appeal.objects.get().status == "scheduled" and MedicalExam.objects.count() == 1

    # Seydou decides it: overturned, the person is fit by a new examination in their record.
    sign_in(page, live_server.url, "seydou")
    page.goto(appeal_url)
    decide = page.get_by_test_id("appeal-decide-form")
    decide.locator("select[name=outcome]").select_option("overturned")
    decide.locator("textarea[name=reasons]").fill("Contre-expertise favorable : blessure consolidée.")
    decide.locator("select[name=new_value]").select_option("fit")
    page.get_by_test_id("appeal-decide").click()
    expect(page.get_by_test_id("appeal-status")).to_have_attribute("data-status", "overturned")
    expect(page.get_by_test_id("appeal-new-decision")).to_contain_text("Apte")

    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_test_id("tab-screening").click()
    expect(page.get_by_test_id("medical-status")).to_contain_text("Apte")
    page.get_by_test_id("tab-timeline").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("blessure consolidée")
    expect(timeline).to_contain_text("Apte")
    page.get_by_test_id("tab-accountability").click()
    expect(page.get_by_test_id("person-appeal-rows")).to_contain_text("blessure consolidée")

    # On a phone, the appeal's page fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(appeal_url)
    expect(page.get_by_test_id("appeal-status")).to_be_visible()
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
