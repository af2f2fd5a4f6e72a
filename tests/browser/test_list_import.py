"""A commission officer imports a list in French and watches the progress bar finish."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from accounts.models import Role
from ddr.models import Combatant

from ..factories import UserFactory
from .test_home import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGIONS = ["Kidal", "Gao", "Tombouctou", "Ménaka"]


def _list_file(rows: int) -> bytes:
    lines = ["Nom;Prénom;Sexe;Date de naissance;Région;Matricule;Type d'arme;Numéro de série"]
    for i in range(rows):
        lines.append(
            f"Ag Famille{i};Mohamed;M;vers {1970 + i % 30};{REGIONS[i % 4]};MNLA-{i:05d};AK-47;SN{i:06d}"
        )
    return ("\n".join(lines) + "\n").encode("cp1252")


def test_officer_imports_a_list_and_watches_it_finish(
    page: Page, live_server: Any, celery_worker_process: Any
) -> None:
    UserFactory.create(username="seydou", role=Role.COMMISSION_OFFICER)
    _sign_in(page, live_server, "seydou")
    page.get_by_test_id("nav-registration").click()  # the menu groups pages by phase
    page.get_by_role("link", name="Listes", exact=True).click()
    page.get_by_role("link", name="Importer une liste").click()
    page.get_by_label("Fichier de la liste (CSV ou XLSX)").set_input_files(
        files=[FilePayload(name="liste-mnla-2018.csv", mimeType="text/csv", buffer=_list_file(3000))]
    )
    page.get_by_label("Intitulé").fill("Liste MNLA 2018")
    page.get_by_label("Mouvement").select_option(label="MNLA")
    page.get_by_label("Remise à").select_option("cts")
    page.get_by_label("Remise le").fill("2018-05-02")
    page.get_by_test_id("import-submit").click()

    # Checking runs on the worker; the page polls and shows the preview when it is done.
    expect(page.get_by_test_id("import-status")).to_have_text("Prêt à importer", timeout=60_000)
    expect(page.get_by_test_id("rows-valid")).to_have_text("3\u00a0000")
    expect(page.get_by_test_id("rows-errors")).to_have_text("0")
    assert Combatant.objects.count() == 0  # nothing written before confirmation

    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    expect(page.get_by_test_id("import-status")).to_have_text("Importé", timeout=90_000)
    page.get_by_test_id("list-link").click()
    expect(page.get_by_role("heading", name="Liste MNLA 2018")).to_be_visible()
    assert Combatant.objects.count() == 3000
