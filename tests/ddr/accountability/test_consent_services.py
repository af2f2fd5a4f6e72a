"""Consent services: recording an answer and its refusals (nothing changed), the texts' versions,
withdrawals that remove what they cover, and a new photo refused until consent is given again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from core.errors import Refused
from ddr.accountability.consent import services
from ddr.accountability.consent.models import ConsentRecord, ConsentText, ConsentWithdrawal
from ddr.models import Combatant

from ...factories import CombatantFactory, group, region
from .consent_setup import answer, image, scan, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def with_photo(officer: Any) -> Combatant:
    person = CombatantFactory.create(biometric_ref="BIO-77")
    return services.person_photo_replace(person=person, photo=image(), by=officer)


# --- recording --------------------------------------------------------------------------------


def test_the_migration_ships_french_and_english_texts_active() -> None:
    shipped = set(ConsentText.objects.filter(active=True).values_list("kind", "language"))
    assert {
        ("declaration", "fr"),
        ("declaration", "en"),
        ("data_notice", "fr"),
        ("data_notice", "en"),
    } <= shipped


def test_record_a_thumbprint_read_in_bambara_from_the_french_text(
    commission_officer: Any, media: Path
) -> None:
    person = CombatantFactory.create()
    record = services.consent_record(
        person=person, text=text(), scan=scan(), by=commission_officer, **answer()
    )
    assert (record.language, record.outcome, record.text.language) == ("bm", "thumbprint", "fr")
    assert record.read_by == record.recorded_by == commission_officer
    assert record.scan.name.endswith(".pdf") and (media / record.scan.name).exists()
    assert record.history.get().history_user == commission_officer


def test_a_version_that_is_not_active_is_refused(commission_officer: Any, administrator: Any) -> None:
    old = text()
    new = services.consent_text_create(
        kind="declaration", language="fr", title="Déclaration v2", body="Texte révisé.", by=administrator
    )
    services.consent_text_activate(text=new, by=administrator)
    old.refresh_from_db()
    assert not old.active and old.retired_on is not None and new.version == old.version + 1
    person = CombatantFactory.create()
    with pytest.raises(Refused) as refused:
        services.consent_record(person=person, text=old, by=commission_officer, **answer())
    assert refused.value.field == "text"
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("formulaire.pdf", b"MZ\x90\x00 an executable"),
        ("formulaire.docx", b"PK\x03\x04"),
        ("scan.jpg", b"%PDF-1.4"),
    ],
)
def test_a_scan_that_is_not_a_pdf_or_image_is_refused(
    commission_officer: Any, media: Path, name: str, data: bytes
) -> None:
    person = CombatantFactory.create()
    with pytest.raises(Refused) as refused:
        services.consent_record(
            person=person, text=text(), scan=scan(name, data), by=commission_officer, **answer()
        )
    assert refused.value.field == "scan"
    assert not ConsentRecord.objects.exists() and not list(media.rglob("*.*"))


def test_other_refusals_change_nothing(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"recorded_on": dt.date.today() + dt.timedelta(days=2)}, "recorded_on"),
        ({"outcome": "maybe"}, "outcome"),
        ({"language": "xx"}, "language"),
        ({"outcome": "refused", "restores": "photo"}, "restores"),
        ({"restores": "sharing"}, "partner"),
    ]
    for overrides, field in cases:
        with pytest.raises(Refused) as refused:
            services.consent_record(person=person, text=text(), by=commission_officer, **answer(**overrides))
        assert refused.value.field == field
    assert not ConsentRecord.objects.exists()


def test_a_text_in_a_malian_language_names_its_translator(administrator: Any) -> None:
    with pytest.raises(Refused) as refused:
        services.consent_text_create(
            kind="declaration", language="bm", title="Dantigɛli", body="...", by=administrator
        )
    assert refused.value.field == "translator"
    made = services.consent_text_create(
        kind="declaration",
        language="bm",
        title="Dantigɛli",
        body="...",
        translator="Bakary Coulibaly",
        by=administrator,
    )
    assert (made.version, made.active) == (1, False)
    services.consent_text_activate(text=made, by=administrator)
    assert ConsentText.objects.filter(kind="declaration", language="bm", active=True).get() == made
    with pytest.raises(Refused):
        services.consent_text_activate(text=made, by=administrator)


# --- withdrawal -------------------------------------------------------------------------------


def test_withdrawing_the_photo_removes_it_from_the_card_and_from_storage(
    commission_officer: Any, commission_client: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    person = with_photo(commission_officer)
    stored = person.photo.name
    card = commission_client.get(reverse("ddr:person-card", args=[person.pk])).content.decode()
    assert person.photo.url in card and default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(
            person=person,
            scope="photo",
            withdrawn_on=dt.date.today(),
            reason="Ne veut pas",
            by=commission_officer,
        )
    person.refresh_from_db()
    assert not person.photo and not default_storage.exists(stored)
    card = commission_client.get(reverse("ddr:person-card", args=[person.pk])).content.decode()
    assert stored not in card and "no-photo" in card
    # The history keeps that it was removed, and by whom; the withdrawal is kept.
    last = person.history.first()
    assert (
        last.history_change_reason == "photo removed: consent withdrawn"
        and last.history_user == commission_officer
    )
    assert ConsentWithdrawal.objects.get(combatant=person).scope == "photo"
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk])).content.decode()
    assert 'data-testid="consent-restrictions"' in page and 'data-testid="consent-retained"' in page


def test_a_refused_withdrawal_keeps_the_photo(commission_officer: Any, media: Path) -> None:
    person = with_photo(commission_officer)
    with pytest.raises(Refused):
        services.consent_withdraw(
            person=person,
            scope="photo",
            withdrawn_on=dt.date.today() + dt.timedelta(days=3),
            by=commission_officer,
        )
    person.refresh_from_db()
    assert (
        person.photo and default_storage.exists(person.photo.name) and not ConsentWithdrawal.objects.exists()
    )


def test_withdrawing_the_biometric_reference_clears_it(commission_officer: Any) -> None:
    person = CombatantFactory.create(biometric_ref="BIO-42")
    services.consent_withdraw(
        person=person, scope="biometric", withdrawn_on=dt.date.today(), by=commission_officer
    )
    person.refresh_from_db()
    assert person.biometric_ref == ""
    with pytest.raises(Refused):  # already withdrawn
        services.consent_withdraw(
            person=person, scope="biometric", withdrawn_on=dt.date.today(), by=commission_officer
        )


def test_sharing_withdrawal_names_its_partner_and_is_shown(
    commission_officer: Any, commission_client: Any
) -> None:
    person = CombatantFactory.create()
    with pytest.raises(Refused) as refused:
        services.consent_withdraw(
            person=person, scope="sharing", withdrawn_on=dt.date.today(), by=commission_officer
        )
    assert refused.value.field == "partner"
    services.consent_withdraw(
        person=person,
        scope="sharing",
        partner="Association Tassaght",
        withdrawn_on=dt.date.today(),
        by=commission_officer,
    )
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "do not share with Association Tassaght" in page.content.decode()


def test_a_new_photo_is_refused_after_withdrawal_until_consent_is_given_again(
    commission_officer: Any, media: Path
) -> None:
    person = with_photo(commission_officer)
    services.consent_withdraw(
        person=person, scope="photo", withdrawn_on=dt.date.today(), by=commission_officer
    )
    with pytest.raises(Refused) as refused:
        services.person_photo_replace(person=person, photo=image(), by=commission_officer)
    assert refused.value.field == "photo"
    person.refresh_from_db()
    assert not person.photo
    # A refusal to consent again changes nothing; a signed consent for the photo does.
    with pytest.raises(Refused):
        services.consent_record(
            person=person, text=text(), by=commission_officer, **answer(outcome="refused", restores="photo")
        )
    services.consent_record(person=person, text=text(), by=commission_officer, **answer(restores="photo"))
    services.person_photo_replace(person=person, photo=image(), by=commission_officer)
    person.refresh_from_db()
    assert person.photo


# --- at registration ----------------------------------------------------------------------------


def _registration(**consent: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "family_name": "Ag Assaleh",
        "given_name": "Ahmoudou",
        "sex": "M",
        "birth_year": "1984",
        "region": region("GAO").pk,
        "category": "combatant_armed",
        "movement": group("GATIA").pk,
        "registered_at": "2019-03-04",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "weapons-TOTAL_FORMS": "0",
        "weapons-INITIAL_FORMS": "0",
    }
    data.update({f"consent-{k}": v for k, v in consent.items()})
    return data


def test_registration_records_the_declaration_in_the_same_transaction(
    commission_client: Any, media: Path
) -> None:
    response = commission_client.post(
        reverse("ddr:person-new"),
        _registration(read="on", text_language="fr", language="ses", outcome="signed", scan=scan()),
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.select_related("combatant").get()
    assert (record.language, record.outcome, record.recorded_on) == ("ses", "signed", dt.date(2019, 3, 4))


def test_registration_with_a_bad_scan_registers_nobody(commission_client: Any, media: Path) -> None:
    response = commission_client.post(
        reverse("ddr:person-new"),
        _registration(
            read="on", text_language="fr", language="fr", outcome="signed", scan=scan("f.pdf", b"MZ..")
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "PDF or an image" in str(response.context["consent_form"].errors["scan"])
    assert not Combatant.objects.exists() and not ConsentRecord.objects.exists()


def test_registration_without_the_consent_block_records_none(commission_client: Any) -> None:
    response = commission_client.post(reverse("ddr:person-new"), _registration(outcome="signed"))
    assert (
        response.status_code == 302 and Combatant.objects.count() == 1 and not ConsentRecord.objects.exists()
    )
