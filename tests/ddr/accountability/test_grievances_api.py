"""The grievance API: list and detail scoped (404 out of reach), receiving and each step through
the services (400 with field errors, nothing changed), and the figures: analysts read sums of
cells of 5 or more, and sensitive grievances are never in a cell below 5, whoever reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from ddr.accountability.grievances.models import Grievance

from ...factories import CombatantFactory, SiteFactory, region
from .grievance_fixtures import *  # noqa: F403
from .grievance_fixtures import client_of, receive

pytestmark = pytest.mark.django_db


def _body(site: Any, **kwargs: Any) -> dict[str, Any]:
    body = {
        "received_on": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "channel": "sms",
        "complainant_kind": "community",
        "subject_kind": "site",
        "subject_site": site.pk,
        "category": "site_conditions",
        "description": "Pas d'eau.",
    }
    body.update(kwargs)
    return body


def test_receive_then_steps_through_the_api(commission_client: Client, administrator: User) -> None:
    site = SiteFactory.create()
    response = commission_client.post("/api/grievances/", _body(site), content_type="application/json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "received" and response.json()["region"] == "GAO"
    for step, body in [
        ("acknowledge", {}),
        ("assign", {"assignee": administrator.pk}),
        ("refer", {"referred_to": "CNDDR"}),
        ("resolve", {"answer": "Citerne livrée.", "accepted": "yes"}),
        ("close", {}),
    ]:
        response = commission_client.post(
            f"/api/grievances/{pk}/{step}/", body, content_type="application/json"
        )
        assert response.status_code == 200, (step, response.json())
    detail = commission_client.get(f"/api/grievances/{pk}/").json()
    assert detail["status"] == "closed" and len(detail["events"]) == 6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"complainant_kind": "anonymous", "contact_phone": "+223 70 00 00 00"}, "contact_name"),
        ({"answer_by": "2001-01-01T00:00:00Z"}, "answer_by"),
        ({"subject_kind": "person"}, "subject_site"),
        ({"channel": "pigeon"}, "channel"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_nothing_written(
    commission_client: Client, change: dict[str, Any], field: str
) -> None:
    site = SiteFactory.create()
    response = commission_client.post(
        "/api/grievances/", _body(site, **change), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Grievance.objects.count() == 0


def test_an_anonymous_grievance_with_a_contact_says_why(commission_client: Client) -> None:
    body = _body(SiteFactory.create(), complainant_kind="anonymous", contact_name="Ibrahim")
    response = commission_client.post(
        "/api/grievances/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "anonymous grievance gives no contact" in response.json()["contact_name"][0]


def test_a_step_refused_is_a_400(commission_client: Client, commission_officer: User) -> None:
    g = receive(commission_officer)
    response = commission_client.post(
        f"/api/grievances/{g.pk}/close/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and "non_field_errors" in response.json()
    response = commission_client.post(
        f"/api/grievances/{g.pk}/resolve/",
        {"answer": ""},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "answer" in response.json()


def test_out_of_reach_is_a_404(gao_client: Client, commission_officer: User, focal: User) -> None:
    kidal = receive(commission_officer, subject_site=SiteFactory.create(region=region("KID")))
    secret = receive(focal, category="sea")
    for g in (kidal, secret):
        assert gao_client.get(f"/api/grievances/{g.pk}/").status_code == 404
        response = gao_client.post(
            f"/api/grievances/{g.pk}/acknowledge/", {}, content_type="application/json"
        )
        assert response.status_code == 404
    assert gao_client.get("/api/grievances/").json()["count"] == 0


def test_a_regional_officer_cannot_name_another_regions_site(gao_client: Client) -> None:
    body = _body(SiteFactory.create(region=region("KID")))
    response = gao_client.post("/api/grievances/", body, content_type="application/json")
    assert response.status_code == 400 and "subject_site" in response.json()


def _many(by: User, n: int, **kwargs: Any) -> None:
    site = SiteFactory.create()
    for _ in range(n):
        receive(by, subject_site=site, **kwargs)


def test_figures_for_analysts_hide_small_cells(analyst_client: Client, commission_officer: User) -> None:
    _many(commission_officer, 5, channel="sms")
    _many(commission_officer, 2, channel="hotline")
    data = analyst_client.get("/api/grievances/figures/").json()
    assert data["suppressed"] and data["total"] == 5
    assert data["by_channel"] == [{"channel": "sms", "count": 5}]
    assert "results" not in data and "id" not in str(data)


def test_figures_by_sex_of_a_registered_complainant(
    commission_client: Client, commission_officer: User
) -> None:
    woman = CombatantFactory.create(sex="F")
    receive(commission_officer, complainant_kind="person", complainant_person=woman)
    receive(commission_officer)
    data = commission_client.get("/api/grievances/figures/").json()
    assert {r["sex"]: r["count"] for r in data["by_sex"]} == {"F": 1, "unknown": 1}


def test_sensitive_categories_are_never_in_a_cell_below_five_for_any_role(
    focal: User, commission_officer: User
) -> None:
    _many(focal, 3, category="sea")
    _many(commission_officer, 2, category="payment")
    for user in (focal, commission_officer):
        data = client_of(user).get("/api/grievances/figures/").json()
        assert "sea" not in {r["category"] for r in data["by_category"]}, user.role
    _many(focal, 2, category="sea")  # now 5 in one cell
    data = client_of(commission_officer).get("/api/grievances/figures/").json()
    assert {"category": "sea", "count": 5} in data["by_category"]
    assert {"category": "payment", "count": 2} in data["by_category"]  # exact for staff


def test_days_to_resolution_over_five_resolved(commission_client: Client, commission_officer: User) -> None:
    from ddr.accountability.grievances import services

    site = SiteFactory.create()
    for _ in range(5):
        g = receive(commission_officer, subject_site=site, days_ago=4)
        services.grievance_resolve(grievance=g, answer="Fait.", by=commission_officer)
    data = commission_client.get("/api/grievances/figures/").json()
    assert data["resolved"] == 5 and 3.9 < data["median_days_to_resolution"] < 4.1
