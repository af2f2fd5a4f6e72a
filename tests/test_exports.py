"""Every table of the UI as CSV and XLSX: the page's filters and the reader's scope, every export
logged with its file's fingerprint, and a stated purpose required where the table names people."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cantonment.sites import services as stays
from core.models import ExportLog
from ddr.models import ListEntry, Pathway, SubmittedList
from integration.models import Cohort, Membership

from .factories import (
    CombatantFactory,
    ProjectFactory,
    RuleSetFactory,
    SiteFactory,
    UnitFactory,
    group,
    region,
)

pytestmark = pytest.mark.django_db
PURPOSE = "Rapport hebdomadaire au président de la CNDDR"


@pytest.fixture
def world(commission_officer: Any) -> dict[str, Any]:
    gao = CombatantFactory.create(family_name="Maïga", status="oriented", pathway=Pathway.REINSERTION)
    CombatantFactory.create(family_name="Kidalois", region=region("KID"))
    site = SiteFactory.create(name="Kati")
    stays.check_in(person=gao, site=site, on=dt.date.today(), by=commission_officer)
    submitted = SubmittedList.objects.create(
        title="Liste GATIA",
        movement=group("GATIA"),
        submitted_to="cts",
        submitted_on=dt.date(2018, 1, 1),
        sha256="b" * 64,
        created_by=commission_officer,
    )
    ListEntry.objects.create(submitted_list=submitted, combatant=gao, line=2)
    unit = UnitFactory.create()
    Membership.objects.create(
        unit=unit,
        service_number="FAMa-0001",
        name="Soldat",
        party="fama",
        start=dt.date(2023, 1, 1),
        end=dt.date(2024, 1, 5),
        leaving=Membership.Leaving.DESERTED,
        circumstances="Absent depuis le 5 janvier",
    )
    cohort = Cohort.objects.create(name="Cohorte 2024", region=region("GAO"))
    return {
        "list": submitted.pk,
        "site": site.pk,
        "unit": unit.pk,
        "cohort": cohort.pk,
        "project": ProjectFactory.create().pk,
        "ruleset": RuleSetFactory.create().pk,
    }


# (page, its arguments from the world, the table's name on the page, identifies people, who reads it)
PAGES = [
    ("ddr:person-list", None, "", True, "commission"),
    ("ddr:list-index", None, "", False, "commission"),
    ("ddr:list-detail", "list", "", True, "commission"),
    ("ddr:list-integrity", None, "", False, "commission"),
    ("ddr:duplicate-queue", None, "", True, "commission"),
    ("ddr:vetting-queue", None, "", True, "commission"),
    ("ddr:flagged-documents", None, "", True, "commission"),
    ("ddr:referral-list", None, "", True, "child_protection"),
    ("ddr:ruleset-list", None, "", False, "commission"),
    ("ddr:quota-use", None, "", False, "commission"),
    ("cantonment:site-list", None, "", False, "commission"),
    ("cantonment:site-detail", "site", "", True, "commission"),
    ("cantonment:wam-list", None, "", True, "commission"),
    ("cantonment:wam-reconciliation", None, "", False, "commission"),
    ("cantonment:wam-reconciliation", None, "by-site", False, "commission"),
    ("cantonment:wam-reconciliation", None, "undeclared", True, "commission"),
    ("cantonment:wam-reconciliation", None, "declared-twice", True, "commission"),
    ("cantonment:stock-check-list", None, "", False, "commission"),
    ("cantonment:inventory-list", None, "", False, "commission"),
    ("integration:unit-list", None, "", False, "commission"),
    ("integration:unit-detail", "unit", "", True, "commission"),
    ("integration:desertions", None, "", False, "commission"),
    ("integration:desertions", None, "list", True, "commission"),
    ("integration:cohort-list", None, "", False, "commission"),
    ("integration:cohort-list", None, "targets", False, "commission"),
    ("integration:cohort-detail", "cohort", "", True, "commission"),
    ("cvr:project-list", None, "", False, "commission"),
    ("cvr:project-detail", "project", "", True, "commission"),
    ("cvr:partner-list", None, "", False, "commission"),
    ("cvr:yearly-record", None, "", False, "commission"),
]


@pytest.mark.parametrize(("name", "arg", "table", "identity", "reader"), PAGES)
def test_every_table_exports_as_csv_and_xlsx_and_is_logged(
    world: dict[str, Any],
    commission_client: Client,
    child_protection_client: Client,
    name: str,
    arg: str | None,
    table: str,
    identity: bool,
    reader: str,
) -> None:
    client = commission_client if reader == "commission" else child_protection_client
    url = reverse(name, args=[world[arg]] if arg else [])
    page = client.get(url).content.decode()
    assert 'data-testid="export"' in page
    if table:
        assert f'name="table" value="{table}"' in page
    if identity:
        assert 'data-testid="export-purpose"' in page
        refused = client.get(url, {"export": "csv", "table": table})
        assert refused.status_code == 400 and 'data-testid="export-refused"' in refused.content.decode()
        assert not ExportLog.objects.exists()
    response = client.get(url, {"export": "csv", "table": table, "purpose": PURPOSE})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    log = ExportLog.objects.get()
    assert log.sha256 == hashlib.sha256(response.content).hexdigest()
    assert (log.row_count, log.identity, log.purpose, log.file_format) == (
        len(rows) - 1,
        identity,
        PURPOSE,
        "csv",
    )
    xlsx = client.get(url, {"export": "xlsx", "table": table, "purpose": PURPOSE})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][0] == rows[0]  # same header
    assert ExportLog.objects.count() == 2


def test_exports_keep_to_the_readers_region_and_the_pages_filters(
    world: dict[str, Any], gao_client: Client, commission_client: Client
) -> None:
    SiteFactory.create(name="Anéfis", region=region("KID"))
    rows = gao_client.get(reverse("cantonment:site-list"), {"export": "csv"}).content.decode().splitlines()
    assert [r.split(";")[0] for r in rows[1:]] == ["Kati"]  # never Kidal's site
    people = gao_client.get(reverse("ddr:person-list"), {"export": "csv", "purpose": PURPOSE}).content.decode()
    assert "Maïga" in people and "Kidalois" not in people
    filtered = commission_client.get(
        reverse("ddr:person-list"), {"export": "csv", "purpose": PURPOSE, "region": "KID"}
    )
    assert "Kidalois" in filtered.content.decode() and "Maïga" not in filtered.content.decode()
    assert ExportLog.objects.order_by("pk").last().filters == "region=KID"


def test_analysts_cannot_export_what_they_cannot_read(analyst_client: Client, world: dict[str, Any]) -> None:
    assert (
        analyst_client.get(reverse("ddr:person-list"), {"export": "csv", "purpose": PURPOSE}).status_code == 403
    )
    assert analyst_client.get(reverse("cantonment:wam-list"), {"export": "csv", "purpose": PURPOSE}).status_code == 403
    assert not ExportLog.objects.exists()


def test_dashboard_exports_every_table_with_suppression(
    analyst_client: Client, world: dict[str, Any]
) -> None:
    book = analyst_client.get(reverse("programme:dashboard"), {"export": "xlsx"})
    sheets = openpyxl.load_workbook(io.BytesIO(book.content))
    assert len(sheets.sheetnames) == 14  # 10, and reinsertion's 4 (programme.reintegration.sections)
    funnel = [list(r) for r in sheets[sheets.sheetnames[0]].iter_rows(values_only=True)]
    assert ["En cantonnement ou démobilisés", 0] in funnel  # one person: left out for an analyst
    one = analyst_client.get(reverse("programme:dashboard"), {"export": "csv", "table": "pathway-region"})
    assert one.content.decode("utf-8-sig").splitlines()[0] == "Parcours par région"
    assert list(ExportLog.objects.values_list("what", flat=True).order_by("pk")) == [
        "tableau-de-bord",
        "tableau-de-bord-pathway-region",
    ]


def test_an_export_costs_the_same_queries_for_3_rows_or_30(
    commission_client: Client, django_assert_max_num_queries: Any
) -> None:
    def export() -> int:
        with django_assert_max_num_queries(12):
            response = commission_client.get(reverse("ddr:person-list"), {"export": "xlsx", "purpose": PURPOSE})
        return len(list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())) - 1

    for _ in range(3):
        CombatantFactory.create()
    assert export() == 3
    for _ in range(27):
        CombatantFactory.create(region=region("KID"))
    assert export() == 30


@pytest.mark.parametrize(
    ("name", "english", "french"),
    [
        ("ddr:person-list", "Registration no.", "Numéro"),
        ("cantonment:site-list", "Name", "Nom"),
    ],
)
def test_an_exports_header_is_in_the_readers_language(
    world: dict[str, Any], commission_client: Client, name: str, english: str, french: str
) -> None:
    """The headers are worded when the file is written, not when the module was imported: a
    French default at import once gave English readers French headers, and could do the reverse."""
    query = {"export": "csv", "purpose": PURPOSE}
    in_french = commission_client.get(reverse(name), query).content.decode("utf-8").lstrip("\ufeff")
    commission_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    in_english = commission_client.get(reverse(name), query).content.decode("utf-8").lstrip("\ufeff")
    assert in_french.split(";")[0] == french and in_english.split(";")[0] == english
    xlsx = commission_client.get(reverse(name), query | {"export": "xlsx"})
    header = next(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert header[0] == english
