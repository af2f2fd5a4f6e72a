"""Distributions in kind recorded offline (docs/offline-sync.md): through the browser's service, once
per op_id, refused with its reason (a card out of scope, already handed over, an open appeal, a role
that may not distribute) and nothing changed then; the snapshot says what is due, in a few queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from ddr.models import Combatant, Distribution, Entitlement, card_token_for
from programme.offline.models import SyncOperation

from ..ddr.accountability.appeals_setup import K, filed
from ..ddr.reintegration.payments_setup import enrolled
from ..factories import region
from .test_offline_sync import OPERATIONS, SNAPSHOT, _device, _op, _sync

pytestmark = pytest.mark.django_db

ON = dt.date(2024, 2, 15)


def toolkit(person: Combatant) -> Entitlement:
    return Entitlement.objects.get(combatant=person, component__delivery="in_kind")


def _handover(person: Combatant, **changes: Any) -> dict[str, Any]:
    data = {
        "token": card_token_for(person.pk),
        "entitlement": toolkit(person).pk,
        "place": "Site de Gao",
        "confirmation": "thumbprint",
        "on": ON.isoformat(),
        **changes,
    }
    return _op("distribution", data=data)


def test_a_distribution_is_applied_once(
    gao_client: Client, gao_officer: Any, commission_officer: Any
) -> None:
    (person,) = enrolled(commission_officer, 1)
    device = _device(gao_client)
    op = _handover(person)
    (first,) = _sync(gao_client, device, op)
    assert first["status"] == "applied", first
    assert first["person"] == person.pk and first["registration_number"] == person.registration_number
    (again,) = _sync(gao_client, device, op)
    assert again["status"] == "already_applied"
    distribution = Distribution.objects.get()
    assert (distribution.combatant, distribution.handed_over_by, distribution.handed_over_on) == (
        person,
        gao_officer,
        ON,
    )
    assert (toolkit(person).state, toolkit(person).settled_on) == ("delivered", ON)
    history = Distribution.history.get()
    assert history.history_user == gao_officer and "offline" in history.history_change_reason


def test_already_handed_over_is_refused_and_changes_nothing(
    gao_client: Client, commission_officer: Any
) -> None:
    (person,) = enrolled(commission_officer, 1)
    device = _device(gao_client)
    _sync(gao_client, device, _handover(person))
    (second,) = _sync(gao_client, device, _handover(person, place="Ailleurs"))
    assert second["status"] == "refused" and "Already handed over on 15/02/2024" in second["reason"]
    assert Distribution.objects.get().place == "Site de Gao"
    assert SyncOperation.objects.filter(kind="distribution", status="refused").count() == 1


def test_a_card_out_of_scope_is_refused(gao_client: Client, commission_officer: Any) -> None:
    (kidal,) = enrolled(commission_officer, 1, region=region("KID"))
    device = _device(gao_client)
    (result,) = _sync(gao_client, device, _handover(kidal))
    assert result["status"] == "refused" and "No card with this token" in result["reason"]
    assert not Distribution.objects.exists() and toolkit(kidal).state == "due"


def test_a_card_of_another_person_is_refused(gao_client: Client, commission_officer: Any) -> None:
    first, second = enrolled(commission_officer, 2)
    device = _device(gao_client)
    (result,) = _sync(gao_client, device, _handover(first, entitlement=toolkit(second).pk))
    assert result["status"] == "refused" and "not the card holder's" in result["reason"]
    assert not Distribution.objects.exists()


def test_an_open_appeal_holds_the_hand_over(gao_client: Client, commission_officer: Any) -> None:
    (person,) = enrolled(commission_officer, 1)
    filed(K.ELIGIBILITY, person.pk, commission_officer)
    device = _device(gao_client)
    (result,) = _sync(gao_client, device, _handover(person))
    assert result["status"] == "refused" and "open appeal" in result["reason"]
    assert not Distribution.objects.exists() and toolkit(person).state == "due"


def test_a_role_that_may_not_distribute_is_refused(
    child_protection_client: Client, commission_officer: Any
) -> None:
    (person,) = enrolled(commission_officer, 1)
    device = _device(child_protection_client)
    response = child_protection_client.post(
        OPERATIONS,
        {"device": device, "operations": [_handover(person)]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    (result,) = response.json()["results"]
    assert result["status"] == "refused" and "may not record this" in result["reason"]
    assert not Distribution.objects.exists()
    snapshot = child_protection_client.get(SNAPSHOT, {"device": device}).json()
    assert snapshot["distributions"] == []


def test_bad_data_is_refused_not_an_error(gao_client: Client, commission_officer: Any) -> None:
    (person,) = enrolled(commission_officer, 1)
    device = _device(gao_client)
    results = _sync(
        gao_client,
        device,
        _handover(person, entitlement="x"),
        _handover(person, on="hier"),
        _handover(person, confirmation="nod"),
        _handover(person, place=" "),
    )
    assert [r["status"] for r in results] == ["refused"] * 4
    assert not Distribution.objects.exists()


def test_the_snapshot_lists_what_is_due_in_a_constant_number_of_queries(
    gao_client: Client, commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    (person,) = enrolled(commission_officer, 1)
    enrolled(commission_officer, 1, region=region("KID"))
    device = _device(gao_client)
    with CaptureQueriesContext(connection) as one:
        data = gao_client.get(SNAPSHOT, {"device": device}).json()
    assert data["distributions"] == [
        {
            "person": person.pk,
            "card": card_token_for(person.pk),
            "entitlements": [
                {
                    "id": toolkit(person).pk,
                    "label": toolkit(person).component.label,
                    "due_on": str(toolkit(person).due_on),
                }
            ],
        }
    ]
    enrolled(commission_officer, 5)
    with django_assert_max_num_queries(len(one.captured_queries)):
        data = gao_client.get(SNAPSHOT, {"device": device}).json()
    assert len(data["distributions"]) == 6
    _sync(gao_client, device, _handover(person))
    data = gao_client.get(SNAPSHOT, {"device": device}).json()
    assert person.pk not in [d["person"] for d in data["distributions"]]
