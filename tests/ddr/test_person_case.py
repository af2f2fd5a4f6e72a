"""The person page is the whole case: a summary, tabs each opened by its own address (server-rendered,
no JavaScript needed), a timeline merging every app's events in order, the same access as before,
nothing of another region's records, and a number of queries that does not grow with the case."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from cantonment.models import CantonmentStay, Site, StorageLocation, WamItem
from cvr.models import Beneficiary
from ddr.accountability.grievances.models import Grievance
from ddr.models import (
    Combatant,
    Component,
    Delivery,
    FollowUp,
    MedicalExam,
    PaymentBatch,
    PaymentLine,
)
from ddr.reintegration.packages.services import enrolment_create
from integration.models import Candidate, Cohort, Membership

from ..factories import (
    CombatantFactory,
    PackageFactory,
    ProjectFactory,
    SiteFactory,
    UnitFactory,
    UserFactory,
    region,
)
from .accountability.grievance_fixtures import receive

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 1, 10)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def page_of(client: Client, person: Combatant, query: str = "") -> str:
    response = client.get(reverse("ddr:person-detail", args=[person.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def pane(page: str, name: str) -> str:
    """The HTML of one tab's pane."""
    start = page.index(f'id="{name}" role="tabpanel"')
    return page[start : page.index("</section>", start)]


def active_pane(page: str) -> str:
    [name] = re.findall(r'class="tab-pane show active" id="([a-z]+)"', page)
    return name


# --- building a case ------------------------------------------------------------------------


def stays(person: Combatant, site: Site, n: int, by: Any) -> None:
    CantonmentStay.objects.bulk_create(
        CantonmentStay(
            combatant=person,
            site=site,
            checked_in_on=DAY + dt.timedelta(days=3 * i),
            leave_by=DAY + dt.timedelta(days=3 * i + 45),
            checked_out_on=DAY + dt.timedelta(days=3 * i + 1),
            checked_in_by=by,
        )
        for i in range(n)
    )


def handed_in(person: Combatant, site: Site, n: int, by: Any) -> None:
    location = StorageLocation.objects.create(name=f"Armurerie {site.name}", region=site.region, site=site)
    WamItem.objects.bulk_create(
        WamItem(
            kind=WamItem.Kind.WEAPON,
            weapon_type="assault_rifle",
            serial_number=f"AK-{site.pk}-{i}",
            combatant=person,
            site=site,
            received_on=DAY,
            received_by=by,
            location=location,
            custodian="Sergent Keita",
        )
        for i in range(n)
    )


def integrated(person: Combatant, n: int, unit_region: str = "GAO") -> None:
    for i in range(n):
        unit = UnitFactory.create(region=region(unit_region))
        cohort = Cohort.objects.create(name=f"Cohorte {unit.name}", region=region(unit_region))
        Candidate.objects.create(cohort=cohort, combatant=person, status=Candidate.Status.TRAINED)
        Membership.objects.create(
            unit=unit,
            combatant=person,
            party="cma",
            rank="Sergent",
            start=DAY + dt.timedelta(days=10 * i),
            end=DAY + dt.timedelta(days=10 * i + 5),
            leaving=Membership.Leaving.TRANSFERRED,
        )


def in_cvr(person: Combatant, n: int, project_region: str = "GAO") -> None:
    for _ in range(n):
        project = ProjectFactory.create(region=region(project_region), actual_start=DAY)
        Beneficiary.objects.create(
            project=project, kind=Beneficiary.Kind.EX_COMBATANT, combatant=person, sex="M", age_band="25-35"
        )


def paid(person: Combatant, n: int, by: Any) -> None:
    """`n` payments, each of a component of its own, and `n` follow-ups."""
    package = PackageFactory.create(components=False)
    Component.objects.bulk_create(
        Component(
            package=package,
            kind=Component.Kind.ALLOWANCE,
            delivery=Delivery.CASH,
            amount_xof=10_000,
            due_after_days=i,
            position=i + 1,
            label=f"Tranche {i + 1}",
        )
        for i in range(n)
    )
    Combatant.objects.filter(pk=person.pk).update(status=Combatant.Status.ORIENTED)
    person.refresh_from_db()
    enrolment = enrolment_create(person=person, package=package, on=DAY, by=by)
    batch = PaymentBatch.objects.create(reference=f"LOT-{person.pk}", provider="Orange Money", prepared_by=by)
    PaymentLine.objects.bulk_create(
        PaymentLine(
            batch=batch,
            entitlement=e,
            combatant=person,
            reference=f"P-{e.pk}",
            amount_xof=e.amount_xof,
            status=PaymentLine.Status.PAID,
            paid_on=e.due_on,
        )
        for e in enrolment.entitlements.all()
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            combatant=person,
            enrolment=enrolment,
            month=i + 1,
            due_on=DAY + dt.timedelta(days=30 * (i + 1)),
            status=FollowUp.Status.DONE,
            done_on=DAY + dt.timedelta(days=30 * (i + 1)),
        )
        for i in range(n)
    )


def screened(person: Combatant, n: int, by: Any) -> None:
    MedicalExam.objects.bulk_create(
        MedicalExam(
            combatant=person, examined_on=DAY, examiner=f"Dr {i}", result="fit", final=True, recorded_by=by
        )
        for i in range(n)
    )


def complained(person: Combatant, n: int, by: Any) -> None:
    for _ in range(n):
        receive(by, subject_kind="person", subject_person=person, category="eligibility")


def whole_case(person: Combatant, n: int, by: Any) -> None:
    stays(person, SiteFactory.create(), n, by)
    handed_in(person, SiteFactory.create(), n, by)
    integrated(person, n)
    in_cvr(person, n)
    paid(person, n, by)
    screened(person, n, by)
    complained(person, n, by)
    for status in [Combatant.Status.SCREENED, Combatant.Status.REGISTERED] * n:  # audited changes
        person.status = status
        person.save()


# --- the page -------------------------------------------------------------------------------


def test_every_tab_opens_from_its_address_without_javascript(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    client = client_of(commission_officer)
    first = page_of(client, person)
    assert active_pane(first) == "overview"
    names = re.findall(r'data-case-tab="([a-z]+)"', first)
    assert names == [
        "overview",
        "timeline",
        "screening",
        "cantonment",
        "integration",
        "reintegration",
        "cvr",
        "accountability",
        "history",
    ]
    for name in names:
        page = page_of(client, person, f"?tab={name}")
        assert active_pane(page) == name
        assert f'href="?tab={name}" data-bs-toggle="tab"' in page  # a plain link, enhanced by JS
        assert re.search(rf'class="nav-link active" id="tab-{name}"[^>]*aria-selected="true"', page)
    assert active_pane(page_of(client, person, "?tab=nonsense")) == "overview"
    assert active_pane(page_of(client, person, "?tab=history-tab")) == "history"  # the old anchors
    assert "js/case-tabs" in first


def test_the_summary_names_status_pathway_region_number_site_and_unit(commission_officer: Any) -> None:
    person = CombatantFactory.create(status=Combatant.Status.CANTONED)
    site = SiteFactory.create(name="Site de Fafa")
    CantonmentStay.objects.create(combatant=person, site=site, checked_in_on=DAY, leave_by=DAY)
    Membership.objects.create(
        unit=UnitFactory.create(name="BATFAR 3"), combatant=person, party="cma", rank="Caporal", start=DAY
    )
    page = page_of(client_of(commission_officer), person)
    summary = page[page.index('data-testid="case-summary"') : page.index("</header>")]
    for text in (
        person.registration_number,
        "In cantonment",
        "Pending",
        "Gao",
        "Site de Fafa",
        "BATFAR 3 — Caporal",
    ):
        assert text in summary, text
    assert "person-photo" not in summary  # no photo, no broken image


def test_the_timeline_merges_every_apps_events_in_order(commission_officer: Any) -> None:
    person = CombatantFactory.create(registered_at=dt.date(2023, 12, 1))
    whole_case(person, 1, commission_officer)
    timeline = pane(page_of(client_of(commission_officer), person, "?tab=timeline"), "timeline")
    expected = [
        "Registered",  # 1 December 2023
        "Medical examination",  # 10 January 2024: a day's steps in the order of a case
        "Checked in",
        "Handed in",
        "Joined a unit",
        "CVR project started",
        "Enrolled in a package",
        "Paid",
        "Checked out",  # 11 January
        "Transferred",  # 15 January: the membership ended
        "Follow-up at 1 months",  # 9 February
    ]
    positions = [timeline.index(f"<strong>{what}</strong>") for what in expected]
    assert positions == sorted(positions), [
        e for e, _p in sorted(zip(expected, positions, strict=False), key=lambda x: x[1])
    ]
    # The events recorded today (audited changes, candidacy, participation, grievance) come last.
    for later in ("Integration candidate", "CVR beneficiary", "Grievance received", "Status"):
        assert timeline.index(later) > positions[-1], later
    assert 'href="?tab=cantonment" data-case-link="cantonment"' in timeline


def test_a_regional_officer_sees_their_region_only_as_before(
    gao_officer: Any, commission_officer: Any
) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    child = CombatantFactory.create(category="child", birth_year=2010)
    gao = client_of(gao_officer)
    for person in (kidal, child):
        assert gao.get(reverse("ddr:person-detail", args=[person.pk]) + "?tab=timeline").status_code == 404
    assert client_of(commission_officer).get(reverse("ddr:person-detail", args=[child.pk])).status_code == 404
    protection = UserFactory.create(username="protection", role=Role.CHILD_PROTECTION)
    assert client_of(protection).get(reverse("ddr:person-detail", args=[child.pk])).status_code == 200
    analyst = UserFactory.create(username="analyste", role=Role.ANALYST)
    assert client_of(analyst).get(reverse("ddr:person-detail", args=[kidal.pk])).status_code == 403


def test_no_tab_shows_another_regions_records(gao_officer: Any, commission_officer: Any) -> None:
    """A Gao person who stayed, served and took part in Kidal: their own stay, membership and
    participation are shown by name, never linked to the Kidal pages the officer cannot open; the
    weapon they handed in on a Kidal site (a record of that site) is not shown; the unit's other
    members, from Kidal, never appear."""
    person = CombatantFactory.create()
    kidal_site = SiteFactory.create(name="Site d'Anéfis", region=region("KID"))
    stays(person, kidal_site, 1, commission_officer)
    handed_in(person, kidal_site, 1, commission_officer)
    integrated(person, 1, unit_region="KID")
    in_cvr(person, 1, project_region="KID")
    unit = Membership.objects.get(combatant=person).unit
    other = CombatantFactory.create(region=region("KID"), family_name="Ag Kidalois")
    Membership.objects.create(unit=unit, combatant=other, party="cma", start=DAY)
    project = Beneficiary.objects.get(combatant=person).project
    Beneficiary.objects.create(
        project=project, kind="community", name="Fatouma Kidaloise", sex="F", age_band="18-24"
    )

    page = page_of(client_of(gao_officer), person)
    assert "Site d&#x27;Anéfis" in pane(page, "cantonment") and unit.name in pane(page, "integration")
    assert project.code in pane(page, "cvr")
    for name, url in [
        ("site-detail", reverse("cantonment:site-detail", args=[kidal_site.pk])),
        ("unit-detail", reverse("integration:unit-detail", args=[unit.pk])),
        ("project-detail", reverse("cvr:project-detail", args=[project.pk])),
        ("cohort-detail", reverse("integration:cohort-detail", args=[Candidate.objects.get().cohort_id])),
    ]:
        assert f'href="{url}"' not in page, name
    assert "AK-" not in page and "RM-" not in page  # the Kidal site's weapon
    assert "Ag Kidalois" not in page and "Fatouma" not in page
    # The commission sees the same case with its links and the weapon.
    national = page_of(client_of(commission_officer), person)
    assert reverse("integration:unit-detail", args=[unit.pk]) in national and "AK-" in national
    assert "Ag Kidalois" not in national and "Fatouma" not in national


def test_a_grievance_the_reader_may_not_read_is_not_in_the_timeline(
    gao_officer: Any, commission_officer: Any
) -> None:
    person = CombatantFactory.create()
    receive(commission_officer, subject_kind="person", subject_person=person, category="sea")
    assert Grievance.objects.get().sensitive
    timeline = pane(page_of(client_of(commission_officer), person), "timeline")
    assert "Grievance received" not in timeline


@pytest.mark.parametrize("role", ["commission", "gao"])
def test_the_number_of_queries_does_not_grow_with_the_case(
    role: str, commission_officer: Any, gao_officer: Any, django_assert_max_num_queries: Any
) -> None:
    reader = commission_officer if role == "commission" else gao_officer
    small, large = CombatantFactory.create(), CombatantFactory.create()
    whole_case(small, 1, commission_officer)
    whole_case(large, 20, commission_officer)
    client = client_of(reader)
    with django_assert_max_num_queries(45) as one:  # 40 today, whatever the case
        small_page = page_of(client, small, "?tab=timeline")
    with django_assert_max_num_queries(len(one.captured_queries)):
        large_page = page_of(client, large, "?tab=timeline")
    assert small_page.count("<strong>Paid</strong>") == 1 and large_page.count("<strong>Paid</strong>") == 20
    assert large_page.count("<strong>Checked in</strong>") == 20


def test_the_photo_is_served_to_those_who_may_open_the_page(
    commission_officer: Any, gao_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
        b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    person = CombatantFactory.create(region=region("KID"))
    person.photo.save("p.png", SimpleUploadedFile("p.png", png), save=True)
    url = reverse("ddr:person-photo", args=[person.pk])
    response = client_of(commission_officer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png  # type: ignore[attr-defined]
    assert url in page_of(client_of(commission_officer), person)
    assert client_of(gao_officer).get(url).status_code == 404
    nobody = CombatantFactory.create()
    assert client_of(commission_officer).get(reverse("ddr:person-photo", args=[nobody.pk])).status_code == 404


def test_printing_shows_the_summary_and_the_open_tab_without_the_tabs(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    page = page_of(client_of(commission_officer), person, "?tab=cantonment")
    assert 'class="nav nav-tabs case-tabs mb-3 d-print-none"' in page
    assert '<h2 class="h4 d-none d-print-block">Cantonment</h2>' in pane(page, "cantonment")


def test_a_screening_form_brings_the_officer_back_to_the_screening_tab(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    response = client_of(commission_officer).post(
        reverse("ddr:person-medical", args=[person.pk]),
        {"examined_on": DAY.isoformat(), "examiner": "Dr Maïga", "result": "fit", "final": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("ddr:person-detail", args=[person.pk]) + "?tab=screening"
    page = page_of(client_of(commission_officer), person, "?tab=screening")
    assert active_pane(page) == "screening" and "Dr Maïga" in pane(page, "screening")
