"""Every page, export and endpoint an analyst reaches shows no count of 1 to 4 people and no name.

A generic walk: every URL pattern open to the analyst role, its `<pk>` filled with an object of
the data below (small groups everywhere: 4 women on a site, 1 overstay, 3 members of a party, 2
commanders, 3 reported integrated, 3 ex-combatants in a project...), each page also asked for its
CSV. Numbers are read out of the JSON (every integer but ids and plans), the CSVs (every column of
people) and the HTML tables (every numeric cell). The same walk as a commission officer finds the
small counts: the positive control that the walk reads them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Role
from cantonment.models import CantonmentStay, Site
from core.suppression import SUPPRESS_BELOW
from integration import services
from integration.models import Candidate, Cohort, ComplianceCheck, IntegrationTarget, Membership, Party

from .factories import (
    CombatantFactory,
    PackageFactory,
    ProjectFactory,
    SiteFactory,
    UnitFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db

SECRET = "Zorglub"  # in every name of the data: never in what an analyst reads
# JSON keys that are not counts of people: ids, plans, capacities, versions, page counts.
NOT_PEOPLE = {
    "id",
    "pk",
    "unit",
    "version",
    "previous",
    "sop",
    "position",  # a package component's order in the catalogue
    "due_after_days",
    "capacity",
    "places_for_women",
    "number",
    "authorised_strength",
    "target_beneficiaries",
    "target_women",
    "committee_leaders",
    "committee_leaders_women",
    "count",  # a page's number of rows (sites, units, projects), not of people
    "projects",
    "sites",
    "operational",
    "units",
    "compliant",
    "deviating",
    "quota",
    "flagged",
    "projects_flagged",
    "projects_benefiting_women",
    "projects_reaching",  # projects with beneficiaries (the dashboard's CVR mix)
    "records",  # sites or projects gathered in one place on the dashboard's map
    "month",  # of a follow-up after enrolment (3, 6, 12)
}
# CSV columns that count people.
PEOPLE_COLUMNS = {
    "Present",
    "Overstays",
    "Ex-combatants",
    "Community members",
    "Women",
    "Candidates",
    "Assigned",
    "Redirected (unfit)",
    "Integrated",
    "Reached",
    "of whom women",
    "Desertions",
    *(str(label) for _value, label in Party.choices),
}
SKIPPED = ("api/schema", "api/docs", "api/auth", "deconnexion", "taches", "healthz", "langue", "jsi18n")


def _patterns(patterns: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _open_to_analysts(callback: Any) -> bool:
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    roles = getattr(view, "allowed_roles", None) if view else getattr(callback, "allowed_roles", None)
    return roles is not None and Role.ANALYST in roles


def _urls(pks: dict[str, int]) -> list[str]:
    """Every GET URL open to analysts, each `pk` filled with the object its prefix names."""
    urls = []
    for pattern, callback in _patterns(get_resolver().url_patterns):
        if not _open_to_analysts(callback) or pattern.startswith(SKIPPED) or "format>" in pattern:
            continue
        path = pattern.replace("^", "").replace("$", "").replace("\\", "")
        if "<" in path or "(?P<pk>" in path:
            prefix = next((key for key in pks if path.startswith(key)), None)
            if prefix is None:
                continue
            path = re.sub(r"<int:pk>|\(\?P<pk>\[\^/\.\]\+\)", str(pks[prefix]), path)
        if "<" in path:
            continue
        urls.append("/" + path)
    return urls


def _small_counts_in_json(data: Any, key: str = "") -> list[tuple[str, int]]:
    if isinstance(data, dict):
        return [found for k, v in data.items() for found in _small_counts_in_json(v, str(k))]
    if isinstance(data, list):
        return [found for v in data for found in _small_counts_in_json(v, key)]
    if isinstance(data, int) and not isinstance(data, bool) and key not in NOT_PEOPLE:
        return [(key, data)] if 0 < data < SUPPRESS_BELOW else []
    return []


def _small_counts_in_csv(text: str) -> list[tuple[str, int]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    if not rows:
        return []
    header, found = rows[0], []
    for row in rows[1:]:
        for name, cell in zip(header, row, strict=False):
            if name in PEOPLE_COLUMNS and cell.isdigit() and 0 < int(cell) < SUPPRESS_BELOW:
                found.append((name, int(cell)))
    return found


# HTML table columns (by header) and rows (by first cell) that count things other than people.
NOT_PEOPLE_HTML = {
    "Projects",
    "Sites",
    "Budget (USD)",
    "Targeted",
    "Capacity",
    "Total capacity",
    "Places for women",
    "Quota",
    "Target",
    "Authorised strength",
    "Operational",
    "Projects with a mix deviation",
    "Units meeting the one-third rule",
    "Units",
}


class _Tables(HTMLParser):
    """Numeric cells of HTML tables with their column header and row label."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, str]] = []  # header, row label, text
        self.header: list[str] = []
        self.row: list[str] = []
        self.text: str | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.header = []
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.text = ""

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.text is not None:
            self.row.append(self.text.strip())
            self.text = None
        elif tag == "tr" and self.row:
            if not self.header:
                self.header = self.row
                return
            for i, cell in enumerate(self.row[1:], start=1):
                column = self.header[i] if i < len(self.header) else ""
                self.cells.append((column, self.row[0], cell))


def _small_counts_in_html(text: str) -> list[tuple[str, int]]:
    tables = _Tables()
    tables.feed(text)
    return [
        (f"{column}/{label}", int(cell))
        for column, label, cell in tables.cells
        if cell.isdigit()
        and 0 < int(cell) < SUPPRESS_BELOW
        and column not in NOT_PEOPLE_HTML
        and label not in NOT_PEOPLE_HTML
    ]


def _data() -> dict[str, int]:
    """Small groups on every source an analyst reads; returns the pk of each page's object."""
    last_month_end = services.analyst_day()
    site = SiteFactory.create()
    person = CombatantFactory.create(family_name=f"Ag {SECRET}")
    CantonmentStay.objects.create(
        combatant=person,
        site=site,
        checked_in_on=dt.date(2024, 1, 1),
        leave_by=dt.date(2024, 4, 1),
        flag=CantonmentStay.Flag.OVERSTAY,
    )
    Site.objects.filter(pk=site.pk).update(occupancy=40, occupancy_women=4)
    unit = UnitFactory.create()
    start = last_month_end - dt.timedelta(days=60)
    for i in range(9):
        role = Membership.Role.COMMAND if i < 2 else Membership.Role.RANK_AND_FILE
        Membership.objects.create(
            unit=unit, party=Party.FAMA, service_number=f"F{i}", name=f"{SECRET} {i}", role=role, start=start
        )
    for i in range(3):
        Membership.objects.create(
            unit=unit,
            party=Party.CMA,
            combatant=CombatantFactory.create(family_name=f"{SECRET} C{i}"),
            start=start,
        )
    for day in (last_month_end, last_month_end - dt.timedelta(days=3)):
        ComplianceCheck.objects.create(
            unit=unit,
            day=day,
            strength={Party.FAMA: 9, Party.CMA: 3},
            command={Party.FAMA: 2},
            deviations=["share"],
            compliant=False,
        )
    cohort = Cohort.objects.create(
        name="Cohorte 1", region=region("GAO"), training_start=dt.date(2023, 2, 1), reported_fit=3
    )
    for i in range(8):
        status = Candidate.Status.FIT if i < 6 else Candidate.Status.REDIRECTED
        Candidate.objects.create(
            cohort=cohort, combatant=CombatantFactory.create(family_name=f"{SECRET} K{i}"), status=status
        )
    IntegrationTarget.objects.create(
        name="Objectif", number=100, start=dt.date(2023, 1, 1), deadline=dt.date(2030, 12, 31)
    )
    project = ProjectFactory.create(
        beneficiaries_ex_combatants=3,
        beneficiaries_community=12,
        beneficiaries_women=4,
        beneficiaries_youth=2,
    )
    ProjectFactory.create(beneficiaries_ex_combatants=20, beneficiaries_community=2, beneficiaries_women=9)
    _enrolled(3)  # reinsertion: 3 people enrolled, paid a tranche, followed up
    _accountability(site)  # 3 grievances, 2 of them sensitive; 2 appeals; 3 consents
    return {
        "sites/": site.pk,
        "api/sites/": site.pk,
        "unites/": unit.pk,
        "api/units/": unit.pk,
        "integration/": cohort.pk,
        "rvc/": project.pk,
        "api/cvr-projects/": project.pk,
    }


def _enrolled(n: int) -> None:
    from ddr.models import Entitlement, FollowUp
    from ddr.reintegration.packages.services import enrolment_create

    package, officer = PackageFactory.create(), UserFactory.create(username="enrolling")
    for i in range(n):
        person = CombatantFactory.create(family_name=f"{SECRET} R{i}")
        enrolment = enrolment_create(person=person, package=package, on=dt.date(2024, 1, 10), by=officer)
        enrolment.entitlements.filter(component__position=1).update(state=Entitlement.State.PAID)
        FollowUp.objects.create(
            combatant=person,
            enrolment=enrolment,
            month=3,
            due_on=dt.date(2024, 4, 10),
            status=FollowUp.Status.DONE,
            done_on=dt.date(2024, 4, 10),
            activity_running=True,
        )


def _accountability(site: Site) -> None:
    from ddr.accountability.appeals.services import appeal_file
    from ddr.accountability.consent.models import ConsentText
    from ddr.accountability.consent.services import consent_record
    from ddr.accountability.grievances.services import grievance_receive
    from ddr.screening.services import medical_record

    officer = UserFactory.create(username="receiving")
    for category in ("site_conditions", "sea", "gbv"):
        person = CombatantFactory.create(family_name=f"{SECRET} G{category}")
        grievance_receive(
            by=officer,
            received_on=timezone.now() - dt.timedelta(days=40),
            channel="sms",
            complainant_kind="person",
            complainant_person=person,
            subject_kind="site",
            subject_site=site,
            category=category,
            description=f"{SECRET} se plaint.",
        )
    text = ConsentText.objects.get(active=True, language="fr", kind="declaration")
    for i in range(3):
        person = CombatantFactory.create(family_name=f"{SECRET} A{i}")
        if i < 2:
            exam = medical_record(
                person=person,
                examined_on=dt.date(2024, 2, 1),
                examiner="Dr",
                result="unfit",
                final=True,
                by=officer,
            )
            appeal_file(
                kind="medical",
                decision=exam.pk,
                grounds=f"{SECRET} conteste.",
                filed_on=dt.date(2024, 2, 5),
                by=officer,
            )
        consent_record(
            person=person,
            text=text,
            language="bm",
            outcome="thumbprint",
            recorded_on=dt.date(2024, 2, 1),
            by=officer,
        )


def _walk(client: Any, urls: list[str]) -> tuple[dict[str, list], list[str]]:
    small: dict[str, list] = {}
    named: list[str] = []
    for url in urls:
        for params in ({}, {"export": "csv"}):
            answer = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
            assert answer.status_code < 500, (url, params)
            if answer.status_code != 200:
                continue
            kind = answer.get("Content-Type", "")
            text = b"".join(answer.streaming_content if answer.streaming else [answer.content]).decode(
                "utf-8"
            )
            if SECRET in text:
                named.append(url)
            if "json" in kind:
                found = _small_counts_in_json(json.loads(text))
            elif "csv" in kind:
                found = _small_counts_in_csv(text)
            elif params:
                continue  # the page again, no CSV of it
            else:
                found = _small_counts_in_html(text)
            if found:
                small[f"{url} {params}"] = found
    return small, named


def test_no_analyst_page_export_or_endpoint_shows_a_small_count_or_a_name(
    analyst_client: Any, commission_client: Any
) -> None:
    pks = _data()
    urls = _urls(pks)
    for expected in (
        "/sites/",
        "/unites/",
        "/rvc/",
        "/rvc/bilan/",
        "/integration/",
        "/api/one-third-checks/",
    ):
        assert expected in urls
    small, named = _walk(analyst_client, urls)
    assert small == {}
    assert named == []
    # Positive control: staff read the same pages exactly, and the walk finds their small counts.
    staff_small, _named = _walk(commission_client, urls)
    project_page = f"/rvc/{pks['rvc/']}/ {{}}"  # ids are not reset between tests on PostgreSQL
    controls = ["/sites/ {}", "/unites/ {}", "/unites/ {'export': 'csv'}", "/integration/ {}", project_page]
    reintegration = ["/api/reintegration/enrolments/ {}", "/api/reintegration/summary/ {}"]
    others = ["/api/units/ {}", "/api/one-third-checks/ {}", "/api/integration/progress/ {}"]
    for url in [*controls, *reintegration, *others]:
        assert url in staff_small, url


def test_analysts_read_units_at_last_month_end_from_visible_cells(
    analyst_client: Any, commission_client: Any
) -> None:
    _data()
    unit = analyst_client.get("/api/units/").json()["results"][0]
    # FAMA: 7 rank and file shown, its 2 commanders hidden; CMA's 3 members hidden.
    assert unit["strength"] == {Party.FAMA: 7} and unit["command"] == {}
    staff = commission_client.get("/api/units/").json()["results"][0]
    assert staff["strength"] == {Party.FAMA: 9, Party.CMA: 3} and staff["command"] == {Party.FAMA: 2}
    checks = analyst_client.get("/api/one-third-checks/").json()["results"]
    assert [c["day"] for c in checks] == [str(services.analyst_day())]  # month ends only
    assert checks[0]["strength"] == {Party.FAMA: 7} and checks[0]["command"] == {}
    assert len(commission_client.get("/api/one-third-checks/").json()["results"]) == 2


def test_analysts_integrated_figure_leaves_out_small_cells(
    analyst_client: Any, commission_client: Any
) -> None:
    _data()

    def integrated(client: Any) -> int:
        targets = client.get("/api/integration/progress/").json()["targets"]
        return next(t["integrated"] for t in targets if t["name"] == "Objectif")

    assert integrated(analyst_client) == 0  # 3 reported integrated: a hidden cell
    assert integrated(commission_client) == 3
    cohort = analyst_client.get("/api/integration/progress/").json()["cohorts"][0]
    assert cohort["candidates"] == {Candidate.Status.FIT: 6} and cohort["reported"]["fit"] == 0


def test_analysts_site_figures_are_one_partition_of_the_people_present(analyst_client: Any) -> None:
    pks = _data()
    page = analyst_client.get(f"/sites/{pks['sites/']}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Cells (sex, flag): 35 men on time shown; 4 women and 1 overstaying man hidden.
    occupancy = re.search(r'data-testid="occupancy">(\d+) of', page)
    assert occupancy and int(occupancy.group(1)) == 35  # 4 women and the 1 overstaying man left out
    assert 'data-testid="overstays"' not in page and "Daily headcount" not in page
