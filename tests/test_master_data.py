"""Master data kept by national staff in the browser (units, CVR partners and their committees,
armed groups and coalitions, funding sources): each form creates and edits with a history row
naming the user, refuses the roles that do not own the data, shows the services' rules as field
errors with nothing changed; and the register of decisions linked both ways to a list endorsed
and a rule set adopted (with its quotas)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import Body, Decision
from cvr import services as cvr_services
from cvr.models import Committee, Partner
from ddr.lists import services as list_services
from ddr.lists.services import ListRefused
from ddr.models import ArmedGroup, Coalition, CoalitionMembership, FundingSource, RuleSet, SubmittedList
from integration.models import Unit
from programme.governance import services as governance
from tests.factories import (
    FundingSourceFactory,
    PartnerFactory,
    ProjectFactory,
    RuleSetFactory,
    UnitFactory,
    group,
    region,
)

pytestmark = pytest.mark.django_db


def _last_history_user(record: Any) -> User | None:
    return record.history.order_by("-history_date", "-history_id").first().history_user


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


# --- units ----------------------------------------------------------------------------------

UNIT = {
    "name": "MOC Tombouctou",
    "kind": "moc",
    "location": "Tombouctou",
    "parent_structure": "",
    "established": "2018-01-15",
    "dissolved": "",
    "interim_until": "2018-07-15",
    "authorised_strength": 600,
}


def test_a_commission_officer_creates_and_edits_a_unit_with_its_history(
    commission_client: Client, commission_officer: User
) -> None:
    created = _post(commission_client, reverse("integration:unit-new"), UNIT | {"region": region("TBK").pk})
    unit = Unit.objects.get(name="MOC Tombouctou")
    assert created["Location"] == reverse("integration:unit-detail", args=[unit.pk])
    assert _last_history_user(unit) == commission_officer

    edited = _post(
        commission_client,
        reverse("integration:unit-edit", args=[unit.pk]),
        UNIT | {"region": region("TBK").pk, "dissolved": "2021-12-31"},
    )
    assert edited.status_code == 302
    unit.refresh_from_db()
    assert unit.dissolved == dt.date(2021, 12, 31)
    assert unit.history.count() == 2
    page = commission_client.get(reverse("integration:unit-edit", args=[unit.pk])).content.decode()
    assert 'data-testid="history"' in page  # who, when, before and after, under the form


def test_a_unit_dissolved_before_it_was_established_is_a_field_error_and_nothing_changes(
    commission_client: Client,
) -> None:
    unit = UnitFactory.create(established=dt.date(2018, 1, 1))
    response = _post(
        commission_client,
        reverse("integration:unit-edit", args=[unit.pk]),
        UNIT
        | {
            "name": unit.name,
            "region": unit.region_id,
            "established": "2018-01-01",
            "dissolved": "2017-01-01",
        },
    )
    assert response.status_code == 400
    assert "dissolved after it was established" in " ".join(response.context["form"].errors["dissolved"])
    unit.refresh_from_db()
    assert unit.dissolved is None and unit.history.count() == 1


def test_the_unit_service_refuses_what_the_form_refuses(commission_officer: User) -> None:
    from integration.services import IntegrationRefused, unit_save

    with pytest.raises(IntegrationRefused) as refused:
        unit_save(
            unit=None,
            by=commission_officer,
            name="BATFAR X",
            kind="batfar",
            region=region("GAO"),
            established=dt.date(2020, 1, 1),
            interim_until=dt.date(2019, 1, 1),
        )
    assert refused.value.field == "interim_until"
    assert not Unit.objects.filter(name="BATFAR X").exists()


@pytest.mark.parametrize("who", ["gao_client", "analyst_client", "child_protection_client"])
def test_units_are_edited_by_national_staff_only(who: str, request: Any) -> None:
    client = request.getfixturevalue(who)
    unit = UnitFactory.create()
    assert client.get(reverse("integration:unit-new")).status_code == 403
    data = UNIT | {"region": unit.region_id}
    assert client.post(reverse("integration:unit-edit", args=[unit.pk]), data).status_code == 403
    unit.refresh_from_db()
    assert unit.name != "MOC Tombouctou"


def test_a_regional_officer_still_reads_the_units_of_their_region(gao_client: Client) -> None:
    UnitFactory.create(name="BATFAR Gao")
    UnitFactory.create(name="BATFAR Kidal", region=region("KID"))
    page = gao_client.get(reverse("integration:unit-list")).content.decode()
    assert "BATFAR Gao" in page and "BATFAR Kidal" not in page
    assert 'data-testid="unit-new"' not in page


# --- CVR partners and their committees ------------------------------------------------------


def test_a_partner_is_created_with_its_regions_and_edited(
    commission_client: Client, commission_officer: User
) -> None:
    data = {"name": "ONG Tilwat", "acronym": "TIL", "kind": "local_ngo", "regions": [region("GAO").pk]}
    created = _post(commission_client, reverse("cvr:partner-new"), data)
    partner = Partner.objects.get(name="ONG Tilwat")
    assert created["Location"] == reverse("cvr:partner-detail", args=[partner.pk])
    assert list(partner.regions.values_list("code", flat=True)) == ["GAO"]
    assert _last_history_user(partner) == commission_officer

    edited = _post(
        commission_client,
        reverse("cvr:partner-edit", args=[partner.pk]),
        data | {"contact": "Bureau de Gao", "regions": [region("GAO").pk, region("TBK").pk]},
    )
    assert edited.status_code == 302
    partner.refresh_from_db()
    assert partner.contact == "Bureau de Gao"
    assert set(partner.regions.values_list("code", flat=True)) == {"GAO", "TBK"}


COMMITTEE = {
    "name": "Comité de gestion du périmètre",
    "kind": "project",
    "commune": "Gao",
    "formed_on": "2022-07-01",
    "dissolved_on": "",
    "members": 9,
    "women": 4,
    "women_leaders": 1,
    "note": "",
}


def test_a_committee_with_its_members_and_women_is_recorded_then_dissolved(
    commission_client: Client, commission_officer: User
) -> None:
    project = ProjectFactory.create()
    partner = project.partner
    url = reverse("cvr:committee-new", args=[partner.pk])
    created = _post(commission_client, url, COMMITTEE | {"region": region("GAO").pk, "project": project.pk})
    assert created.status_code == 302, created.context["form"].errors
    committee = Committee.objects.get(partner=partner)
    assert (committee.members, committee.women, committee.project) == (9, 4, project)
    assert _last_history_user(committee) == commission_officer

    _post(
        commission_client,
        reverse("cvr:committee-edit", args=[committee.pk]),
        COMMITTEE | {"region": region("GAO").pk, "dissolved_on": "2023-06-30"},
    )
    committee.refresh_from_db()
    assert committee.dissolved_on == dt.date(2023, 6, 30)  # dissolved, kept
    page = commission_client.get(reverse("cvr:partner-detail", args=[partner.pk])).content.decode()
    assert "Comité de gestion du périmètre" in page


def test_more_women_than_members_is_a_field_error_and_nothing_is_saved(commission_client: Client) -> None:
    partner = PartnerFactory.create()
    response = _post(
        commission_client,
        reverse("cvr:committee-new", args=[partner.pk]),
        COMMITTEE | {"region": region("GAO").pk, "members": 5, "women": 6},
    )
    assert response.status_code == 400
    assert "more women than members" in " ".join(response.context["form"].errors["women"])
    assert not Committee.objects.exists()


def test_the_committee_service_refuses_alike(commission_officer: User) -> None:
    partner = PartnerFactory.create()
    other = ProjectFactory.create()  # run by another partner
    values = {
        "name": "Comité",
        "kind": "project",
        "region": region("GAO"),
        "formed_on": dt.date(2022, 1, 1),
        "members": 5,
    }
    with pytest.raises(cvr_services.CVRRefused) as refused:
        cvr_services.committee_save(committee=None, partner=partner, by=commission_officer, women=6, **values)
    assert refused.value.field == "women"
    with pytest.raises(cvr_services.CVRRefused) as refused:
        cvr_services.committee_save(
            committee=None, partner=partner, by=commission_officer, project=other, **values
        )
    assert refused.value.field == "project"
    assert not Committee.objects.exists()


def test_a_regional_officer_reads_their_regions_committees_only_and_edits_none(
    gao_client: Client, commission_officer: User
) -> None:
    partner = PartnerFactory.create()
    for code in ("GAO", "KID"):
        cvr_services.committee_save(
            committee=None,
            partner=partner,
            by=commission_officer,
            name=f"Comité {code}",
            kind="community",
            region=region(code),
            formed_on=dt.date(2022, 1, 1),
            members=7,
            women=3,
        )
    page = gao_client.get(reverse("cvr:partner-detail", args=[partner.pk])).content.decode()
    assert "Comité GAO" in page and "Comité KID" not in page
    assert gao_client.get(reverse("cvr:partner-edit", args=[partner.pk])).status_code == 403
    assert gao_client.get(reverse("cvr:committee-new", args=[partner.pk])).status_code == 403


def test_an_analyst_edits_no_partner(analyst_client: Client) -> None:
    partner = PartnerFactory.create()
    assert (
        analyst_client.post(reverse("cvr:partner-edit", args=[partner.pk]), {"name": "X"}).status_code == 403
    )
    assert analyst_client.get(reverse("cvr:partner-new")).status_code == 403
    assert Partner.objects.get(pk=partner.pk).name == partner.name


# --- armed groups, coalitions and their dated memberships -----------------------------------


def test_an_armed_group_is_created_with_its_signing_date_and_un_listing(
    commission_client: Client, commission_officer: User
) -> None:
    data = {
        "code": "MSA-D",
        "name": "Mouvement pour le salut de l'Azawad (Daoussahak)",
        "kind": "splinter",
        "split_from": "",
        "signed_on": "2016-09-01",
        "listed_for_child_recruitment": "",
        "note": "Date inventée.",
    }
    created = _post(commission_client, reverse("ddr:armed-group-new"), data)
    made = ArmedGroup.objects.get(code="MSA-D")
    assert created["Location"] == reverse("ddr:armed-group-detail", args=[made.pk])
    assert made.signed_on == dt.date(2016, 9, 1) and not made.listed_for_child_recruitment
    _post(
        commission_client,
        reverse("ddr:armed-group-edit", args=[made.pk]),
        data | {"listed_for_child_recruitment": "on"},
    )
    made.refresh_from_db()
    assert made.listed_for_child_recruitment
    assert made.history.count() == 2 and _last_history_user(made) == commission_officer


def test_a_group_cannot_split_from_itself(commission_client: Client) -> None:
    mnla = group("MNLA")
    data = {"code": "MNLA", "name": mnla.name, "kind": mnla.kind, "split_from": mnla.pk}
    response = _post(commission_client, reverse("ddr:armed-group-edit", args=[mnla.pk]), data)
    assert response.status_code == 400 and "split_from" in response.context["form"].errors
    mnla.refresh_from_db()
    assert mnla.split_from is None


def test_a_membership_is_added_ended_and_kept(commission_client: Client, commission_officer: User) -> None:
    made = list_services.armed_group_save(
        group=None, by=commission_officer, code="NEW", name="Nouveau", kind="militia"
    )
    platform = Coalition.objects.get(code="PLATEFORME")
    url = reverse("ddr:membership-new", args=[made.pk])
    created = _post(
        commission_client, url, {"coalition": platform.pk, "start": "2017-01-01", "end": "", "note": ""}
    )
    assert created["Location"] == reverse("ddr:armed-group-detail", args=[made.pk])
    membership = CoalitionMembership.objects.get(group=made)
    _post(
        commission_client,
        reverse("ddr:membership-edit", args=[membership.pk]),
        {
            "coalition": platform.pk,
            "start": "2017-01-01",
            "end": "2019-06-01",
            "note": "A quitté la Plateforme.",
        },
    )
    membership.refresh_from_db()
    assert membership.end == dt.date(2019, 6, 1)
    assert _last_history_user(membership) == commission_officer
    assert made.coalition_on(dt.date(2018, 1, 1)) == platform
    assert made.coalition_on(dt.date(2020, 1, 1)) is None


def test_an_end_before_the_start_is_a_field_error_and_nothing_changes(commission_client: Client) -> None:
    membership = CoalitionMembership.objects.filter(group__code="GATIA").first()
    assert membership is not None
    before = (membership.start, membership.end)
    response = _post(
        commission_client,
        reverse("ddr:membership-edit", args=[membership.pk]),
        {"coalition": membership.coalition_id, "start": "2014-08-14", "end": "2014-01-01"},
    )
    assert response.status_code == 400
    assert "ends after it starts" in " ".join(response.context["form"].errors["end"])
    membership.refresh_from_db()
    assert (membership.start, membership.end) == before


def test_two_memberships_at_once_are_refused_by_the_form_and_by_the_service(
    commission_client: Client, commission_officer: User
) -> None:
    gatia = group("GATIA")  # in the Platform since 2014, still a member
    cma = Coalition.objects.get(code="CMA")
    count = CoalitionMembership.objects.filter(group=gatia).count()
    response = _post(
        commission_client,
        reverse("ddr:membership-new", args=[gatia.pk]),
        {"coalition": cma.pk, "start": "2020-01-01", "end": ""},
    )
    assert response.status_code == 400
    assert "already in the PLATEFORME" in " ".join(response.context["form"].errors["start"])
    with pytest.raises(ListRefused) as refused:
        list_services.membership_save(
            membership=None,
            group=gatia,
            coalition=cma,
            start=dt.date(2020, 1, 1),
            end=None,
            by=commission_officer,
        )
    assert refused.value.field == "start"
    assert CoalitionMembership.objects.filter(group=gatia).count() == count


def test_a_coalition_is_edited_with_its_signing_date(commission_client: Client) -> None:
    cma = Coalition.objects.get(code="CMA")
    assert cma.signed_on == dt.date(2015, 6, 5)  # the report's chronology, by the migration
    _post(
        commission_client,
        reverse("ddr:coalition-edit", args=[cma.pk]),
        {"code": "CMA", "name": cma.name, "signatory": "on", "signed_on": "2015-06-20", "note": "Corrigé."},
    )
    cma.refresh_from_db()
    assert cma.signed_on == dt.date(2015, 6, 20) and cma.history.count() >= 1


@pytest.mark.parametrize("who", ["gao_client", "analyst_client", "child_protection_client"])
def test_groups_and_coalitions_are_edited_by_national_staff_only(who: str, request: Any) -> None:
    client = request.getfixturevalue(who)
    mnla = group("MNLA")
    assert client.get(reverse("ddr:armed-group-list")).status_code == 200  # read, not identifying
    assert client.post(reverse("ddr:armed-group-edit", args=[mnla.pk]), {"code": "X"}).status_code == 403
    assert client.get(reverse("ddr:membership-new", args=[mnla.pk])).status_code == 403
    assert client.get(reverse("ddr:coalition-new")).status_code == 403
    assert ArmedGroup.objects.get(pk=mnla.pk).code == "MNLA"


# --- funding sources ------------------------------------------------------------------------


def test_a_funding_source_is_created_and_its_envelope_revised(
    commission_client: Client, commission_officer: User
) -> None:
    data = {"code": "pbf", "name": "Fonds pour la consolidation de la paix", "envelope_xof": 1_000_000}
    created = _post(commission_client, reverse("ddr:funding-source-new"), data)
    assert created.status_code == 302
    source = FundingSource.objects.get(code="pbf")
    _post(
        commission_client,
        reverse("ddr:funding-source-edit", args=[source.pk]),
        data | {"envelope_xof": 2_000_000, "code": "other"},
    )
    source.refresh_from_db()
    assert (source.code, source.envelope_xof) == ("pbf", 2_000_000)  # the code is chosen once
    assert source.history.count() == 2 and _last_history_user(source) == commission_officer


def test_a_negative_envelope_is_a_field_error(commission_client: Client) -> None:
    source = FundingSourceFactory.create()
    response = _post(
        commission_client,
        reverse("ddr:funding-source-edit", args=[source.pk]),
        {"code": source.code, "name": source.name, "envelope_xof": -5},
    )
    assert response.status_code == 400 and "envelope_xof" in response.context["form"].errors
    source.refresh_from_db()
    assert source.envelope_xof == 2_400_000_000


@pytest.mark.parametrize("who", ["gao_client", "analyst_client", "child_protection_client"])
def test_funding_sources_are_kept_by_national_staff_only(who: str, request: Any) -> None:
    client = request.getfixturevalue(who)
    source = FundingSourceFactory.create()
    assert client.get(reverse("ddr:funding-source-list")).status_code == 403
    assert client.post(reverse("ddr:funding-source-edit", args=[source.pk]), {"name": "X"}).status_code == 403


# --- the register of decisions, linked both ways --------------------------------------------


def _decision(by: User, body: str = Body.CTS, title: str = "Endossement des listes") -> Decision:
    return governance.decision_record(by=by, body=body, taken_on=dt.date(2018, 5, 10), title=title)


def test_a_list_endorsed_by_a_decision_links_both_ways(
    commission_client: Client, commission_officer: User
) -> None:
    decision = _decision(commission_officer)
    submitted = SubmittedList.objects.create(
        title="Liste MNLA",
        movement=group("MNLA"),
        submitted_to="cts",
        submitted_on=dt.date(2018, 5, 2),
        sha256="m".ljust(64, "0"),
        created_by=commission_officer,
    )
    response = commission_client.post(
        reverse("ddr:list-status", args=[submitted.pk]), {"status": "accepted", "decision": decision.pk}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decision) == ("accepted", decision)
    assert _last_history_user(submitted) == commission_officer
    list_page = commission_client.get(reverse("ddr:list-detail", args=[submitted.pk])).content.decode()
    assert reverse("programme:decision-detail", args=[decision.pk]) in list_page
    decision_page = commission_client.get(
        reverse("programme:decision-detail", args=[decision.pk])
    ).content.decode()
    assert reverse("ddr:list-detail", args=[submitted.pk]) in decision_page


def test_a_rule_set_adopted_by_a_decision_links_both_ways(
    admin_client: Client, administrator: User, eager_tasks: Any
) -> None:
    decision = _decision(administrator, Body.CSA, "Adoption des critères et des quotas")
    draft = RuleSetFactory.create()
    with eager_tasks():
        activated = admin_client.post(
            reverse("ddr:ruleset-activate", args=[draft.pk]), {"confirm": "yes", "decision": decision.pk}
        )
    assert activated.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.decision) == (RuleSet.Status.ACTIVE, decision)
    detail = admin_client.get(reverse("ddr:ruleset-detail", args=[draft.pk])).content.decode()
    assert reverse("programme:decision-detail", args=[decision.pk]) in detail
    decision_page = admin_client.get(
        reverse("programme:decision-detail", args=[decision.pk])
    ).content.decode()
    assert reverse("ddr:ruleset-detail", args=[draft.pk]) in decision_page
    # The next draft starts from the rule set in force without its decision: a new one adopts it.
    from ddr.eligibility.services import ruleset_draft_from

    assert ruleset_draft_from(draft, by=administrator).decision is None


def test_an_unknown_decision_changes_nothing(commission_client: Client, commission_officer: User) -> None:
    submitted = SubmittedList.objects.create(
        title="Liste HCUA",
        movement=group("HCUA"),
        submitted_to="cts",
        submitted_on=dt.date(2018, 5, 2),
        sha256="h".ljust(64, "0"),
        created_by=commission_officer,
    )
    commission_client.post(
        reverse("ddr:list-status", args=[submitted.pk]), {"status": "accepted", "decision": 999999}
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decision) == ("received", None)


# --- the API writes with the same rules ---------------------------------------------------


def test_the_api_records_a_membership_and_refuses_an_overlap_with_a_field_error(
    commission_client: Client, commission_officer: User
) -> None:
    made = list_services.armed_group_save(
        group=None, by=commission_officer, code="NEW", name="Nouveau", kind="militia"
    )
    url = "/api/coalition-memberships/"
    created = commission_client.post(
        url, {"group": "NEW", "coalition": "CMI", "start": "2016-01-01"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert _last_history_user(CoalitionMembership.objects.get(group=made)) == commission_officer
    overlap = commission_client.post(
        url, {"group": "NEW", "coalition": "CMA", "start": "2017-01-01"}, content_type="application/json"
    )
    assert overlap.status_code == 400 and "start" in overlap.json()
    backwards = commission_client.post(
        url,
        {"group": "GATIA", "coalition": "CMA", "start": "2010-01-01", "end": "2009-01-01"},
        content_type="application/json",
    )
    assert backwards.status_code == 400 and "end" in backwards.json()
    assert CoalitionMembership.objects.filter(group=made).count() == 1


def test_the_api_refuses_a_committee_with_more_women_than_members(commission_client: Client) -> None:
    partner = PartnerFactory.create()
    data = {"partner": partner.pk, "name": "Comité", "region": "GAO", "formed_on": "2022-01-01", "members": 5}
    refused = commission_client.post(
        "/api/cvr-committees/", data | {"women": 6}, content_type="application/json"
    )
    assert refused.status_code == 400 and "women" in refused.json()
    assert not Committee.objects.exists()
    created = commission_client.post(
        "/api/cvr-committees/", data | {"women": 2}, content_type="application/json"
    )
    assert created.status_code == 201 and Committee.objects.get().women == 2


def test_a_code_holding_a_nul_character_is_an_unknown_code(commission_client: Client) -> None:
    """PostgreSQL cannot compare text holding NUL: the field refuses it first (the fuzzer's find)."""
    partner = PartnerFactory.create()
    data = {"partner": partner.pk, "name": "Comité", "region": "G\x00AO", "formed_on": "2022-01-01", "members": 5}
    refused = commission_client.post("/api/cvr-committees/", data, content_type="application/json")
    assert refused.status_code == 400 and "region" in refused.json()
    membership = {"group": "MN\x00LA", "coalition": "CMI", "start": "2030-01-01"}
    refused = commission_client.post("/api/coalition-memberships/", membership, content_type="application/json")
    assert refused.status_code == 400 and "group" in refused.json()
    assert not Committee.objects.exists()


@pytest.mark.parametrize("who", ["gao_client", "analyst_client", "child_protection_client"])
def test_the_api_writes_of_master_data_are_refused_to_other_roles(who: str, request: Any) -> None:
    client = request.getfixturevalue(who)
    partner = PartnerFactory.create()
    data = {"partner": partner.pk, "name": "Comité", "region": "GAO", "formed_on": "2022-01-01", "members": 5}
    assert client.post("/api/cvr-committees/", data, content_type="application/json").status_code == 403
    membership = {"group": "MNLA", "coalition": "CMI", "start": "2030-01-01"}
    assert (
        client.post("/api/coalition-memberships/", membership, content_type="application/json").status_code
        == 403
    )
    assert not Committee.objects.exists()
