from __future__ import annotations

import csv
import html
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from core.models import ExportLog
from core.suppression import pseudonym_for
from ddr.models import Category, Combatant, DeclaredWeapon, SubmittedList, card_token_for
from ddr.registration.rules import is_valid_registration_number

from ..factories import CombatantFactory, group, region

pytestmark = pytest.mark.django_db


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "family_name": "Ag Assaleh",
        "given_name": "Ahmoudou",
        "sex": "M",
        "birth_year": "1984",
        "birth_year_approximate": "on",
        "region": region("GAO").pk,
        "category": "combatant_armed",
        "movement": group("GATIA").pk,
        "registered_at": "2019-03-04",
        "registration_place": "Gao",
        "documents-TOTAL_FORMS": "2",
        "documents-INITIAL_FORMS": "0",
        "documents-0-kind": "nina",
        "documents-0-number": "NINA-777",
        "documents-0-issued_on": "2010-01-05",
        "weapons-TOTAL_FORMS": "2",
        "weapons-INITIAL_FORMS": "0",
        "weapons-0-kind": "assault_rifle",
        "weapons-0-serial_number": "AK-0042",
        "weapons-0-calibre": "7,62",
        "weapons-0-ammunition": "90",
        "weapons-0-condition": "serviceable",
        "weapons-1-ammunition": "0",
        "weapons-1-condition": "unknown",
    }
    data.update(overrides)
    return data


def test_officer_registers_a_person_with_documents_and_weapons(gao_client: Any, gao_officer: Any) -> None:
    response = gao_client.post(reverse("ddr:person-new"), _form())
    person = Combatant.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ddr:person-detail", args=[person.pk])
    assert is_valid_registration_number(person.registration_number) and person.registration_number.startswith(
        "GAO-"
    )
    assert person.registered_by == gao_officer and person.has_weapon and person.birth_year == 1984
    assert person.documents.get().number == "NINA-777"
    assert person.weapons.get().serial_number == "AK-0042"  # the empty second weapon form adds nothing
    assert person.history.get().history_user == gao_officer
    page = gao_client.get(response["Location"]).content.decode()
    assert "NINA-777" in page and "AK-0042" in page


def test_regional_officer_cannot_register_in_another_region(gao_client: Any) -> None:
    response = gao_client.post(reverse("ddr:person-new"), _form(region=region("KID").pk))
    assert response.status_code == 400 and "region" in response.context["form"].errors
    assert Combatant.objects.count() == 0


def test_registration_needs_a_birth_date_or_year(commission_client: Any) -> None:
    response = commission_client.post(reverse("ddr:person-new"), _form(birth_year=""))
    assert response.status_code == 400 and "birth_year" in response.context["form"].errors
    assert Combatant.objects.count() == 0


def test_registering_a_child_refers_it_at_once_and_hides_it(commission_client: Any) -> None:
    response = commission_client.post(reverse("ddr:person-new"), _form(category="child"), follow=True)
    child = Combatant.objects.get()
    assert child.category == Category.CHILD
    assert response.redirect_chain[-1][0] == reverse("ddr:person-list")
    assert commission_client.get(reverse("ddr:person-detail", args=[child.pk])).status_code == 404


def test_analyst_and_child_protection_cannot_register(
    analyst_client: Any, child_protection_client: Any
) -> None:
    for client in (analyst_client, child_protection_client):
        assert client.post(reverse("ddr:person-new"), _form()).status_code == 403
    assert Combatant.objects.count() == 0


def test_card_is_bilingual_with_an_opaque_qr_and_no_armed_group(commission_client: Any) -> None:
    person = CombatantFactory.create(movement=group("MNLA"), family_name="Cissé")
    page = commission_client.get(reverse("ddr:person-card", args=[person.pk])).content.decode()
    assert "Carte d'enregistrement" in html.unescape(page) and "Registration card" in page
    assert "Nom / " in page and '<span lang="en">Name</span>' in page
    assert person.registration_number in page and "Cissé" in page
    assert "MNLA" not in page and "Mouvement" not in page and "Movement" not in page
    assert 'src="data:image/svg+xml' in page
    # On screen, a way to print it and a way back to the person; neither on paper (print.css).
    assert 'data-testid="print-button"' in page and "Imprimer" in page
    assert f'href="{reverse("ddr:person-detail", args=[person.pk])}" data-testid="print-back"' in page
    token = card_token_for(person.pk)
    assert token.startswith("DDR-") and token != pseudonym_for(person.pk, "stays")
    assert person.registration_number not in token and token == card_token_for(person.pk)


def test_card_of_another_region_is_not_found(gao_client: Any) -> None:
    person = CombatantFactory.create(region=region("KID"))
    assert gao_client.get(reverse("ddr:person-card", args=[person.pk])).status_code == 404


def test_weapon_receipt_has_what_iddrs_asks(commission_client: Any) -> None:
    person = CombatantFactory.create(registration_place="Camp de Kati")
    weapon = DeclaredWeapon.objects.create(
        combatant=person, kind="machine_gun", serial_number="PKM-9", condition="unserviceable"
    )
    page = html.unescape(
        commission_client.get(reverse("ddr:weapon-receipt", args=[person.pk, weapon.pk])).content.decode()
    )
    for expected in (
        person.family_name,
        "Camp de Kati",
        "Mitrailleuse",
        "Hors d'usage",
        "PKM-9",
        "01/03/2019",
    ):
        assert expected in page


def test_export_csv_is_scoped_neutralised_and_logged(gao_client: Any, gao_officer: Any) -> None:
    CombatantFactory.create(family_name='=HYPERLINK("http://evil")', region=region("GAO"))
    CombatantFactory.create(family_name="Maïga", region=region("GAO"))
    CombatantFactory.create(family_name="Kidalois", region=region("KID"))
    refused = gao_client.get(reverse("ddr:person-list"), {"q": "", "export": "csv"})
    assert refused.status_code == 400 and 'data-testid="export-refused"' in refused.content.decode()
    assert not ExportLog.objects.exists()
    purpose = "Vérification des listes, Gao"
    response = gao_client.get(reverse("ddr:person-list"), {"q": "", "export": "csv", "purpose": purpose})
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff") and ";" in body.splitlines()[0]
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    names = {r[1] for r in rows[1:]}
    assert names == {'\'=HYPERLINK("http://evil")', "Maïga"}  # Kidal is out of scope
    log = ExportLog.objects.get()
    assert (log.user, log.row_count, log.file_format) == (gao_officer, 2, "csv") and len(log.sha256) == 64
    assert (log.purpose, log.identity, log.filters) == (purpose, True, "q=")


def test_export_xlsx_follows_the_filter(commission_client: Any) -> None:
    CombatantFactory.create(family_name="Ancien", category="ex_mdsf")
    CombatantFactory.create(family_name="Autre")
    response = commission_client.get(
        reverse("ddr:person-list"),
        {"category": "ex_mdsf", "export": "xlsx", "purpose": "Contrôle qualité", "page": 2},
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Ancien"]
    assert ExportLog.objects.get().filters == "category=ex_mdsf"


def test_list_status_change_is_audited_and_national_only(
    commission_client: Any, gao_client: Any, commission_officer: Any
) -> None:
    import datetime as dt

    submitted = SubmittedList.objects.create(
        title="L",
        movement=group("CPA"),
        submitted_to="cts",
        submitted_on=dt.date(2018, 1, 1),
        sha256="b" * 64,
        created_by=commission_officer,
    )
    assert (
        gao_client.post(reverse("ddr:list-status", args=[submitted.pk]), {"status": "accepted"}).status_code
        == 403
    )
    commission_client.post(reverse("ddr:list-status", args=[submitted.pk]), {"status": "disputed"})
    submitted.refresh_from_db()
    assert submitted.status == "disputed"
    assert submitted.history.first().history_user == commission_officer


def _image(fmt: str, name: str) -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_photo_must_be_a_camera_image(commission_client: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    gif = commission_client.post(reverse("ddr:person-new"), _form(photo=_image("GIF", "photo.jpg")))
    assert gif.status_code == 400 and "JPEG, PNG ou WebP" in str(gif.context["form"].errors["photo"])
    text = commission_client.post(
        reverse("ddr:person-new"), _form(photo=_image("PNG", "x.png").__class__("x.jpg", b"not an image"))
    )
    assert text.status_code == 400 and "photo" in text.context["form"].errors
    assert Combatant.objects.count() == 0
    ok = commission_client.post(reverse("ddr:person-new"), _form(photo=_image("JPEG", "photo.jpg")))
    assert ok.status_code == 302 and Combatant.objects.get().photo.name.endswith(".jpg")
