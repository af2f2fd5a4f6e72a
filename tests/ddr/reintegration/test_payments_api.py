"""The payments API: the same services and refusals as the pages, each user within their scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from ddr.models import Entitlement, PaymentBatch, card_token_for

from ...factories import region
from .payments_setup import DUE_BY, all_paid, approver, enrolled, exported, prepared, statement_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def api(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_analyst_is_refused(analyst_client: Client) -> None:
    for url in ("/api/payment-batches/", "/api/payment-statements/", "/api/distributions/"):
        assert analyst_client.get(url).status_code == 403, url


def test_prepare_and_four_eyes_through_the_api(commission_officer: Any) -> None:
    enrolled(commission_officer, 2)
    client = api(commission_officer)
    body = {"due_by": DUE_BY.isoformat(), "channel": "mobile_money", "provider": "Orange Money"}
    created = client.post("/api/payment-batches/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    batch = created.json()
    assert (batch["line_count"], batch["total_xof"], batch["status"]) == (2, 150_000, "prepared")
    refused = client.post(f"/api/payment-batches/{batch['id']}/approve/")
    assert refused.status_code == 400
    assert "another person must approve it" in str(refused.json())
    approved = api(approver()).post(f"/api/payment-batches/{batch['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_empty_selection_is_a_400(commission_officer: Any) -> None:
    body = {"due_by": DUE_BY.isoformat(), "channel": "mobile_money", "provider": "Orange Money"}
    response = api(commission_officer).post("/api/payment-batches/", body, content_type="application/json")
    assert response.status_code == 400 and "Nothing to pay" in str(response.json())
    assert not PaymentBatch.objects.exists()


def test_regional_officer_sees_only_their_region(gao_officer: Any, commission_officer: Any) -> None:
    enrolled(commission_officer, 1, region=region("GAO"))
    enrolled(commission_officer, 1, region=region("KID"))
    gao = prepared(gao_officer)
    kidal = prepared(commission_officer, region=region("KID"))
    client = api(gao_officer)
    assert [b["reference"] for b in client.get("/api/payment-batches/").json()["results"]] == [gao.reference]
    assert client.get(f"/api/payment-batches/{kidal.pk}/").status_code == 404
    assert client.post(f"/api/payment-batches/{kidal.pk}/cancel/").status_code == 404


def test_statement_upload_and_its_errors(commission_officer: Any, eager_tasks: Any) -> None:
    enrolled(commission_officer, 2)
    user = approver()
    batch = exported(commission_officer, user)
    rows = all_paid(batch)
    rows[0] = (*rows[0][:2], "EUR", *rows[0][3:])
    client = api(user)
    upload = SimpleUploadedFile("releve.csv", statement_csv(rows), content_type="text/csv")
    with eager_tasks():
        response = client.post(f"/api/payment-batches/{batch.pk}/statements/", {"file": upload})
    assert response.status_code == 202
    record = client.get(f"/api/payment-statements/{response.json()['id']}/").json()
    assert record["status"] == "refused" and record["job"]["status"] == "done"
    assert record["errors"] == [
        {"line": 2, "column": "currency", "reason": "Currency 'EUR': only XOF is paid."}
    ]


def test_distribution_through_the_api(commission_officer: Any, gao_officer: Any) -> None:
    person = enrolled(commission_officer, 1, region=region("GAO"))[0]
    kit = Entitlement.objects.get(combatant=person, component__delivery="in_kind")
    body = {
        "token": card_token_for(person.pk),
        "entitlement": kit.pk,
        "place": "Site de Gao",
        "confirmation": "thumbprint",
        "on": "2024-02-15",
    }
    client = api(gao_officer)
    created = client.post("/api/distributions/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["person"] == person.pk
    again = client.post("/api/distributions/", body, content_type="application/json")
    assert again.status_code == 400 and "Already handed over" in str(again.json())
    assert [d["entitlement"] for d in client.get("/api/distributions/").json()["results"]] == [kit.pk]


def test_another_regions_entitlement_does_not_exist(commission_officer: Any, gao_officer: Any) -> None:
    person = enrolled(commission_officer, 1, region=region("KID"))[0]
    kit = Entitlement.objects.get(combatant=person, component__delivery="in_kind")
    body = {
        "token": card_token_for(person.pk),
        "entitlement": kit.pk,
        "place": "x",
        "confirmation": "signature",
        "on": "2024-02-15",
    }
    response = api(gao_officer).post("/api/distributions/", body, content_type="application/json")
    assert response.status_code == 400 and "entitlement" in response.json()
