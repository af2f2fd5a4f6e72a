"""Cantonment in the API and the browser: writes through the services, refusals as 400s with the
field named, scoping by region, pseudonyms for analysts."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cantonment.models import CantonmentStay, InventoryItem, Site, StorageLocation, WamItem
from cantonment.sites import services as stays
from cantonment.weapons import services as weapons
from ddr.models import Combatant, Sex

from ..factories import CombatantFactory, SiteFactory, region

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def gao_site() -> Site:
    return SiteFactory.create(name="Fafa", region=region("GAO"), capacity=2, places_for_women=1)


@pytest.fixture
def kidal_site() -> Site:
    return SiteFactory.create(name="Tessalit", region=region("KID"))


def test_api_check_in_then_check_out(gao_client: Client, gao_site: Site) -> None:
    person = CombatantFactory.create(status=Combatant.Status.ORIENTED)
    response = gao_client.post(
        "/api/stays/",
        {"person": person.pk, "site": gao_site.pk, "checked_in_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    stay = response.json()
    assert stay["leave_by"] == (TODAY + dt.timedelta(days=45)).isoformat()
    assert stay["person"] == person.pk
    out = gao_client.post(
        f"/api/stays/{stay['id']}/check-out/",
        {"checked_out_on": (TODAY - dt.timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert out.status_code == 400 and "précéder l'entrée" in out.json()["on"][0]
    out = gao_client.post(
        f"/api/stays/{stay['id']}/check-out/",
        {"checked_out_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert out.status_code == 200 and out.json()["checked_out_on"] == TODAY.isoformat()


def test_api_refusals_are_400s_that_change_nothing(gao_client: Client, gao_site: Site) -> None:
    women = [CombatantFactory.create(sex=Sex.FEMALE) for _ in range(2)]
    first = gao_client.post(
        "/api/stays/",
        {"person": women[0].pk, "site": gao_site.pk, "checked_in_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert first.status_code == 201
    second = gao_client.post(
        "/api/stays/",
        {"person": women[1].pk, "site": gao_site.pk, "checked_in_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert second.status_code == 400 and "femmes" in second.json()["site"][0]
    lower = gao_client.patch(f"/api/sites/{gao_site.pk}/", {"capacity": 0}, content_type="application/json")
    assert lower.status_code == 400 and "capacity" in lower.json()
    gao_site.refresh_from_db()
    assert (gao_site.capacity, gao_site.occupancy) == (2, 1)
    assert CantonmentStay.objects.count() == 1
    garbage = gao_client.post("/api/stays/", {"person": "x", "site": None}, content_type="application/json")
    assert garbage.status_code == 400 and {"person", "site", "checked_in_on"} <= set(garbage.json())


def test_a_regional_officer_never_reaches_another_region(
    gao_client: Client, kidal_site: Site, commission_officer: Any
) -> None:
    kidal_person = CombatantFactory.create(region=region("KID"))
    stay = stays.check_in(person=kidal_person, site=kidal_site, on=TODAY, by=commission_officer)
    assert gao_client.get(f"/api/sites/{kidal_site.pk}/").status_code == 404
    assert gao_client.get(f"/api/stays/{stay.pk}/").status_code == 404
    assert gao_client.get("/api/stays/").json()["count"] == 0
    response = gao_client.post(
        "/api/stays/",
        {"person": CombatantFactory.create().pk, "site": kidal_site.pk, "checked_in_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400 and "site" in response.json()
    assert gao_client.get(reverse("cantonment:site-detail", args=[kidal_site.pk])).status_code == 404
    assert gao_client.post(reverse("cantonment:stay-check-out", args=[stay.pk]), {"on": TODAY}).status_code == 404


def test_analysts_read_pseudonyms_and_never_write(
    analyst_client: Client, gao_site: Site, commission_officer: Any
) -> None:
    person = CombatantFactory.create()
    stays.check_in(person=person, site=gao_site, on=TODAY, by=commission_officer)
    assert analyst_client.get("/api/stays/").status_code == 403  # a row per person: not for analysts
    assert analyst_client.get("/api/sites/").json()["results"][0]["occupancy"] == 0  # 1 < 5: left out
    denied = analyst_client.post(
        "/api/stays/", {"person": person.pk, "site": gao_site.pk, "checked_in_on": TODAY.isoformat()}
    )
    assert denied.status_code == 403
    page = analyst_client.get(reverse("cantonment:site-detail", args=[gao_site.pk]))
    assert page.status_code == 200 and person.family_name not in page.content.decode()


def test_api_hand_in_transfer_and_duplicate_serial(gao_client: Client, gao_site: Site) -> None:
    armoury = StorageLocation.objects.create(name="Armurerie", region=gao_site.region, site=gao_site)
    depot = StorageLocation.objects.create(name="Dépôt", region=gao_site.region)
    body = {
        "site": gao_site.pk,
        "location": armoury.pk,
        "kind": "weapon",
        "weapon_type": "assault_rifle",
        "serial_number": "AK-77",
        "received_on": TODAY.isoformat(),
        "custodian": "Sgt Diarra",
    }
    created = gao_client.post("/api/weapons/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    again = gao_client.post("/api/weapons/", body, content_type="application/json")
    assert again.status_code == 400 and "déjà été remis" in again.json()["serial_number"][0]
    item = created.json()["id"]
    wrong = gao_client.post(
        f"/api/weapons/{item}/transfer/",
        {"from_location": depot.pk, "to_location": armoury.pk, "custodian": "X", "on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and "ne détient pas" in wrong.json()["from_location"][0]
    moved = gao_client.post(
        f"/api/weapons/{item}/transfer/",
        {
            "from_location": armoury.pk,
            "to_location": depot.pk,
            "custodian": "Cne Sow",
            "on": TODAY.isoformat(),
        },
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["location"] == depot.pk
    events = gao_client.get(f"/api/custody-events/?item={item}").json()["results"]
    assert [e["kind"] for e in events] == ["received", "transfer"]


def test_api_inventory_movements_and_frozen_items(gao_client: Client, commission_officer: Any) -> None:
    created = gao_client.post(
        "/api/inventory/",
        {
            "code": "CONT-9",
            "kind": "container",
            "contents": "Lits",
            "region": "GAO",
            "location": "Gao",
            "custodian": "UNOPS",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    other_region = gao_client.post(
        "/api/inventory/",
        {"code": "CONT-10", "contents": "Lits", "region": "KID", "location": "Kidal", "custodian": "UNOPS"},
        content_type="application/json",
    )
    assert other_region.status_code == 400 and "region" in other_region.json()
    item_id = created.json()["id"]
    out = gao_client.post(
        f"/api/inventory/{item_id}/movements/",
        {"direction": "out", "quantity": 5, "on": TODAY.isoformat(), "counterpart": "Fafa"},
        content_type="application/json",
    )
    assert out.status_code == 400 and "quantity" in out.json()
    from cantonment.inventory import services as inventory

    inventory.handover_make(
        items=[InventoryItem.objects.get(pk=item_id)],
        reference="REM-1",
        authority="Mairie de Gao",
        received_by="Le maire",
        on=TODAY,
        by=commission_officer,
    )
    frozen = gao_client.post(
        f"/api/inventory/{item_id}/movements/",
        {"direction": "in", "quantity": 1, "on": TODAY.isoformat(), "counterpart": "x"},
        content_type="application/json",
    )
    assert frozen.status_code == 400 and "a été remis" in str(frozen.json())


def test_site_page_check_in_shows_occupancy_and_leave_by(gao_client: Client, gao_site: Site) -> None:
    person = CombatantFactory.create(status=Combatant.Status.ORIENTED)
    response = gao_client.post(
        reverse("cantonment:site-check-in", args=[gao_site.pk]),
        {"registration_number": person.registration_number.lower(), "on": TODAY.isoformat()},
        follow=True,
    )
    html = response.content.decode()
    assert "sortie au plus tard le" in html
    assert "1 places occupées sur 2" in html
    assert person.registration_number in html


def test_site_pages_answer_in_a_fixed_number_of_queries(
    commission_client: Client, gao_site: Site, commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    stays.check_in(person=CombatantFactory.create(), site=gao_site, on=TODAY, by=commission_officer)
    with django_assert_max_num_queries(25) as one:
        commission_client.get(reverse("cantonment:site-detail", args=[gao_site.pk]))
    stays.check_in(person=CombatantFactory.create(), site=gao_site, on=TODAY, by=commission_officer)
    with django_assert_max_num_queries(len(one.captured_queries)):
        commission_client.get(reverse("cantonment:site-detail", args=[gao_site.pk]))


def test_at_the_gate_check_in_and_out_come_right_after_the_key_figures(
    gao_client: Client, gao_site: Site, commission_officer: Any
) -> None:
    """On a phone the columns stack: the page's order is the order the officer scrolls through."""
    stays.check_in(person=CombatantFactory.create(), site=gao_site, on=TODAY, by=commission_officer)
    page = gao_client.get(reverse("cantonment:site-detail", args=[gao_site.pk])).content.decode()
    where = {
        testid: page.index(f'data-testid="{testid}"')
        for testid in ("occupancy", "check-in", "stays", "lifecycle", "site-wam")
    }
    check_out = page.index(reverse("cantonment:stay-check-out", args=[gao_site.stays.get().pk]))
    assert where["occupancy"] < where["check-in"] < where["stays"] < check_out < where["lifecycle"]
    assert check_out < where["site-wam"]


def test_wam_pages_receipt_and_reconciliation(
    commission_client: Client, gao_site: Site, commission_officer: Any
) -> None:
    armoury = StorageLocation.objects.create(name="Armurerie", region=gao_site.region, site=gao_site)
    person = CombatantFactory.create()
    response = commission_client.post(
        reverse("cantonment:wam-hand-in"),
        {
            "site": gao_site.pk,
            "location": armoury.pk,
            "kind": "weapon",
            "weapon_type": "rifle",
            "serial_number": "MAS-36-1",
            "quantity": 1,
            "condition": "serviceable",
            "registration_number": person.registration_number,
            "received_on": TODAY.isoformat(),
            "custodian": "Sgt Diarra",
        },
        follow=True,
    )
    item = WamItem.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cantonment:wam-detail", args=[item.pk])
    receipt = commission_client.get(reverse("cantonment:wam-receipt", args=[item.pk])).content.decode()
    assert item.receipt_number in receipt and person.registration_number in receipt
    # The commission's letterhead, with the site and the day of the hand-in.
    with translation.override("fr"):
        issuer = gettext("National Commission for Disarmament, Demobilisation and Reintegration (CNDDR)")
        where = gettext("%(place)s, on %(date)s") % {"place": gao_site.name, "date": f"{TODAY:%d/%m/%Y}"}
    assert 'data-testid="letterhead"' in receipt
    assert html.escape(issuer) in receipt and html.escape(where) in receipt
    report = commission_client.get(reverse("cantonment:wam-reconciliation")).content.decode()
    assert "MAS361" in report  # handed in by someone who never declared it
    duplicate = commission_client.post(
        reverse("cantonment:wam-hand-in"),
        {
            "site": gao_site.pk,
            "location": armoury.pk,
            "kind": "weapon",
            "weapon_type": "rifle",
            "serial_number": "mas 36 1",
            "quantity": 1,
            "condition": "serviceable",
            "received_on": TODAY.isoformat(),
            "custodian": "Sgt Diarra",
        },
    )
    assert duplicate.status_code == 200 and "déjà été remis" in duplicate.content.decode()
    assert WamItem.objects.count() == 1
    weapons.stock_checks_generate(TODAY)
    checks = commission_client.get(reverse("cantonment:stock-check-list")).content.decode()
    assert "Armurerie" in checks


def test_map_data_is_scoped_geojson(gao_client: Client, gao_site: Site, kidal_site: Site) -> None:
    Site.objects.filter(pk__in=[gao_site.pk, kidal_site.pk]).update(latitude=16.27, longitude=-0.04)
    data = gao_client.get(reverse("cantonment:site-map-data")).json()
    assert [f["properties"]["name"] for f in data["features"]] == ["Fafa"]
    assert data["features"][0]["geometry"]["coordinates"] == [-0.04, 16.27]
    assert gao_client.get(reverse("cantonment:site-map")).status_code == 200


def test_handover_page_and_pdf(commission_client: Client) -> None:
    item = InventoryItem.objects.create(
        code="CONT-1", contents="Tentes", region=region("GAO"), location="Gao", custodian="UNOPS"
    )
    response = commission_client.post(
        reverse("cantonment:handover-new"),
        {
            "reference": "REM-2024-7",
            "authority": "Mairie de Gao",
            "received_by": "M. Touré",
            "on": TODAY.isoformat(),
            "items": [item.pk],
        },
        follow=True,
    )
    assert response.status_code == 200 and "REM-2024-7" in response.content.decode()
    handover = item.__class__.objects.get(pk=item.pk).handover
    pdf = commission_client.get(reverse("cantonment:handover-receipt", args=[handover.pk]))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_reconciliation_api_counts_and_suppresses_small_cells_for_analysts(
    commission_client: Client, analyst_client: Client, gao_site: Site, commission_officer: Any
) -> None:
    from ddr.models import DeclaredWeapon

    armoury = StorageLocation.objects.create(name="Armurerie", region=gao_site.region, site=gao_site)
    people = [CombatantFactory.create() for _ in range(6)]
    for n, person in enumerate(people):
        DeclaredWeapon.objects.create(combatant=person, kind="rifle", serial_number=f"G{n}")
        weapons.hand_in(
            site=gao_site,
            location=armoury,
            kind="weapon",
            weapon_type="rifle",
            serial_number=f"G{n}",
            received_on=TODAY,
            custodian="Sgt",
            by=commission_officer,
            person=person,
        )
    staff = commission_client.get("/api/weapons/reconciliation/").json()
    assert staff["by_movement"] == [
        {"movement": "GATIA", "declared": 6, "handed_in": 6, "matched": 6, "not_handed_in": 0}
    ]
    assert staff["by_site"] == [{"site": "Fafa", "weapons": 6, "rounds": 0}]
    analyst = analyst_client.get("/api/weapons/reconciliation/").json()
    assert analyst["by_movement"] == [
        {"movement": "GATIA", "declared": 6, "handed_in": 6, "matched": 6, "not_handed_in": 0}
    ]
    assert analyst["undeclared_serials"] == 0
    # One undeclared weapon more: it shows nowhere, so handed in minus matched stays 0.
    weapons.hand_in(
        site=gao_site,
        location=armoury,
        kind="weapon",
        weapon_type="rifle",
        serial_number="X1",
        received_on=TODAY,
        custodian="Sgt",
        by=commission_officer,
        person=CombatantFactory.create(),
    )
    after = analyst_client.get("/api/weapons/reconciliation/").json()
    assert after["by_movement"][0]["handed_in"] == 6 and after["by_site"][0]["weapons"] == 6


def test_admin_refuses_a_capacity_below_the_people_present(
    admin_client: Client, gao_site: Site, commission_officer: Any
) -> None:
    stays.check_in(person=CombatantFactory.create(), site=gao_site, on=TODAY, by=commission_officer)
    data = {
        "name": gao_site.name,
        "kind": gao_site.kind,
        "region": gao_site.region_id,
        "capacity": 0,
        "places_for_women": 0,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:cantonment_site_change", args=[gao_site.pk]), data)
    assert response.status_code == 200
    assert "1 personnes sont sur le site" in response.content.decode()
    gao_site.refresh_from_db()
    assert gao_site.capacity == 2


def test_home_page_shows_overstays_flagged_by_the_daily_job(
    commission_client: Client, gao_site: Site, commission_officer: Any
) -> None:
    stays.check_in(
        person=CombatantFactory.create(), site=gao_site, on=TODAY - dt.timedelta(days=50), by=commission_officer
    )
    stays.stays_flag(TODAY)
    page = commission_client.get("/").content.decode()
    assert 'data-testid="stay-alerts"' in page and "1 dépassement" in page


@pytest.mark.parametrize(
    "name",
    ["cantonment:wam-list", "cantonment:wam-hand-in", "cantonment:stock-check-list", "cantonment:wam-reconciliation", "cantonment:inventory-list", "cantonment:handover-new"],
)
def test_analysts_and_child_protection_do_not_reach_weapons_or_equipment(
    analyst_client: Client, child_protection_client: Client, name: str
) -> None:
    assert analyst_client.get(reverse(name)).status_code == 403
    assert child_protection_client.get(reverse(name)).status_code == 403


def test_person_page_shows_stays_and_weapons_handed_in(
    commission_client: Client, gao_site: Site, commission_officer: Any
) -> None:
    person = CombatantFactory.create()
    stays.check_in(person=person, site=gao_site, on=TODAY, by=commission_officer)
    armoury = StorageLocation.objects.create(name="Armurerie", region=gao_site.region, site=gao_site)
    item = weapons.hand_in(
        site=gao_site,
        location=armoury,
        kind="weapon",
        weapon_type="rifle",
        serial_number="P1",
        received_on=TODAY,
        custodian="Sgt",
        by=commission_officer,
        person=person,
    )
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk])).content.decode()
    assert 'data-testid="person-stays"' in page and "Fafa" in page
    assert item.receipt_number in page
