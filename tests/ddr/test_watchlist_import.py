"""The watch-list file built to break the import: refused with the line and reason, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ddr.models import WatchlistEntry

pytestmark = pytest.mark.django_db

HEADER = "name;aliases;birth_year;movement;reason\n"
LINE_3 = r"\b(ligne|line) 3 ?:"  # the French catalogue gets this new string at merge
GOOD = "Mohammed Ould Sidatti;;1976;;Exécutions\n"


def post(client: Client, text: str) -> Any:
    response = client.post(
        reverse("ddr:watchlist-import"), {"file": SimpleUploadedFile("l.csv", text.encode())}, follow=True
    )
    assert response.status_code == 200
    return response


def test_a_cell_over_the_csv_field_limit_is_refused_not_a_500(admin_client: Client) -> None:
    page = post(admin_client, f"{HEADER}{'A' * 131_073};;;;x\n").content.decode()
    assert "131" in page and not WatchlistEntry.objects.exists()


def test_a_file_with_bare_cr_line_endings_is_read(admin_client: Client) -> None:
    post(admin_client, (HEADER + GOOD + "Ag Bahanga;;;;Attaques\n").replace("\n", "\r"))
    assert WatchlistEntry.objects.count() == 2


def test_a_name_longer_than_its_field_is_refused_with_its_line(admin_client: Client) -> None:
    page = post(admin_client, f"{HEADER}{GOOD}{'N' * 100_000};;;;x\n").content.decode()
    assert re.search(LINE_3, page) and "100000" in page and len(page) < 50_000
    assert not WatchlistEntry.objects.exists()


def test_a_nul_byte_is_refused_with_its_line(admin_client: Client) -> None:
    page = post(admin_client, f"{HEADER}{GOOD}Ag\x00Bahanga;;;;x\n").content.decode()
    assert re.search(LINE_3, page) and "U+0000" in page and not WatchlistEntry.objects.exists()


def test_errors_are_capped_and_counted(admin_client: Client) -> None:
    page = post(admin_client, HEADER + "A;;3000;;x\n" * 5000).content.decode()
    assert page.count("année de naissance impossible") == 20
    assert "4980" in page.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    assert not WatchlistEntry.objects.exists()


def test_an_oversized_file_is_refused(admin_client: Client, settings: Any) -> None:
    settings.DDR_WATCHLIST_IMPORT_MAX_BYTES = 100
    page = post(admin_client, HEADER + GOOD * 10).content.decode()
    assert "0.0001" in page and not WatchlistEntry.objects.exists()
