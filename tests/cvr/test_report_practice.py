"""CVR as the report describes it: the governor's approval after August 2022, the community's
requests and consultations, the analyses of recommendations X and XI, and the weapons a CRP
project's WAM component collected outside the sites, in the one weapons register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from cantonment.models import StorageLocation, WamItem
from cantonment.sites.services import CantonmentRefused
from cantonment.weapons import services as weapons
from cvr import rules, services
from cvr.models import CommunityConsultation, Project
from cvr.services import CVRRefused

from ..factories import ProjectFactory, SiteFactory, region

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
S = Project.Status


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _to_pac(project: Project, by: User, on: dt.date) -> None:
    for n, step in enumerate([S.SUBMITTED, S.LOCAL_REVIEW, S.PAC]):
        services.project_advance(project=project, to=step, on=on + dt.timedelta(days=n), by=by)


def test_the_governor_approves_after_the_pac_from_august_2022(commission_officer: User) -> None:
    assert not rules.needs_governor(dt.date(2022, 7, 31)) and rules.needs_governor(dt.date(2022, 8, 1))
    project = ProjectFactory.create(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 1))
    _to_pac(project, commission_officer, dt.date(2022, 10, 1))
    with pytest.raises(CVRRefused, match="the governor of the region approves"):
        services.project_advance(project=project, to=S.VETTED, on=dt.date(2022, 10, 5), by=commission_officer)
    project.refresh_from_db()
    assert project.status == S.PAC
    services.project_advance(project=project, to=S.GOVERNOR, on=dt.date(2022, 10, 5), by=commission_officer)
    services.project_advance(project=project, to=S.VETTED, on=dt.date(2022, 10, 6), by=commission_officer)
    project.refresh_from_db()
    assert project.status == S.VETTED
    assert list(project.events.values_list("status", flat=True)) == [
        S.SUBMITTED,
        S.LOCAL_REVIEW,
        S.PAC,
        S.GOVERNOR,
        S.VETTED,
    ]


def test_a_project_approved_before_august_2022_has_no_governor_step(commission_officer: User) -> None:
    project = ProjectFactory.create(start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 1))
    _to_pac(project, commission_officer, dt.date(2019, 3, 1))
    with pytest.raises(CVRRefused, match="Governors approve projects the PAC approved from"):
        services.project_advance(
            project=project, to=S.GOVERNOR, on=dt.date(2019, 3, 5), by=commission_officer
        )
    services.project_advance(project=project, to=S.VETTED, on=dt.date(2019, 3, 5), by=commission_officer)
    project.refresh_from_db()
    assert project.status == S.VETTED


def test_the_regional_officer_records_the_governors_approval(
    gao_client: Client, commission_officer: User
) -> None:
    project = ProjectFactory.create(region=region("GAO"), start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 1))
    _to_pac(project, commission_officer, dt.date(2023, 1, 10))
    response = gao_client.post(
        reverse("cvr:project-advance", args=[project.pk]),
        {"to": "governor", "on": "2023-01-20", "decided_by": "Gouverneur de Gao"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == S.GOVERNOR


def _consultation(**changes: Any) -> dict[str, Any]:
    values = {
        "kind": "consultation",
        "on": (TODAY - dt.timedelta(days=3)).isoformat(),
        "place": "Place publique, Ansongo",
        "raised_by": "Chef de village",
        "participants": 60,
        "women": 28,
        "summary": "The community asks for a well near the school.",
    }
    return values | changes


def test_a_consultation_is_recorded_audited_and_refused_when_it_cannot_be(
    commission_client: Client, commission_officer: User
) -> None:
    project = ProjectFactory.create()
    url = reverse("cvr:consultation-add", args=[project.pk])
    commission_client.post(url, _consultation(women=61))
    commission_client.post(url, _consultation(on=(TODAY + dt.timedelta(days=2)).isoformat()))
    assert not CommunityConsultation.objects.exists()  # more women than participants; in the future
    commission_client.post(url, _consultation())
    consultation = CommunityConsultation.objects.get()
    assert (consultation.participants, consultation.women, consultation.recorded_by) == (
        60,
        28,
        commission_officer,
    )
    assert consultation.history.get().history_user == commission_officer
    page = commission_client.get(reverse("cvr:project-detail", args=[project.pk])).content.decode()
    assert "The community asks for a well near the school." in page and "Chef de village" in page


def test_consultations_and_analyses_keep_to_the_readers_scope_and_role(
    gao_client: Client, analyst_client: Client, commission_client: Client, commission_officer: User
) -> None:
    mopti = ProjectFactory.create(region=region("MOP"))
    gao = ProjectFactory.create(region=region("GAO"))
    # A regional officer writes nothing on another region's project: not found.
    response = gao_client.post(reverse("cvr:consultation-add", args=[mopti.pk]), _consultation())
    assert response.status_code == 404 and not CommunityConsultation.objects.exists()
    response = gao_client.post(
        reverse("cvr:project-analysis", args=[mopti.pk]), {"political_economy": "x", "risk_analysis": "y"}
    )
    assert response.status_code == 404
    # Nor does an analyst anywhere.
    assert (
        analyst_client.post(reverse("cvr:consultation-add", args=[gao.pk]), _consultation()).status_code
        == 403
    )
    services.consultation_record(project=gao, by=commission_officer, **_consultation(on=TODAY))
    commission_client.post(
        reverse("cvr:project-analysis", args=[gao.pk]),
        {
            "political_economy": "Two trading families hold the market.",
            "risk_analysis": "Armed men on the road.",
        },
    )
    gao.refresh_from_db()
    assert gao.political_economy == "Two trading families hold the market."
    assert gao.history.latest().history_user == commission_officer
    # The analyst learns that they exist, not what they say (free text may name people).
    page = analyst_client.get(reverse("cvr:project-detail", args=[gao.pk])).content.decode()
    assert "Two trading families" not in page and "Chef de village" not in page and "a well near" not in page
    assert "Enregistrée" in page  # the analyses, as the analyst sees them
    api = analyst_client.get(reverse("api-cvrproject-detail", args=[gao.pk])).json()
    assert api["political_economy_recorded"] and api["risk_analysis_recorded"] and api["consultations"] == 1
    assert "political_economy" not in api


@pytest.fixture
def mopti_depot() -> StorageLocation:
    return StorageLocation.objects.create(name="Dépôt de la gendarmerie de Mopti", region=region("MOP"))


@pytest.fixture
def crp() -> Project:
    return ProjectFactory.create(code="RVC-2017-CRP", region=region("MOP"), with_wam=True)


def _collect(location: StorageLocation, by: User, **kwargs: Any) -> WamItem:
    values: dict[str, Any] = {
        "site": None,
        "kind": WamItem.Kind.WEAPON,
        "weapon_type": "assault_rifle",
        "custodian": "Brigade de Mopti",
        "collection_place": "Soufouroulaye",
        "received_on": TODAY,
    }
    return weapons.hand_in(location=location, by=by, **(values | kwargs))


def test_a_crp_project_collects_weapons_outside_the_sites_into_the_one_register(
    commission_officer: User, mopti_depot: StorageLocation, crp: Project
) -> None:
    item = _collect(mopti_depot, commission_officer, project=crp, serial_number="PRC 001")
    assert (item.site, item.project, item.where) == (None, crp, "Soufouroulaye (RVC-2017-CRP)")
    assert item.custody.get().to_location == mopti_depot
    # The same serial is refused whether handed in on a site or collected outside.
    with pytest.raises(CantonmentRefused, match="already handed in"):
        _collect(mopti_depot, commission_officer, serial_number="prc-001")
    with pytest.raises(CantonmentRefused, match="place of collection"):
        _collect(mopti_depot, commission_officer, collection_place="  ")
    plain = ProjectFactory.create(region=region("MOP"))
    with pytest.raises(CantonmentRefused, match="no weapons and ammunition component"):
        _collect(mopti_depot, commission_officer, project=plain)
    gao_store = StorageLocation.objects.create(name="Magasin de Gao", region=region("GAO"))
    with pytest.raises(CantonmentRefused, match="project's region"):
        _collect(gao_store, commission_officer, project=crp)
    assert WamItem.objects.count() == 1


def test_collected_weapons_are_seen_in_their_region_and_on_the_project(
    commission_officer: User,
    gao_client: Client,
    commission_client: Client,
    mopti_depot: StorageLocation,
    crp: Project,
) -> None:
    item = _collect(mopti_depot, commission_officer, project=crp, serial_number="PRC-002")
    assert WamItem.objects.for_user(commission_officer).filter(pk=item.pk).exists()
    # Gao's officer: another region's store, not found.
    assert gao_client.get(reverse("cantonment:wam-detail", args=[item.pk])).status_code == 404
    listing = commission_client.get(reverse("cantonment:wam-list") + f"?project={crp.pk}").content.decode()
    assert item.receipt_number in listing and "Soufouroulaye" in listing
    page = commission_client.get(reverse("cvr:project-detail", args=[crp.pk])).content.decode()
    assert 'data-testid="collected-weapons"' in page and "1 objet collecté" in page


def test_the_hand_in_form_takes_a_collection_point_instead_of_a_site(
    commission_client: Client, mopti_depot: StorageLocation, crp: Project
) -> None:
    url = reverse("cantonment:wam-hand-in")
    form = {
        "location": mopti_depot.pk,
        "kind": "weapon",
        "weapon_type": "rifle",
        "condition": "unknown",
        "quantity": 1,
        "received_on": TODAY.isoformat(),
        "custodian": "Brigade de Mopti",
        "serial_number": "PRC-003",
    }
    response = commission_client.post(url, form)
    assert response.status_code == 200 and not WamItem.objects.exists()  # neither site nor place
    response = commission_client.post(url, form | {"collection_place": "Soufouroulaye", "project": crp.pk})
    item = WamItem.objects.get()
    assert response.status_code == 302 and (item.project, item.site) == (crp, None)
    # A site's hand-in is as before.
    site = SiteFactory.create(region=region("MOP"))
    store = StorageLocation.objects.create(name="Armurerie", region=site.region, site=site)
    commission_client.post(url, form | {"site": site.pk, "location": store.pk, "serial_number": "S-9"})
    assert WamItem.objects.filter(site=site, collection_place="").count() == 1


def test_analysts_read_no_named_contact_no_committee_note_and_no_small_count_of_weapons(
    commission_officer: User, analyst_client: Client, mopti_depot: StorageLocation, crp: Project
) -> None:
    from cvr.models import Committee

    partner = crp.partner
    assert partner is not None
    type(partner).objects.filter(pk=partner.pk).update(contact="M. Diallo, 76 00 00 00")
    Committee.objects.create(
        partner=partner, name="Comité de Sévaré", kind=Committee.Kind.COMMUNITY, region=region("MOP"),
        formed_on=dt.date(2018, 1, 1), members=10, women=4, note="Présidé par M. Diallo",
    )  # fmt: skip
    _collect(mopti_depot, commission_officer, project=crp, serial_number="PRC-010")
    page = analyst_client.get(reverse("cvr:partner-detail", args=[partner.pk])).content.decode()
    assert "M. Diallo" not in page
    committees = analyst_client.get(reverse("api-cvrcommittee-list")).json()
    rows = committees["results"] if isinstance(committees, dict) else committees
    assert rows and all("note" not in row for row in rows)
    api = analyst_client.get(reverse("api-cvrproject-detail", args=[crp.pk])).json()
    assert api["weapons_collected"] == 0  # one item: a small count, not shown
