"""Offline field work through the sync API (docs/offline-sync.md): registration, idempotency,
field-by-field conflicts and their decision, refusals that change nothing, scope, query counts."""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cantonment.models import CantonmentStay, Site, StorageLocation, WamItem
from core.models import ExportLog
from ddr.models import Category, Combatant, DuplicatePair, WatchlistEntry
from ddr.registration.rules import is_valid_registration_number
from programme.offline.models import Device, SyncConflict, SyncOperation

from ..factories import CombatantFactory, SiteFactory, UserFactory, region

DEVICES = "/api/sync/devices/"
SNAPSHOT = "/api/sync/snapshot/"
OPERATIONS = "/api/sync/operations/"
ACKNOWLEDGE = "/api/sync/acknowledge/"


def _device(client: Client, name: str = "Tablette Gao 1") -> str:
    device_id = str(uuid.uuid4())
    response = client.post(DEVICES, {"device_id": device_id, "name": name}, content_type="application/json")
    assert response.status_code == 201, response.content
    return device_id


def _op(kind: str, *, person: int | None = None, temp_id: str | None = None, data: dict[str, Any] | None = None,
        base: dict[str, int] | None = None, made_at: dt.datetime | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "op_id": str(uuid.uuid4()),
        "kind": kind,
        "made_at": (made_at or timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "person": person,
        "temp_id": temp_id,
        "base_versions": base or {},
        "data": data or {},
    }


def _sync(client: Client, device: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(
        OPERATIONS,
        {"device": device, "operations": list(ops)},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.content
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def _registration(**changes: Any) -> dict[str, Any]:
    return {
        "family_name": "Ag Intalla",
        "given_name": "Mossa",
        "sex": "M",
        "birth_year": 1988,
        "region": "GAO",
        "movement": "GATIA",
        "category": "combatant_armed",
        "documents": [{"kind": "nina", "number": "NINA-77881"}],
        "weapons": [{"kind": "assault_rifle", "serial_number": "AK-4471"}],
        **changes,
    }


def _png(size: int = 8) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "white").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _snapshot_person(client: Client, device: str, pk: int) -> dict[str, Any]:
    response = client.get(SNAPSHOT, {"device": device})
    assert response.status_code == 200, response.content
    return next(p for p in response.json()["people"] if p["id"] == pk)


# --- devices -----------------------------------------------------------------------------


def test_a_device_is_registered_once_for_its_user(gao_client: Client, gao_officer: Any) -> None:
    device = _device(gao_client)
    again = gao_client.post(DEVICES, {"device_id": device, "name": "x"}, content_type="application/json")
    assert again.status_code == 200
    assert again.json() | {"device_id": device} == {
        "device_id": device, "name": "Tablette Gao 1", "lock_after_days": 7, "revoked": False, "last_sync_at": None,
    }  # fmt: skip
    assert Device.objects.get().user == gao_officer


def test_another_users_device_and_a_revoked_one_are_told_to_wipe(
    gao_client: Client, commission_client: Client, administrator: Any
) -> None:
    device = _device(gao_client)
    stolen = commission_client.get(SNAPSHOT, {"device": device})
    assert stolen.status_code == 403 and stolen.json()["revoked"] is True
    taken = commission_client.post(
        DEVICES, {"device_id": device, "name": "x"}, content_type="application/json"
    )
    assert taken.status_code == 403 and taken.json()["revoked"] is True
    unknown = gao_client.get(SNAPSHOT, {"device": str(uuid.uuid4())})
    assert unknown.status_code == 403 and unknown.json()["revoked"] is True

    admin = Client()
    admin.force_login(administrator)
    row = Device.objects.get()
    assert admin.post(reverse("programme:offline-device-revoke", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.revoked_by == administrator and row.history.first().history_user == administrator
    people = Combatant.objects.count()
    refused = gao_client.post(
        OPERATIONS, {"device": device, "operations": [_op("register", temp_id="T-1", data=_registration())]},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403 and refused.json()["revoked"] is True
    assert Combatant.objects.count() == people


def test_analysts_and_the_focal_point_do_not_sync(analyst_client: Client) -> None:
    response = analyst_client.post(
        DEVICES, {"device_id": str(uuid.uuid4()), "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_device_pages_are_for_administrators_only(gao_client: Client, admin_client: Client) -> None:
    _device(gao_client)
    assert gao_client.get(reverse("programme:offline-device-list")).status_code == 403
    page = admin_client.get(reverse("programme:offline-device-list"))
    assert page.status_code == 200 and "Tablette Gao 1" in page.content.decode()
    assert (
        admin_client.get(
            reverse("programme:offline-device-revoke", args=[Device.objects.get().pk])
        ).status_code
        == 405
    )


def test_the_admin_revoke_action(gao_client: Client, admin_client: Client) -> None:
    _device(gao_client)
    row = Device.objects.get()
    admin_client.post(
        reverse("admin:programme_device_changelist"), {"action": "revoke", "_selected_action": [row.pk]}
    )
    row.refresh_from_db()
    assert row.revoked


# --- snapshot ----------------------------------------------------------------------------


def test_snapshot_holds_the_scope_only_and_is_logged(gao_client: Client, gao_officer: Any) -> None:
    mine = CombatantFactory.create()
    CombatantFactory.create(region=region("KID"))
    CombatantFactory.create(category=Category.CHILD, status=Combatant.Status.REFERRED)
    site = SiteFactory.create()
    SiteFactory.create(region=region("KID"))
    device = _device(gao_client)
    data = gao_client.get(SNAPSHOT, {"device": device}).json()
    assert [p["id"] for p in data["people"]] == [mine.pk]
    assert [s["id"] for s in data["sites"]] == [site.pk]
    person = data["people"][0]
    assert person["region"] == "GAO" and person["movement"] == "GATIA" and person["site"] is None
    assert person["versions"]["family_name"] == 0
    log = ExportLog.objects.get(what="api:sync-snapshot")
    assert log.user == gao_officer and log.identity and log.row_count == 1


def test_children_only_for_child_protection(child_protection_client: Client) -> None:
    CombatantFactory.create()
    child = CombatantFactory.create(category=Category.CHILD, status=Combatant.Status.REFERRED)
    device = _device(child_protection_client)
    data = child_protection_client.get(SNAPSHOT, {"device": device}).json()
    assert [p["id"] for p in data["people"]] == [child.pk]


# --- operations --------------------------------------------------------------------------


def test_register_offline_gives_a_registration_number_with_its_check_digit(
    gao_client: Client, gao_officer: Any
) -> None:
    site = SiteFactory.create()
    device = _device(gao_client)
    register = _op("register", temp_id="T-abc-1", data=_registration(photo=_png()))
    check_in = _op("check_in", temp_id="T-abc-1", data={"site": site.pk})
    results = _sync(gao_client, device, register, check_in)
    assert [r["status"] for r in results] == ["applied", "applied"], results
    number = results[0]["registration_number"]
    assert number.startswith("GAO-") and is_valid_registration_number(number)
    person = Combatant.objects.get(registration_number=number)
    assert results[0]["person"] == results[1]["person"] == person.pk
    assert person.registered_by == gao_officer and person.photo and person.documents.count() == 1
    assert CantonmentStay.objects.get(combatant=person).site == site
    audit = person.history.order_by("history_id").first()
    assert audit.history_user == gao_officer and audit.history_change_reason.startswith("offline, made ")
    assert "received" in audit.history_change_reason
    from django.utils import translation

    from core.audit import reason_label

    with translation.override("fr"):  # a service's own reason inside reads translated too
        wrapped = "photo replaced (offline, made 2026-12-01 09:12, received 2026-12-01 17:00)"
        assert reason_label(wrapped).startswith("photo remplacée") or "remplac" in reason_label(wrapped)
    # A later batch still knows the temporary number.
    (later,) = _sync(
        gao_client, device, _op("medical", temp_id="T-abc-1", data={"examiner": "Dr Maïga", "result": "fit"})
    )
    assert later["status"] == "applied" and later["person"] == person.pk


def test_the_same_operation_twice_changes_nothing(gao_client: Client) -> None:
    device = _device(gao_client)
    register = _op("register", temp_id="T-1", data=_registration())
    (first,) = _sync(gao_client, device, register)
    (second,) = _sync(gao_client, device, register)
    assert second["status"] == "already_applied"
    assert second["registration_number"] == first["registration_number"]
    assert Combatant.objects.count() == 1 and SyncOperation.objects.count() == 1


def test_an_op_id_replayed_with_other_content_is_refused(gao_client: Client) -> None:
    device = _device(gao_client)
    register = _op("register", temp_id="T-1", data=_registration())
    _sync(gao_client, device, register)
    tampered = {**register, "data": _registration(family_name="Autre")}
    (result,) = _sync(gao_client, device, tampered)
    assert result["status"] == "refused" and "tampered" in result["reason"]
    assert list(Combatant.objects.values_list("family_name", flat=True)) == ["Ag Intalla"]


def test_under_18_becomes_a_child_record(gao_client: Client) -> None:
    device = _device(gao_client)
    year = timezone.localdate().year - 15
    (result,) = _sync(gao_client, device, _op("register", temp_id="T-1", data=_registration(birth_year=year)))
    assert result["status"] == "applied" and result["notes"]
    person = Combatant.objects.get()
    assert person.category == Category.CHILD and person.status == Combatant.Status.REFERRED
    # The officer no longer sees the child: a later operation on them is refused.
    (later,) = _sync(gao_client, device, _op("update", temp_id="T-1", data={"commune": "Ansongo"}))
    assert later["status"] == "refused"


def test_duplicates_and_watch_list_are_checked(gao_client: Client) -> None:
    existing = CombatantFactory.create(family_name="Ag Intalla", given_name="Mossa", birth_year=1988)
    WatchlistEntry.objects.create(name="Mossa Ag Intalla", reason="HRDDP")
    device = _device(gao_client)
    (result,) = _sync(gao_client, device, _op("register", temp_id="T-1", data=_registration()))
    assert result["status"] == "applied", result
    person = Combatant.objects.get(pk=result["person"])
    assert DuplicatePair.objects.filter(first=existing, second=person).exists()
    assert person.vetting_status == "pending"


# --- field by field ----------------------------------------------------------------------


def test_a_field_nobody_else_changed_is_applied(gao_client: Client) -> None:
    person = CombatantFactory.create(commune="")
    device = _device(gao_client)
    versions = _snapshot_person(gao_client, device, person.pk)["versions"]
    (result,) = _sync(
        gao_client, device, _op("update", person=person.pk, base=versions, data={"commune": "Bourem"})
    )
    assert result["status"] == "applied" and result["fields"]["applied"] == ["commune"]
    person.refresh_from_db()
    assert person.commune == "Bourem"
    assert _snapshot_person(gao_client, device, person.pk)["versions"]["commune"] == versions["commune"] + 1


def test_a_field_changed_on_both_sides_is_a_conflict_kept_for_a_reviewer(
    gao_client: Client, commission_officer: Any, commission_client: Client, gao_officer: Any
) -> None:
    person = CombatantFactory.create(given_name="Mohamed", commune="")
    device = _device(gao_client)
    versions = _snapshot_person(gao_client, device, person.pk)["versions"]
    # On the server meanwhile: the given name corrected in Bamako.
    person.given_name = "Mohammed"
    person._history_user = commission_officer  # type: ignore[attr-defined]
    person.save()
    op = _op("update", person=person.pk, base=versions, data={"given_name": "Mahamed", "commune": "Bourem"})
    (result,) = _sync(gao_client, device, op)
    assert result["status"] == "conflict"
    assert result["fields"] == {"applied": ["commune"], "conflicts": ["given_name"]}
    person.refresh_from_db()
    assert (person.given_name, person.commune) == ("Mohammed", "Bourem")  # not overwritten; the rest applied
    conflict = SyncConflict.objects.get()
    assert (conflict.device_value, conflict.server_value) == ("Mahamed", "Mohammed")
    assert conflict.device_by == gao_officer and conflict.server_by == commission_officer

    listed = commission_client.get(reverse("programme:offline-conflict-list"))
    assert person.registration_number in listed.content.decode()
    url = reverse("programme:offline-conflict-detail", args=[conflict.pk])
    page = commission_client.get(url).content.decode()
    assert "Mahamed" in page and "Mohammed" in page
    missing = commission_client.post(url, {"choice": "combined", "combined": ""})
    assert missing.status_code == 400
    decided = commission_client.post(url, {"choice": "combined", "combined": "Mohamed Mahamed"})
    assert decided.status_code == 302
    person.refresh_from_db()
    conflict.refresh_from_db()
    assert person.given_name == "Mohamed Mahamed"
    assert conflict.status == "resolved" and conflict.resolved_by == commission_officer
    assert person.history.first().history_user == commission_officer
    assert commission_client.post(url, {"choice": "device"}).status_code == 400  # decided once


def test_the_devices_own_earlier_change_is_no_conflict(gao_client: Client) -> None:
    person = CombatantFactory.create(commune="")
    device = _device(gao_client)
    versions = _snapshot_person(gao_client, device, person.pk)["versions"]
    first = _op("update", person=person.pk, base=versions, data={"commune": "Bourem"})
    second = _op("update", person=person.pk, base=versions, data={"commune": "Bourem-Sidi"})
    assert [r["status"] for r in _sync(gao_client, device, first, second)] == ["applied", "applied"]
    person.refresh_from_db()
    assert person.commune == "Bourem-Sidi"


def test_a_regional_officer_decides_only_their_regions_conflicts(
    gao_client: Client, commission_officer: Any
) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    device = Device.objects.create(device_id=uuid.uuid4(), user=commission_officer, name="x")
    operation = SyncOperation.objects.create(
        op_id=uuid.uuid4(), device=device, user=commission_officer, kind="update", digest="", person=kidal,
        made_at=timezone.now(), received_at=timezone.now(), status="conflict",
    )  # fmt: skip
    conflict = SyncConflict.objects.create(
        person=kidal, field="commune", operation=operation, device_value="A", device_by=commission_officer,
        device_at=timezone.now(), server_value="B",
    )  # fmt: skip
    assert gao_client.get(reverse("programme:offline-conflict-detail", args=[conflict.pk])).status_code == 404
    assert (
        kidal.registration_number
        not in gao_client.get(reverse("programme:offline-conflict-list")).content.decode()
    )
    assert (
        gao_client.post(
            reverse("programme:offline-conflict-detail", args=[conflict.pk]), {"choice": "device"}
        ).status_code
        == 404
    )
    kidal.refresh_from_db()
    assert kidal.commune == ""


# --- refusals: each changes nothing ---------------------------------------------------------


def _unchanged(person: Combatant) -> None:
    before = person.history.count()
    person.refresh_from_db()
    assert person.history.count() == before


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"category": "child"}, "may not change"),
        ({"status": "excluded"}, "may not change"),
        ({"region": "KID"}, "may not change"),
        ({"photo": base64.b64encode(b"MZ\x90\x00 not an image").decode()}, "JPEG, PNG or WebP"),
    ],
)
def test_refused_updates_change_nothing(gao_client: Client, data: dict[str, Any], words: str) -> None:
    person = CombatantFactory.create()
    device = _device(gao_client)
    history = person.history.count()
    (result,) = _sync(gao_client, device, _op("update", person=person.pk, data=data))
    assert result["status"] == "refused" and words in result["reason"], result
    assert person.history.count() == history
    assert SyncOperation.objects.get().status == "refused"


def test_a_photo_too_large_is_refused(gao_client: Client, settings: Any) -> None:
    settings.DDR_PHOTO_MAX_BYTES = 100
    person = CombatantFactory.create()
    device = _device(gao_client)
    (result,) = _sync(gao_client, device, _op("update", person=person.pk, data={"photo": _png(64)}))
    assert result["status"] == "refused" and "larger than" in result["reason"]
    person.refresh_from_db()
    assert not person.photo


def test_outside_scope_future_clock_merged_excluded_are_refused(gao_client: Client) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    excluded = CombatantFactory.create(status=Combatant.Status.EXCLUDED)
    merged = CombatantFactory.create(status=Combatant.Status.MERGED)
    mine = CombatantFactory.create()
    device = _device(gao_client)
    future = timezone.now() + dt.timedelta(hours=1)
    results = _sync(
        gao_client,
        device,
        _op("update", person=kidal.pk, data={"commune": "X"}),
        _op("update", person=excluded.pk, data={"commune": "X"}),
        _op("check_in", person=merged.pk, data={"site": SiteFactory.create().pk}),
        _op("update", person=mine.pk, data={"commune": "X"}, made_at=future),
        _op("update", temp_id="T-never", data={"commune": "X"}),
        _op("medical", person=999_999, data={"examiner": "X", "result": "fit"}),
    )
    assert [r["status"] for r in results] == ["refused"] * 6, results
    assert "not in your scope" in results[0]["reason"]
    assert "excluded" in results[1]["reason"].lower()
    assert "future" in results[3]["reason"]
    assert Combatant.objects.filter(commune="X").count() == 0
    assert CantonmentStay.objects.count() == 0


def test_a_check_in_to_a_full_or_closed_site_is_refused_and_listed_until_acknowledged(
    gao_client: Client,
) -> None:
    full = SiteFactory.create(capacity=0, places_for_women=0)
    closed = SiteFactory.create(status=Site.Status.CLOSED)
    person = CombatantFactory.create()
    device = _device(gao_client)
    results = _sync(
        gao_client, device,
        _op("check_in", person=person.pk, data={"site": full.pk}),
        _op("check_in", person=person.pk, data={"site": closed.pk}),
    )  # fmt: skip
    assert [r["status"] for r in results] == ["refused", "refused"]
    assert "full" in results[0]["reason"] and "operational" in results[1]["reason"]
    assert CantonmentStay.objects.count() == 0
    refusals = gao_client.get(SNAPSHOT, {"device": device}).json()["refusals"]
    assert {r["op_id"] for r in refusals} == {r["op_id"] for r in results}
    ack = gao_client.post(
        ACKNOWLEDGE, {"device": device, "op_ids": [results[0]["op_id"]]}, content_type="application/json"
    )
    assert ack.json() == {"acknowledged": 1}
    refusals = gao_client.get(SNAPSHOT, {"device": device}).json()["refusals"]
    assert [r["op_id"] for r in refusals] == [results[1]["op_id"]]


def test_reasons_come_in_the_users_language(gao_client: Client) -> None:
    device = _device(gao_client)
    op = _op("update", temp_id="T-never", data={"commune": "X"})
    response = gao_client.post(
        OPERATIONS,
        {"device": device, "operations": [op]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert (
        "Aucune personne" in response.json()["results"][0]["reason"]
        or "T-never" in response.json()["results"][0]["reason"]
    )
    english = gao_client.post(
        OPERATIONS, {"device": device, "operations": [{**op, "op_id": str(uuid.uuid4())}]},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert english.json()["results"][0]["reason"].startswith("No person was registered")


def test_screening_and_weapons_go_through_their_services(gao_client: Client) -> None:
    person = CombatantFactory.create()
    site = SiteFactory.create()
    armoury = StorageLocation.objects.create(name="Armurerie", region=site.region, site=site)
    device = _device(gao_client)
    today = timezone.localdate().isoformat()
    results = _sync(
        gao_client,
        device,
        _op("age_assessment", person=person.pk, data={"assessed_on": today, "evidence": "carte NINA", "assessed_age": 30}),
        _op("medical", person=person.pk, data={"examined_on": today, "examiner": "Dr Touré", "result": "fit"}),
        _op("check_in", person=person.pk, data={"site": site.pk, "on": today}),
        _op("weapon_handin", person=person.pk, data={"site": site.pk, "location": armoury.pk, "kind": "weapon",
            "weapon_type": "assault_rifle", "serial_number": "AK 99", "custodian": "Sgt Diallo", "received_on": today}),
        _op("check_out", person=person.pk, data={"on": today}),
    )  # fmt: skip
    assert [r["status"] for r in results] == ["applied"] * 5, results
    person.refresh_from_db()
    assert person.age_verified and person.medical_status == "fit"
    assert WamItem.objects.get().combatant == person
    assert CantonmentStay.objects.get().checked_out_on is not None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"device": "not-a-uuid", "operations": []},
        {"operations": [{"op_id": "x", "kind": "fly"}]},
    ],
)
def test_bad_requests_are_400_with_field_errors(gao_client: Client, body: Any) -> None:
    device = _device(gao_client)
    if isinstance(body, dict) and "device" not in body:
        body = {**body, "device": device}
    response = gao_client.post(OPERATIONS, body, content_type="application/json")
    assert response.status_code == 400
    assert SyncOperation.objects.count() == 0


def test_bad_data_in_one_operation_refuses_it_alone(gao_client: Client) -> None:
    device = _device(gao_client)
    results = _sync(
        gao_client, device,
        _op("register", temp_id="T-1", data=_registration(sex="X", birth_year="old")),
        _op("register", temp_id="T-2", data=_registration(given_name="Ibrahim")),
    )  # fmt: skip
    assert [r["status"] for r in results] == ["refused", "applied"]
    assert Combatant.objects.count() == 1


# --- speed: queries per operation do not grow with the batch --------------------------------


def test_queries_per_operation_are_constant(gao_client: Client, django_assert_max_num_queries: Any) -> None:
    """An update and a registration cost the same number of queries in a batch of 1 as of 20."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [CombatantFactory.create() for _ in range(21)]
    device = _device(gao_client)

    def batch(n: int, offset: int) -> list[dict[str, Any]]:
        ops = [_op("update", person=p.pk, data={"commune": f"C{p.pk}"}) for p in people[offset : offset + n]]
        for k in range(n):
            ops.append(
                _op("register", temp_id=f"T-{offset}-{k}", data=_registration(given_name=f"Nom{offset}x{k}"))
            )
        return ops

    def count(ops: list[dict[str, Any]]) -> int:
        with CaptureQueriesContext(connection) as context:
            _sync(gao_client, device, *ops)
        return len(context.captured_queries)

    fixed = count([])  # the session, the device, the batch's own look-ups
    per_pair = count(batch(1, 0)) - fixed
    with django_assert_max_num_queries(fixed + 20 * per_pair):
        _sync(gao_client, device, *batch(20, 1))
    assert SyncOperation.objects.filter(status="applied").count() == 42


def test_the_schema_documents_the_sync(commission_client: Client) -> None:
    schema = commission_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/sync/devices/",
        "/api/sync/snapshot/",
        "/api/sync/operations/",
        "/api/sync/acknowledge/",
    ):
        assert path in schema


def test_a_regional_officer_registers_in_their_region_only(gao_client: Client) -> None:
    device = _device(gao_client)
    (result,) = _sync(gao_client, device, _op("register", temp_id="T-1", data=_registration(region="KID")))
    assert result["status"] == "refused"
    assert Combatant.objects.count() == 0


def test_users_of_other_roles_cannot_sync_others_people(db: Any) -> None:
    focal = UserFactory.create(role=Role.FOCAL_POINT)
    client = Client()
    client.force_login(focal)
    assert client.get(SNAPSHOT, {"device": str(uuid.uuid4())}).status_code == 403


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
def test_the_same_operation_sent_twice_at_once_is_applied_once(reference_data: Any) -> None:
    """Two requests of a device that retried, at the same instant (PostgreSQL: real row locks)."""
    import threading

    from django.db import connections

    from programme.offline import services

    officer = UserFactory.create(role=Role.REGIONAL_OFFICER, region=region("GAO"))
    device, _created = services.device_register(device_id=uuid.uuid4(), name="x", by=officer)
    op = _op("register", temp_id="T-1", data=_registration())
    op |= {"op_id": uuid.UUID(op["op_id"]), "made_at": timezone.now() - dt.timedelta(hours=1)}
    barrier, statuses = threading.Barrier(2), []

    def send() -> None:
        try:
            barrier.wait()
            (result,) = services.operations_apply(device=device, by=officer, operations=[dict(op)])
            statuses.append(result.status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == ["already_applied", "applied"]
    assert Combatant.objects.count() == 1 and SyncOperation.objects.count() == 1


def test_a_value_out_of_range_or_off_the_list_is_refused_and_the_queue_goes_on(gao_client: Client) -> None:
    """Never a 500 that would block the device's queue at every sync: the operation is refused,
    nothing of it is stored, and the next one is applied."""
    person = CombatantFactory.create()
    site = SiteFactory.create()
    armoury = StorageLocation.objects.create(name="Armurerie", region=site.region, site=site)
    device = _device(gao_client)
    today = timezone.localdate().isoformat()
    results = _sync(
        gao_client,
        device,
        _op("medical", person=person.pk, data={"examined_on": today, "examiner": "Dr Touré", "result": "superb"}),
        _op("age_assessment", person=person.pk, data={"assessed_on": today, "evidence": "NINA", "assessed_age": 10**12}),
        _op("weapon_handin", person=person.pk, data={"site": site.pk, "location": armoury.pk, "kind": "weapon",
            "weapon_type": "bazooka", "custodian": "Sgt Diallo", "received_on": today}),
        _op("medical", person=person.pk, data={"examined_on": today, "examiner": "Dr Touré", "result": "fit"}),
    )  # fmt: skip
    assert [r["status"] for r in results] == ["refused", "refused", "refused", "applied"], results
    person.refresh_from_db()
    assert person.medical_status == "fit" and not WamItem.objects.exists()


def test_a_duplicate_in_another_region_goes_to_review_without_being_told_to_the_device(gao_client: Client) -> None:
    CombatantFactory.create(family_name="Ag Intalla", given_name="Mossa", region=region("KID"))
    device = _device(gao_client)
    (result,) = _sync(gao_client, device, _op("register", temp_id="T-abc-9", data=_registration()))
    assert result["status"] == "applied"
    assert not any("duplicate" in note for note in result.get("notes", []))
