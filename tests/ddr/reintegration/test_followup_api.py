"""Follow-ups through the API: scoped list, recording with its verdict, refusals as 400s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from ddr.models import Combatant, Enrolment
from ddr.reintegration.followup import services
from ddr.reintegration.packages.services import enrolment_create

from ...factories import CombatantFactory, PackageFactory, region

pytestmark = pytest.mark.django_db

ENROLLED = dt.date(2023, 1, 10)
FOUND = {
    "done_on": "2024-01-15",
    "mode": "phone",
    "activity_running": True,
    "income": "low",
    "acceptance": "good",
    "security_incident": False,
}


def enrol(by: Any, region_code: str = "GAO") -> Enrolment:
    someone = CombatantFactory.create(status="reinserted", region=region(region_code))
    enrolment = enrolment_create(person=someone, package=PackageFactory.create(), on=ENROLLED, by=by)
    services.follow_ups_plan(enrolment_ids=[enrolment.pk], on=ENROLLED)
    return enrolment


def test_staff_list_follow_ups_in_their_scope(
    gao_client: Any, commission_officer: Any, analyst_client: Any
) -> None:
    gao, kidal = enrol(commission_officer), enrol(commission_officer, "KID")
    rows = gao_client.get("/api/follow-ups/", {"show": "due"}).json()["results"]
    assert {r["enrolment"] for r in rows} == {gao.pk} and len(rows) == 3
    assert rows[0]["registration_number"] == gao.combatant.registration_number
    other = kidal.follow_ups.get(month=3)
    assert gao_client.get(f"/api/follow-ups/{other.pk}/").status_code == 404
    assert (
        gao_client.post(
            f"/api/follow-ups/{other.pk}/record/", FOUND, content_type="application/json"
        ).status_code
        == 404
    )
    assert analyst_client.get("/api/follow-ups/").status_code == 403


def test_recording_answers_with_the_verdict_and_moves_the_person(
    commission_client: Any, commission_officer: Any
) -> None:
    enrolment = enrol(commission_officer)
    follow_up = enrolment.follow_ups.get(month=12)
    url = reverse("api-follow-up-record", args=[follow_up.pk])
    answer = commission_client.post(url, FOUND, content_type="application/json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["person_reintegrated"] and body["verdict"]["reasons"] == ["met"]
    assert body["follow_up"]["mode"] == "phone" and body["follow_up"]["status"] == "done"
    assert Combatant.objects.get(pk=enrolment.combatant_id).status == "reintegrated"
    again = commission_client.post(url, FOUND, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "already recorded" in again.json()["non_field_errors"][0]


def test_a_follow_up_dated_before_the_enrolment_is_a_400_and_nothing_changes(
    commission_client: Any, commission_officer: Any
) -> None:
    follow_up = enrol(commission_officer).follow_ups.get(month=3)
    answer = commission_client.post(
        f"/api/follow-ups/{follow_up.pk}/record/",
        {**FOUND, "done_on": "2022-12-01"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400 and "before the enrolment" in answer.json()["done_on"][0]
    follow_up.refresh_from_db()
    assert follow_up.status == "planned"
