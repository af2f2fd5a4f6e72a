"""Importing a list: two phases, atomic, idempotent, versioned, audited."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from ddr.lists import commit
from ddr.lists import services as lists
from ddr.models import (
    Category,
    Combatant,
    DeclaredWeapon,
    IdentityDocument,
    ListEntry,
    ListImport,
    SubmittedList,
)

from ..factories import group

pytestmark = pytest.mark.django_db

HEADER = "Nom;Prénom;Sexe;Date de naissance;Région;Matricule;Type de pièce;Numéro de pièce;Type d'arme;Numéro de série"
V1 = (
    f"{HEADER}\n"
    "Ag Intallah;Mohamed;M;vers 1985;Kidal;MN-1;NINA;N-111;AK-47;SER-1\n"
    "Touré;Aïssata;F;03/04/1990;Gao;MN-2;;;;\n"
    "Walet Ahmed;Fadimata;F;1992;Tombouctou;MN-3;Passeport;P-9;;\n"
)


def start(
    user: User, text: str, previous: SubmittedList | None = None, title: str = "Liste MNLA"
) -> ListImport:
    return lists.list_import_start(
        data=text.encode("utf-8"),
        filename="liste.csv",
        title=title,
        movement=group("MNLA"),
        submitted_to="cts",
        submitted_on=dt.date(2018, 5, 2),
        certified_by="Secrétaire général",
        previous=previous,
        by=user,
    )


def import_list(user: User, text: str, previous: SubmittedList | None = None) -> ListImport:
    record = lists.list_import_validate(import_id=start(user, text, previous).pk)
    assert record.status == ListImport.Status.READY, record.errors
    lists.list_import_queue_commit(record=record, by=user)
    return lists.list_import_commit(import_id=record.pk)


def test_import_writes_people_documents_weapons_and_provenance(commission_officer: Any) -> None:
    record = import_list(commission_officer, V1)
    assert record.status == ListImport.Status.COMMITTED
    submitted = record.result
    assert submitted.version == 1 and submitted.row_count == 3 and len(submitted.sha256) == 64
    people = Combatant.objects.order_by("family_name")
    assert [p.family_name for p in people] == ["Ag Intallah", "Touré", "Walet Ahmed"]
    mohamed = people[0]
    assert mohamed.birth_year == 1985 and mohamed.birth_year_approximate and mohamed.has_weapon
    assert mohamed.category == Category.COMBATANT_ARMED and mohamed.region.code == "KID"
    assert mohamed.registration_number.startswith("KID-")
    assert people[1].category == Category.WOMAN_ASSOCIATED
    assert IdentityDocument.objects.get(number="N-111").kind == "nina"
    assert DeclaredWeapon.objects.get().serial_number == "SER-1"
    assert ListEntry.objects.filter(submitted_list=submitted).count() == 3
    # Bulk writes are audited like any other change, with who made them.
    assert Combatant.history.filter(history_user=commission_officer, history_type="+").count() == 3
    record.job.refresh_from_db()
    assert record.job.status == "done" and record.job.percent == 100


def test_commit_reuses_the_checked_rows_instead_of_parsing_again(
    commission_officer: Any, monkeypatch: Any
) -> None:
    record = lists.list_import_validate(import_id=start(commission_officer, V1).pk)
    assert record.checked_rows
    lists.list_import_queue_commit(record=record, by=commission_officer)

    def no_second_parse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(lists, "check_list_file", no_second_parse)
    assert lists.list_import_commit(import_id=record.pk).status == ListImport.Status.COMMITTED
    assert Combatant.objects.get(family_name="Touré").birth_date == dt.date(1990, 4, 3)
    assert IdentityDocument.objects.get(number="N-111").combatant.family_name == "Ag Intallah"


def test_an_import_checked_before_its_rows_were_kept_is_checked_again_at_commit(
    commission_officer: Any,
) -> None:
    record = lists.list_import_validate(import_id=start(commission_officer, V1).pk)
    lists.list_import_queue_commit(record=record, by=commission_officer)
    record.checked_rows.delete(save=False)
    ListImport.objects.filter(pk=record.pk).update(checked_rows="")
    assert lists.list_import_commit(import_id=record.pk).status == ListImport.Status.COMMITTED
    assert Combatant.objects.count() == 3 and IdentityDocument.objects.count() == 2
    assert DeclaredWeapon.objects.get().combatant.family_name == "Ag Intallah"


def test_importing_the_same_file_twice_creates_nothing_new(commission_officer: Any) -> None:
    import_list(commission_officer, V1)
    with pytest.raises(lists.ImportRejected, match="déjà été importé"):
        start(commission_officer, V1)
    assert Combatant.objects.count() == 3 and SubmittedList.objects.count() == 1


def test_a_file_with_errors_cannot_be_committed_and_saves_nothing(commission_officer: Any) -> None:
    record = start(commission_officer, V1 + "Cissé;Moussa;M;31/02/1990;Atlantide;MN-4;;;;\n")
    record = lists.list_import_validate(import_id=record.pk)
    assert record.status == ListImport.Status.INVALID
    # Each error names the column as the file does, not by an internal code ("birth", "region").
    assert {(e["line"], e["column"]) for e in record.errors} == {(5, "Date de naissance"), (5, "Région")}
    with pytest.raises(lists.ImportRejected):
        lists.list_import_queue_commit(record=record, by=commission_officer)
    assert Combatant.objects.count() == 0


def test_unknown_movement_in_a_row_is_an_error(commission_officer: Any) -> None:
    text = "Nom;Prénom;Sexe;Naissance;Région;Mouvement\nA;B;M;1990;Gao;FLN\nC;D;M;1990;Gao;HCUA\n"
    record = lists.list_import_validate(import_id=start(commission_officer, text).pk)
    assert record.errors == [{"line": 2, "column": "Mouvement", "reason": "Mouvement inconnu 'FLN'."}]


def test_a_failure_while_writing_leaves_no_partial_data(commission_officer: Any, monkeypatch: Any) -> None:
    record = lists.list_import_validate(import_id=start(commission_officer, V1).pk)
    lists.list_import_queue_commit(record=record, by=commission_officer)

    def failing(real: Any) -> Any:
        def insert(model: Any, rows: Any, **kwargs: Any) -> Any:
            if model is ListEntry:  # people and their audit rows are already written by now
                assert Combatant.objects.count() == 3 and Combatant.history.count() == 3
                raise RuntimeError("disk full")
            return real(model, rows, **kwargs)

        return insert

    # The PostgreSQL path writes with insert_from, the SQLite path with insert_with_history.
    for name in ("insert_from", "insert_with_history"):
        monkeypatch.setattr(commit, name, failing(getattr(commit, name)))
    with pytest.raises(RuntimeError):
        lists.list_import_commit(import_id=record.pk)
    record.refresh_from_db()
    assert record.status == ListImport.Status.FAILED and "rien n'a été importé" in record.message
    assert Combatant.objects.count() == 0 and SubmittedList.objects.count() == 0
    assert IdentityDocument.objects.count() == 0 and Combatant.history.count() == 0


def test_a_new_version_shows_what_changed_and_links_known_people(commission_officer: Any) -> None:
    first = import_list(commission_officer, V1).result
    v2 = (
        f"{HEADER}\n"
        "Ag Intallah;Mohamed;M;vers 1985;Kidal;MN-1;NINA;N-111;AK-47;SER-1\n"
        "Touré;Aïssata;F;03/04/1991;Gao;MN-2;;;;\n"  # birth date corrected
        "Maïga;Alhassane;M;1988;Gao;MN-4;;;;\n"  # added; MN-3 removed
    )
    record = lists.list_import_validate(import_id=start(commission_officer, v2, previous=first).pk)
    assert (record.diff["added"], record.diff["removed"], record.diff["changed"]) == (1, 1, 1)
    assert record.diff["changed_sample"][0]["fields"] == {"birth": ["1990-04-03", "1991-04-03"]}
    assert record.diff["removed_sample"][0]["family_name"] == "Walet Ahmed"
    lists.list_import_queue_commit(record=record, by=commission_officer)
    second = lists.list_import_commit(import_id=record.pk).result
    assert second.version == 2 and second.previous == first
    assert Combatant.objects.count() == 4  # only Alhassane is new
    mohamed = Combatant.objects.get(family_name="Ag Intallah")
    assert set(mohamed.list_entries.values_list("submitted_list__version", flat=True)) == {1, 2}


def test_a_minor_on_a_list_becomes_a_child_record(commission_officer: Any) -> None:
    this_year = dt.date.today().year
    import_list(commission_officer, f"{HEADER}\nDicko;Hama;M;vers {this_year - 15};Mopti;MN-9;;;;\n")
    child = Combatant.objects.get()
    assert child.category == Category.CHILD and child.status == Combatant.Status.REFERRED
    assert not Combatant.objects.for_user(commission_officer).exists()


def test_registration_numbers_are_unique_and_checkable(commission_officer: Any) -> None:
    from ddr.registration.rules import is_valid_registration_number

    import_list(commission_officer, V1)
    import_list(commission_officer, V1.replace("MN-", "MX-") + "\n")
    numbers = list(Combatant.objects.values_list("registration_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 6
    assert all(is_valid_registration_number(n) for n in numbers)


def test_newcomers_are_numbered_in_the_files_order(commission_officer: Any) -> None:
    from ddr.registration.rules import registration_number

    submitted = import_list(commission_officer, V1).result
    entries = ListEntry.objects.filter(submitted_list=submitted).select_related("combatant__region")
    people = [e.combatant for e in entries.order_by("line")]
    first = int(people[0].registration_number.split("-")[1])
    assert [p.registration_number for p in people] == [
        registration_number(p.region.code, first + i) for i, p in enumerate(people)
    ]


def test_the_sql_registration_number_is_the_python_one() -> None:
    """The PostgreSQL commit numbers a list in SQL: the same numbers, check digit included."""
    from django.db import connection

    from ddr.registration.rules import registration_number, registration_number_sql

    if connection.vendor != "postgresql":
        pytest.skip("only the PostgreSQL commit numbers in SQL")
    sequences = [*range(0, 2000), 9_999_999, 10_000_000, 12_345_678, 987_654_321, 2**62]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n, {registration_number_sql('%s', 'n')} FROM unnest(%s::bigint[]) AS n",  # noqa: S608
            ["KID", sequences],
        )
        numbered = dict(cursor.fetchall())
    assert numbered == {n: registration_number("KID", n) for n in sequences}


# --- through the browser views ------------------------------------------------------------------


def _form(text: str, **extra: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "file": SimpleUploadedFile("liste.csv", text.encode("cp1252")),
        "title": "Liste HCUA",
        "movement": group("HCUA").pk,
        "submitted_to": "cnddr",
        "submitted_on": "2018-06-01",
        **extra,
    }


def test_officer_imports_through_the_pages(commission_client: Any, eager_tasks: Any) -> None:
    with eager_tasks():
        response = commission_client.post(reverse("ddr:import-new"), _form(V1))
    assert response.status_code == 302
    page = commission_client.get(response["Location"]).content.decode()
    assert "Prêt à importer" in page, page[page.find("import-status") :][:1500]
    assert 'data-testid="rows-valid">3<' in page
    record = ListImport.objects.get()
    with eager_tasks():
        commission_client.post(reverse("ddr:import-commit", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == ListImport.Status.COMMITTED
    assert Combatant.objects.filter(movement__code="HCUA").count() == 3


def test_error_report_lists_every_bad_row_as_french_excel_csv(
    commission_client: Any, commission_officer: Any
) -> None:
    record = lists.list_import_validate(
        import_id=start(commission_officer, V1 + "X;;M;1990;Gao;MN-7;;;;\nY;Z;M;1990;Mars;MN-8;;;;\n").pk
    )
    response = commission_client.get(reverse("ddr:import-errors", args=[record.pk]))
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffLigne;Colonne;Raison")
    assert "5;Prénom;" in body and "6;Région;" in body  # the file's own headers


def test_oversized_upload_gets_a_clear_message(commission_client: Any, settings: Any) -> None:
    settings.DDR_IMPORT_MAX_BYTES = 200
    response = commission_client.post(reverse("ddr:import-new"), _form(V1 * 5))
    assert response.status_code == 400
    assert "Le fichier dépasse 0.0002 Mo" in response.content.decode()
    assert ListImport.objects.count() == 0


def test_only_national_staff_import_lists(gao_client: Any, analyst_client: Any) -> None:
    for client in (gao_client, analyst_client):
        assert client.get(reverse("ddr:import-new")).status_code == 403
        assert client.post(reverse("ddr:import-new"), _form(V1)).status_code == 403
    assert ListImport.objects.count() == 0


def test_regional_officer_sees_only_their_regions_lines_of_a_list(
    gao_client: Any, commission_officer: Any
) -> None:
    submitted = import_list(commission_officer, V1).result
    page = gao_client.get(reverse("ddr:list-detail", args=[submitted.pk])).content.decode()
    assert "Touré" in page and "Ag Intallah" not in page


def test_the_template_file_imports_as_it_is(commission_client: Any, commission_officer: Any) -> None:
    """The template offered to movements is read back whole: every header known, the example valid."""
    response = commission_client.get(reverse("ddr:import-template"))
    assert response["Content-Disposition"] == 'attachment; filename="modele-liste.csv"'
    text = response.content.decode("utf-8-sig")
    assert text.startswith("Nom;Prénom;Surnom;Sexe;Date de naissance;")
    record = import_list(commission_officer, text)
    person = Combatant.objects.get()
    assert (person.family_name, person.weapons.get().serial_number) == ("Ag Intalla", "AK-0000001")
    assert record.result is not None and record.result.entries.count() == 1


def test_the_imported_page_counts_the_lines_and_explains_a_childs_hidden_line(
    commission_client: Any, commission_officer: Any
) -> None:
    child = f"Ag Moussa;Ibrahim;M;{dt.date.today().year - 15};Kidal;MN-4;;;;\n"
    record = import_list(commission_officer, V1 + child)
    page = commission_client.get(reverse("ddr:import-detail", args=[record.pk])).content.decode()
    outcome = page[page.index('data-testid="import-outcome"') :]
    assert "4 lignes importées" in outcome and "1 est devenue la fiche d" in outcome


def test_the_preview_warns_of_children_and_of_a_serial_declared_twice(
    commission_client: Any, commission_officer: Any
) -> None:
    child = f"Ag Moussa;Ibrahim;M;{dt.date.today().year - 15};Kidal;MN-4;;;;\n"
    twice = "Cissé;Ali;M;1980;Gao;MN-5;;;AK-47;SER-1\n"  # SER-1 is on line 2 already
    record = lists.list_import_validate(import_id=start(commission_officer, V1 + child + twice).pk)
    assert record.status == ListImport.Status.READY  # notices, not errors
    page = commission_client.get(reverse("ddr:import-detail", args=[record.pk])).content.decode()
    assert "1 ligne concerne une personne de moins de 18 ans (ligne 5)" in html.unescape(page)
    serials = page[page.index('data-testid="notice-serials"') :]
    assert "SER-1 — lignes 2, 6" in serials
    assert "Changements par rapport" not in page  # a first version: nothing to compare with
