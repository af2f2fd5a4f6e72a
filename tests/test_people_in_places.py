"""People shown inside a place (a site, a unit, a project, a cohort) are scoped like people
everywhere: a regional officer reads their own region's people only, and nobody but the
child-protection role reads a child. Pages, their CSV exports and the API alike; counts stay whole."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cantonment.models import CantonmentStay, StorageLocation
from cantonment.weapons import services as weapons
from cvr import services as cvr
from cvr.models import Beneficiary
from ddr.models import Category, Combatant
from integration.models import Candidate, Cohort, Membership

from .factories import CombatantFactory, ProjectFactory, SiteFactory, UnitFactory, region

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 3, 1)
PURPOSE = {"export": "csv", "purpose": "Suivi du site par la direction régionale"}


@pytest.fixture
def people() -> dict[str, Combatant]:
    """Three people in Gao's places: one of Gao, one of Kidal, a child of Gao."""
    return {
        "gao": CombatantFactory.create(family_name="Maiga", region=region("GAO")),
        "kidal": CombatantFactory.create(family_name="Intallah", region=region("KID")),
        "child": CombatantFactory.create(
            family_name="Dicko", region=region("GAO"), category=Category.CHILD, status="referred"
        ),
    }


def shows(content: bytes, person: Combatant) -> bool:
    text = content.decode()
    return person.registration_number in text or person.family_name in text


def assert_only_gao(content: bytes, people: dict[str, Combatant]) -> None:
    assert shows(content, people["gao"])
    assert not shows(content, people["kidal"]), "another region's person"
    assert not shows(content, people["child"]), "a child"


def test_a_site_lists_its_own_regions_people_and_counts_everyone(
    gao_client: Client, commission_client: Client, people: dict[str, Combatant], commission_officer: Any
) -> None:
    site = SiteFactory.create(region=region("GAO"), children_facilities=True, occupancy=3)
    for person in people.values():
        CantonmentStay.objects.create(
            combatant=person, site=site, checked_in_on=DAY, leave_by=DAY, flag="overstay"
        )
    url = reverse("cantonment:site-detail", args=[site.pk])
    page = gao_client.get(url)
    assert_only_gao(page.content, people)
    assert page.context["flag_counts"] == {"overstay": 3}  # the alerts count everyone
    assert_only_gao(gao_client.get(url, PURPOSE).content, people)
    assert not shows(commission_client.get(url).content, people["child"])
    stays = gao_client.get("/api/stays/").json()["results"]
    assert [s["person"] for s in stays] == [people["gao"].pk]
    assert {s["person"] for s in commission_client.get("/api/stays/").json()["results"]} == {
        people["gao"].pk,
        people["kidal"].pk,
    }


def test_weapons_handed_in_name_their_holder_only_when_the_reader_may_see_them(
    gao_client: Client, people: dict[str, Combatant], commission_officer: Any
) -> None:
    site = SiteFactory.create(region=region("GAO"))
    armoury = StorageLocation.objects.create(name="Armurerie", region=site.region, site=site)
    items = {
        key: weapons.hand_in(
            site=site, location=armoury, kind="weapon", serial_number=f"AK-{key}", received_on=DAY,
            custodian="Sgt Traoré", by=commission_officer, person=person,
        )
        for key, person in people.items()
    }  # fmt: skip
    assert_only_gao(gao_client.get(reverse("cantonment:wam-list")).content, people)
    assert_only_gao(gao_client.get(reverse("cantonment:wam-list"), PURPOSE).content, people)
    kidal_item = gao_client.get(reverse("cantonment:wam-detail", args=[items["kidal"].pk]))
    assert kidal_item.status_code == 200 and not shows(kidal_item.content, people["kidal"])
    receipt = gao_client.get(reverse("cantonment:wam-receipt", args=[items["child"].pk]))
    assert not shows(receipt.content, people["child"])
    holders = {
        r["serial_number"]: r["handed_in_by"] for r in gao_client.get("/api/weapons/").json()["results"]
    }
    assert holders == {"AKGAO": people["gao"].pk, "AKKIDAL": None, "AKCHILD": None}


def test_a_unit_lists_its_own_regions_members_and_counts_everyone(
    gao_client: Client, commission_client: Client, people: dict[str, Combatant]
) -> None:
    unit = UnitFactory.create(region=region("GAO"))
    for person in people.values():
        Membership.objects.create(unit=unit, combatant=person, party="cma", start=DAY)
    url = reverse("integration:unit-detail", args=[unit.pk])
    page = gao_client.get(url)
    assert_only_gao(page.content, people)
    assert sum(page.context["thirds"].strength.values()) == 3
    assert_only_gao(gao_client.get(url, PURPOSE).content, people)
    assert not shows(commission_client.get(url, PURPOSE).content, people["child"])
    members = gao_client.get("/api/unit-memberships/").json()["results"]
    assert [m["person"] for m in members] == [people["gao"].pk]


def test_the_desertions_list_names_only_the_readers_people(
    gao_client: Client, commission_client: Client, people: dict[str, Combatant]
) -> None:
    unit = UnitFactory.create(region=region("GAO"))
    for person in people.values():
        Membership.objects.create(
            unit=unit, combatant=person, party="cma", start=DAY, end=dt.date(2024, 1, 5) + dt.timedelta(days=300),
            leaving="deserted", circumstances="Parti avec son arme",
        )  # fmt: skip
    url = reverse("integration:desertions")
    assert_only_gao(gao_client.get(url).content, people)
    assert_only_gao(gao_client.get(url, {**PURPOSE, "table": "list"}).content, people)
    assert not shows(commission_client.get(url).content, people["child"])


def test_a_project_lists_its_own_regions_beneficiaries_and_counts_everyone(
    gao_client: Client, commission_client: Client, people: dict[str, Combatant]
) -> None:
    project = ProjectFactory.create(region=region("GAO"))
    for person in people.values():
        Beneficiary.objects.create(
            project=project, kind="ex_combatant", combatant=person, sex="M", age_band="25-35"
        )
    cvr.mix_refresh([project.pk])
    url = reverse("cvr:project-detail", args=[project.pk])
    page = gao_client.get(url)
    assert_only_gao(page.content, people)
    assert page.context["mix"].ex_combatants == 3
    assert_only_gao(gao_client.get(url, PURPOSE).content, people)
    assert not shows(commission_client.get(url, PURPOSE).content, people["child"])
    rows = gao_client.get("/api/cvr-beneficiaries/").json()["results"]
    assert [r["person"] for r in rows] == [people["gao"].pk]
    assert {r["person"] for r in commission_client.get("/api/cvr-beneficiaries/").json()["results"]} == {
        people["gao"].pk,
        people["kidal"].pk,
    }


def test_a_cohort_lists_its_own_regions_candidates_and_counts_everyone(
    gao_client: Client, commission_client: Client, people: dict[str, Combatant]
) -> None:
    cohort = Cohort.objects.create(name="Gao 2024", region=region("GAO"), training_start=DAY)
    candidates = {key: Candidate.objects.create(cohort=cohort, combatant=p) for key, p in people.items()}
    url = reverse("integration:cohort-detail", args=[cohort.pk])
    page = gao_client.get(url)
    assert_only_gao(page.content, people)
    assert sum(page.context["counts"].values()) == 3
    assert_only_gao(gao_client.get(url, PURPOSE).content, people)
    assert not shows(commission_client.get(url, PURPOSE).content, people["child"])
    # Nor can a step be recorded on a candidate the officer may not see.
    step = {"action": "unfit", "candidate": candidates["kidal"].pk, "on": DAY.isoformat()}
    gao_client.post(reverse("integration:cohort-step", args=[cohort.pk]), step)
    assert Candidate.objects.get(pk=candidates["kidal"].pk).status == Candidate.Status.CANDIDATE
