"""A person's reinsertion from end to end, in French: an officer enrols them in a package and
prepares the payment batch; a second officer approves it (four eyes), sends it to the provider and
reconciles the provider's statement on the worker; the person's 3-month follow-up is recorded."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Combatant, Entitlement, FollowUp, Pathway, PaymentLine

from ..factories import CombatantFactory, PackageFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_enrol_pay_through_a_batch_approved_by_another_reconcile_and_follow_up(
    page: Page, live_server: Any, celery_worker_process: Any
) -> None:
    UserFactory.create(
        username="seydou", first_name="Seydou", last_name="Keïta", role=Role.COMMISSION_OFFICER
    )
    UserFactory.create(username="awa", first_name="Awa", last_name="Konaté", role=Role.COMMISSION_OFFICER)
    person = CombatantFactory.create(
        pathway=Pathway.REINSERTION, status=Combatant.Status.ORIENTED, vetting_status="clear"
    )
    package = PackageFactory.create(name="Filet de sécurité DDR")
    enrolled_on = timezone.localdate() - dt.timedelta(days=100)

    # Seydou enrols the person from their page.
    sign_in(page, live_server.url, "seydou")
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_test_id("tab-reintegration").click()
    form = page.get_by_test_id("enrol-form")
    form.get_by_label("Paquet").select_option(label=str(package))
    form.get_by_label("Inscrit le").fill(enrolled_on.isoformat())
    page.get_by_test_id("enrol").click()
    page.get_by_test_id("tab-reintegration").click()
    expect(page.get_by_test_id("entitlements")).to_contain_text("75")
    assert Entitlement.objects.filter(combatant=person).count() == 3

    # He prepares the batch of the first tranche; he cannot approve his own batch.
    page.goto(live_server.url + "/paiements/preparer/")
    page.get_by_label("Paquet").select_option(label=str(package))
    page.get_by_label("Échu au").fill((enrolled_on + dt.timedelta(days=10)).isoformat())
    page.get_by_label("Canal").select_option(label="Espèces par un partenaire")
    page.get_by_label("Prestataire de paiement").fill("BNDA Gao")
    page.get_by_test_id("batch-prepare").click()
    expect(page.get_by_test_id("batch-lines")).to_contain_text("1 —")
    expect(page.get_by_test_id("batch-waiting")).to_be_visible()
    expect(page.get_by_test_id("batch-approve")).to_have_count(0)
    batch_url = page.url

    # Awa approves it, downloads the provider's file and brings back its statement.
    sign_in(page, live_server.url, "awa")
    page.goto(batch_url)
    page.get_by_test_id("batch-approve").click()
    expect(page.get_by_test_id("batch-approver")).to_contain_text("Awa Konaté")
    with page.expect_download() as download:
        page.get_by_test_id("batch-export-csv").click()
    sent = list(csv.DictReader(open(download.value.path(), encoding="utf-8-sig"), delimiter=";"))
    assert len(sent) == 1 and sent[0]["amount"] == "75000"
    statement = io.StringIO()
    writer = csv.writer(statement, delimiter=";")
    writer.writerow(["reference", "amount", "currency", "status", "paid_on", "provider_reference"])
    writer.writerow(
        [sent[0]["reference"], "75000", "XOF", "paid", timezone.localdate().isoformat(), "BNDA-0001"]
    )
    page.goto(batch_url)
    page.get_by_label("Relevé du prestataire (CSV ou XLSX)").set_input_files(
        {"name": "releve.csv", "mimeType": "text/csv", "buffer": statement.getvalue().encode()}
    )
    page.get_by_test_id("statement-submit").click()
    expect(page.get_by_test_id("statement-paid")).to_have_text("1", timeout=30_000)
    line = PaymentLine.objects.get(combatant=person)
    assert (line.status, line.provider_reference) == ("paid", "BNDA-0001")

    # The 3-month follow-up, recorded from the person's page.
    page.goto(live_server.url + "/suivis/")
    page.get_by_test_id("follow-up-plan").click()
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_test_id("tab-reintegration").click()
    page.get_by_test_id("person-follow-up-record").first.click()
    page.get_by_label("Date du suivi").fill(timezone.localdate().isoformat())
    page.get_by_label("Visite").check()
    page.get_by_label("Activité en cours").select_option(label="Oui")
    page.get_by_label("Revenu").select_option(index=2)
    page.get_by_label("Acceptation sociale").select_option(index=1)
    page.get_by_label("Incident de sécurité depuis le dernier suivi").select_option(label="Non")
    page.get_by_test_id("follow-up-save").click()
    done = FollowUp.objects.get(combatant=person, month=3)
    assert (done.status, done.mode, done.activity_running) == ("done", "visit", True)
    assert Entitlement.objects.get(combatant=person, component__position=1).state == "paid"
