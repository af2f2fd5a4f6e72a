"""Consent rules without a database: accepted scans, withdrawals in force, translators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from ddr.accountability.consent import rules as R

T0 = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("name", "head", "accepted"),
    [
        ("form.pdf", b"%PDF-1.7\n...", True),
        ("FORM.PDF", b"%PDF-1.4", True),
        ("scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", True),
        ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00", True),
        ("scan.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", True),
        ("scan.webp", b"RIFF\x00\x00\x00\x00AVI LIST", False),  # a video named .webp
        ("form.pdf", b"MZ\x90\x00\x03", False),  # an executable renamed .pdf
        ("form.pdf", b"PK\x03\x04", False),  # a Word document renamed .pdf
        ("form.docx", b"%PDF-1.4", False),  # a PDF under another name: extension and content agree
        ("form", b"%PDF-1.4", False),
        ("scan.gif", b"GIF89a", False),
        ("scan.jpg", b"%PDF-1.4", False),
    ],
)
def test_scan_accepted_only_when_extension_and_content_say_pdf_or_image(
    name: str, head: bytes, accepted: bool
) -> None:
    assert R.scan_is_accepted(name, head) is accepted


def test_translator_required_for_every_language_but_french_and_english() -> None:
    assert not R.translator_required("fr") and not R.translator_required("en")
    assert all(R.translator_required(code) for code in ("ar", "bm", "ses", "tmh", "ff"))


def test_withdrawal_in_force_until_consent_is_given_again_later() -> None:
    withdrawn = [R.Event("photo", "", T0)]
    assert R.withdrawal_in_force(withdrawn, [], "photo")
    assert not R.withdrawal_in_force(withdrawn, [], "biometric")
    earlier = [R.Event("photo", "", T0 - dt.timedelta(days=1))]
    assert R.withdrawal_in_force(withdrawn, earlier, "photo")
    later = [R.Event("photo", "", T0 + dt.timedelta(hours=1))]
    assert not R.withdrawal_in_force(withdrawn, later, "photo")
    # Withdrawn again after consenting again: in force again.
    again = [*withdrawn, R.Event("photo", "", T0 + dt.timedelta(days=2))]
    assert R.withdrawal_in_force(again, later, "photo")


def test_sharing_withdrawal_is_per_partner() -> None:
    withdrawn = [R.Event("sharing", "Association Tassaght", T0)]
    assert R.withdrawal_in_force(withdrawn, [], "sharing", "association tassaght ")
    assert not R.withdrawal_in_force(withdrawn, [], "sharing", "UNICEF")
    other = [R.Event("sharing", "UNICEF", T0 + dt.timedelta(days=1))]
    assert R.withdrawal_in_force(withdrawn, other, "sharing", "Association Tassaght")


def test_what_is_kept_states_its_basis() -> None:
    with translation.override("en"):
        assert R.RETAINED and all("basis" in str(basis) for _what, basis in R.RETAINED)
