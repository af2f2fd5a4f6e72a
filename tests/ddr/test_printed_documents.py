"""The printed card and receipts: the commission's letterhead with where and when, a number on
each receipt, and a card whose text is read without a magnifier yet stays on its two ID-1 faces."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.pdf import PdfUnavailable, html_to_document
from ddr.models import DeclaredWeapon

from ..factories import CombatantFactory, region

pytestmark = pytest.mark.django_db

PT = 4 / 3  # CSS pixels in a point


def _page(client: Any, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


def test_the_card_and_the_declaration_receipt_carry_the_letterhead_and_a_number(
    commission_client: Any, gao_client: Any
) -> None:
    person = CombatantFactory.create(region=region("GAO"), registration_place="Camp de Kati")
    weapon = DeclaredWeapon.objects.create(combatant=person, kind="rifle", serial_number="MAS-1")
    other = DeclaredWeapon.objects.create(combatant=person, kind="pistol")
    card = _page(commission_client, reverse("ddr:person-card", args=[person.pk]))
    receipt = _page(commission_client, reverse("ddr:weapon-receipt", args=[person.pk, weapon.pk]))
    with translation.override("fr"):  # the letterhead is the commission's, in French
        state = gettext("Republic of Mali")
        issuer = gettext("National Commission for Disarmament, Demobilisation and Reintegration (CNDDR)")
        where = gettext("%(place)s, on %(date)s")
    for page in (card, receipt):
        assert 'data-testid="letterhead"' in page and state in page and issuer in page
        assert where % {"place": "Camp de Kati", "date": "01/03/2019"} in page  # where and when issued
    # The declaration receipt has its own number, the same at each reprint, one per weapon.
    number = re.search(r'data-testid="receipt-number">([^<]+)<', receipt)
    assert number and number.group(1) == f"DA-{weapon.pk:06d}" == weapon.receipt_number
    again = _page(gao_client, reverse("ddr:weapon-receipt", args=[person.pk, weapon.pk]))
    assert f'data-testid="receipt-number">{weapon.receipt_number}<' in again
    assert other.receipt_number != weapon.receipt_number
    # Without a place of registration, the region is where it was issued.
    elsewhere = CombatantFactory.create(region=region("GAO"), registration_place="")
    page = _page(commission_client, reverse("ddr:person-card", args=[elsewhere.pk]))
    assert where % {"place": "Gao", "date": "01/03/2019"} in page


def _card_layout(page_html: str) -> Any:
    """The card laid out by WeasyPrint with print.css, as a browser prints it on paper."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "print.css").read_text()
    page_html = re.sub(r'<link rel="stylesheet"[^>]*>', f"<style>{css}</style>", page_html)
    page_html = re.sub(r'src="data:[^"]*"', 'src=""', page_html)  # the QR: its box is sized by the CSS
    try:
        return html_to_document(page_html)
    except PdfUnavailable:
        pytest.skip("WeasyPrint cannot run here (no Pango)")


def test_the_card_is_readable_and_stays_on_its_two_faces_of_one_page(commission_client: Any) -> None:
    person = CombatantFactory.create(
        family_name="Ag Mohamed Ould Abdoulaye",
        given_name="Mohamed Lamine",
        registration_place="Camp de Tabankort",
    )
    card = commission_client.get(reverse("ddr:person-card", args=[person.pk])).content.decode()
    document = _card_layout(card)
    assert len(document.pages) == 1
    faces = [
        box
        for box in document.pages[0]._page_box.descendants()
        if box.element_tag == "div" and (box.element.get("class") or "").split()[:1] == ["card-id"]
    ]
    assert len(faces) == 2  # the front and the back, side by side
    for face in faces:
        bottom = face.position_y + face.border_height()
        right = face.position_x + face.border_width()
        texts = [box for box in face.descendants() if getattr(box, "text", "").strip()]
        assert len(texts) > 5
        for text in texts:
            # Nothing spills out of the face, and every word is 9pt at least.
            assert text.position_y + text.height <= bottom + 0.5, text.text
            assert text.position_x + text.width <= right + 0.5, text.text
            assert text.style["font_size"] >= 9 * PT - 0.01, text.text
