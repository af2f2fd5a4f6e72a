"""Consent on the person's page, the printed declaration, the subject-access file (PDF and JSON,
logged, refused by role, region and childhood) and the texts' page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from core.models import ExportLog
from ddr.accountability.appeals.models import Appeal
from ddr.accountability.consent import services
from ddr.accountability.consent.models import ConsentRecord, ConsentText
from ddr.models import Category

from ...factories import CombatantFactory, region
from .appeals_setup import filed, medical
from .consent_setup import answer, scan, text
from .grievance_fixtures import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_person_page_says_consent_is_missing_and_records_it(commission_client: Any, media: Path) -> None:
    person = CombatantFactory.create()
    url = reverse("ddr:person-detail", args=[person.pk])
    assert 'data-testid="consent-missing"' in commission_client.get(url).content.decode()
    response = commission_client.post(
        reverse("ddr:consent-record", args=[person.pk]),
        {
            "consent-kind": "declaration",
            "consent-text_language": "fr",
            "consent-language": "tmh",
            "consent-outcome": "thumbprint",
            "consent-recorded_on": "2024-05-02",
            "consent-scan": scan("scan.pdf"),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#accountability")
    assert ConsentRecord.objects.get(combatant=person).language == "tmh"
    page = commission_client.get(url).content.decode()
    assert 'data-testid="consent-missing"' not in page and 'data-testid="consent-records"' in page


def test_a_language_without_an_active_text_is_a_form_error(commission_client: Any) -> None:
    person = CombatantFactory.create()
    response = commission_client.post(
        reverse("ddr:consent-record", args=[person.pk]),
        {
            "consent-kind": "declaration",
            "consent-text_language": "ff",
            "consent-language": "ff",
            "consent-outcome": "signed",
            "consent-recorded_on": "2024-05-02",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "No active version" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_bad_scan_on_the_page_is_a_form_error(commission_client: Any, media: Path) -> None:
    person = CombatantFactory.create()
    response = commission_client.post(
        reverse("ddr:consent-record", args=[person.pk]),
        {
            "consent-kind": "declaration",
            "consent-text_language": "fr",
            "consent-language": "fr",
            "consent-outcome": "signed",
            "consent-recorded_on": "2024-05-02",
            "consent-scan": scan("virus.pdf", b"MZ\x90"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "must be a PDF or an image" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_the_tab_costs_two_queries(
    commission_client: Any, commission_officer: Any, django_assert_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = CombatantFactory.create()
    url = reverse("ddr:person-detail", args=[person.pk])
    with CaptureQueriesContext(connection) as before:
        commission_client.get(url)
    for _ in range(5):
        services.consent_record(person=person, text=text(), by=commission_officer, **answer())
        services.consent_withdraw(
            person=person,
            scope="sharing",
            partner=f"ONG {_}",
            withdrawn_on=dt.date.today(),
            by=commission_officer,
        )
    with CaptureQueriesContext(connection) as after:
        commission_client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


# --- the printed declaration --------------------------------------------------------------------


def test_declaration_pdf_in_the_language_chosen_is_logged(
    commission_client: Any, commission_officer: Any
) -> None:
    person = CombatantFactory.create()
    response = commission_client.get(reverse("ddr:consent-declaration", args=[person.pk]) + "?language=en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    log = ExportLog.objects.get()
    assert (log.user, log.what, log.file_format, log.identity, log.row_count) == (
        commission_officer,
        "consent-declaration",
        "pdf",
        True,
        1,
    )
    assert f"person={person.pk}" in log.filters


def test_declaration_html_has_the_person_the_text_and_the_blocks(rf: Any) -> None:
    from ddr.accountability.consent.pdf import declaration_html

    person = CombatantFactory.create(family_name="Maïga", given_name="Hamadoun")
    html = declaration_html(
        rf.get("/"), person, list(ConsentText.objects.filter(language="fr", active=True)), "fr"
    )
    assert "Maïga" in html and person.registration_number in html and "GATIA" in html
    assert "Déclaration de participation volontaire" in html and "de mon plein gré" in html
    assert html.count('class="block"') == 5  # person, officer, witness; person and officer for the notice


def test_declaration_in_a_language_without_text_redirects_with_a_message(commission_client: Any) -> None:
    person = CombatantFactory.create()
    response = commission_client.get(reverse("ddr:consent-declaration", args=[person.pk]) + "?language=ar")
    assert response.status_code == 302 and not ExportLog.objects.exists()


# --- subject access -------------------------------------------------------------------------------


def test_subject_access_json_has_every_section_and_is_logged(
    commission_client: Any, commission_officer: Any, media: Path
) -> None:
    person = CombatantFactory.create(biometric_ref="BIO-9")
    person.documents.create(kind="nina", number="NINA-1")
    services.consent_record(person=person, text=text(), by=commission_officer, **answer())
    services.consent_withdraw(
        person=person, scope="biometric", withdrawn_on=dt.date.today(), by=commission_officer
    )
    response = commission_client.get(reverse("ddr:consent-subject-access", args=[person.pk]) + "?format=json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    keys = [s["key"] for s in data["sections"]]
    for key in (
        "record",
        "documents",
        "weapons",
        "handed_in",
        "lists",
        "eligibility",
        "age_assessments",
        "medical_exams",
        "child_referral",
        "stays",
        "choices",
        "profile",
        "enrolments",
        "entitlements",
        "payments",
        "distributions",
        "follow_ups",
        "integration_candidacies",
        "unit_memberships",
        "cvr",
        "merges",
        "consent_records",
        "consent_withdrawals",
        "retained",
        "history",
    ):
        assert key in keys, key
    sections = {s["key"]: s for s in data["sections"]}
    assert sections["record"]["items"][0]["registration_number"] == person.registration_number
    assert "name_key" not in sections["record"]["items"][0]
    assert sections["documents"]["items"][0]["number"] == "NINA-1"
    assert sections["consent_records"]["items"][0]["outcome"] == "thumbprint"
    assert sections["consent_withdrawals"]["items"][0]["scope"] == "biometric"
    assert any(e["reason"].startswith("biometric reference cleared") for e in sections["history"]["items"])
    log = ExportLog.objects.get()
    assert (log.user, log.what, log.file_format, log.identity) == (
        commission_officer,
        "subject-access",
        "json",
        True,
    )


def test_subject_access_pdf_is_a_pdf_and_logged(commission_client: Any) -> None:
    person = CombatantFactory.create()
    response = commission_client.get(reverse("ddr:consent-subject-access", args=[person.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert ExportLog.objects.get().file_format == "pdf"


def test_subject_access_holds_the_grievances_and_appeals_the_person_made(
    commission_client: Any, commission_officer: Any
) -> None:
    person = CombatantFactory.create()
    receive(
        commission_officer,
        complainant_kind="person",
        complainant_person=person,
        description="Ma prime de réinsertion n'est jamais arrivée.",
    )
    receive(
        commission_officer,
        category="gbv",
        complainant_kind="person",
        complainant_person=person,
        description="Zzsecretxq",
    )
    exam = medical(commission_officer, person)
    filed(Appeal.Kind.MEDICAL, exam.pk, commission_officer)
    response = commission_client.get(reverse("ddr:consent-subject-access", args=[person.pk]) + "?format=json")
    sections = {s["key"]: s for s in json.loads(response.content)["sections"]}
    made = sections["grievances"]["items"]
    assert len(made) == 2 and sections["grievances"]["labels"]["answer"]
    assert {g.get("description") for g in made} == {"Ma prime de réinsertion n'est jamais arrivée.", None}
    assert "Zzsecretxq" not in response.content.decode()  # the focal point holds the sensitive one
    assert [a["decision"] for a in sections["appeals"]["items"]] == [str(Appeal.Kind.MEDICAL.label)]
    keys = list(sections)
    assert keys.index("appeals") == len(keys) - 2 and keys[-1] == "history"
    pdf = commission_client.get(reverse("ddr:consent-subject-access", args=[person.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_subject_access_refusals(
    analyst_client: Any,
    gao_client: Any,
    commission_client: Any,
    child_protection_client: Any,
    admin_client: Any,
) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    gao = CombatantFactory.create(region=region("GAO"))
    child = CombatantFactory.create(category=Category.CHILD, birth_year=dt.date.today().year - 15)

    def status(client: Any, person: Any) -> int:
        return int(
            client.get(reverse("ddr:consent-subject-access", args=[person.pk]) + "?format=json").status_code
        )

    assert status(analyst_client, gao) == 403
    assert status(gao_client, kidal) == 404 and status(gao_client, gao) == 200
    assert status(commission_client, child) == 404 and status(admin_client, child) == 404
    assert status(child_protection_client, child) == 200 and status(child_protection_client, gao) == 404
    assert status(commission_client, kidal) == 200 and status(admin_client, kidal) == 200
    # Only the reads that were answered are logged.
    assert ExportLog.objects.filter(what="subject-access").count() == 4


def test_withdrawal_and_photo_pages_refuse_another_region(gao_client: Any) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    for name in ("consent-record", "consent-withdraw", "consent-photo"):
        assert gao_client.post(reverse(f"ddr:{name}", args=[kidal.pk]), {}).status_code == 404
    assert gao_client.get(reverse("ddr:consent-declaration", args=[kidal.pk])).status_code == 404


def test_withdrawal_page_records_and_refuses_twice(commission_client: Any) -> None:
    person = CombatantFactory.create(biometric_ref="BIO-1")
    form = {"withdrawal-scope": "biometric", "withdrawal-withdrawn_on": dt.date.today().isoformat()}
    url = reverse("ddr:consent-withdraw", args=[person.pk])
    assert commission_client.post(url, form).status_code == 302
    again = commission_client.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400 and "already withdrawn" in again.content.decode()


# --- texts ------------------------------------------------------------------------------------


def test_administrator_adds_and_activates_a_version(admin_client: Any, commission_client: Any) -> None:
    url = reverse("ddr:consent-text-list")
    bad = admin_client.post(url, {"kind": "declaration", "language": "tmh", "title": "T", "body": "B"})
    assert bad.status_code == 400 and not ConsentText.objects.filter(language="tmh").exists()
    made = admin_client.post(
        url, {"kind": "declaration", "language": "tmh", "title": "T", "body": "B", "translator": "Ag Intalla"}
    )
    assert made.status_code == 302
    version = ConsentText.objects.get(language="tmh")
    assert commission_client.post(reverse("ddr:consent-text-activate", args=[version.pk])).status_code == 403
    assert commission_client.post(url, {"kind": "declaration"}).status_code == 404
    assert admin_client.post(reverse("ddr:consent-text-activate", args=[version.pk])).status_code == 302
    version.refresh_from_db()
    assert version.active
    assert commission_client.get(url).status_code == 200


def test_person_list_filters_people_without_consent(commission_client: Any, commission_officer: Any) -> None:
    done = CombatantFactory.create(family_name="Recorded")
    CombatantFactory.create(family_name="Missing")
    services.consent_record(person=done, text=text(), by=commission_officer, **answer())
    page = commission_client.get(reverse("ddr:person-list"), {"consent_missing": "on"}).content.decode()
    assert "Missing" in page and "Recorded" not in page


def test_a_server_without_pango_answers_503_and_logs_nothing(commission_client: Any, monkeypatch: Any) -> None:
    from core import pdf as core_pdf
    from ddr.accountability.consent import views

    def unavailable(html: str) -> bytes:
        raise core_pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(views, "html_to_pdf", unavailable)
    person = CombatantFactory.create()
    response = commission_client.get(reverse("ddr:consent-subject-access", args=[person.pk]))
    assert response.status_code == 503 and b"libpango" in response.content
    assert not ExportLog.objects.exists()
