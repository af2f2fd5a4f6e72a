"""The appeals API: the same services as the browser, refusals as 400 naming the field, scope as
404; the figures for analysts through small-count suppression."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from ddr.accountability.appeals.models import Appeal
from ddr.models import MedicalExam

from ...factories import CombatantFactory, UserFactory, region
from .appeals_setup import TODAY, K, age, decider, filed, medical, scheduled

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")  # messages are checked in English
    return client


def test_file_schedule_and_overturn_through_the_api(commission_officer: Any, administrator: Any) -> None:
    exam = medical(administrator)
    client = api(commission_officer)
    created = client.post(
        "/api/appeals/",
        {
            "kind": "medical",
            "decision": exam.pk,
            "grounds": "Blessure guérie",
            "filed_on": TODAY().isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["decision"], body["person"], body["status"]) == (
        "medical",
        exam.pk,
        exam.combatant_id,
        "filed",
    )
    pk = body["id"]
    scheduled_ = client.post(
        f"/api/appeals/{pk}/schedule/",
        {"hearing_on": TODAY().isoformat(), "deciding_body": "Comité"},
        format="json",
    )
    assert scheduled_.json()["status"] == "scheduled"
    decided = client.post(
        f"/api/appeals/{pk}/decide/",
        {
            "outcome": "overturned",
            "decided_on": TODAY().isoformat(),
            "reasons": "Contre-expertise",
            "new_value": "fit",
        },
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "overturned"
    assert MedicalExam.objects.filter(result="fit", recorded_by=commission_officer).exists()
    assert client.get(f"/api/appeals/{pk}/").json()["new_value"] == "fit"


def test_refusals_are_400s_naming_the_field(commission_officer: Any) -> None:
    client = api(commission_officer)
    exam = medical(commission_officer)
    missing = client.post("/api/appeals/", {"kind": "medical"}, format="json")
    assert missing.status_code == 400 and {"decision", "grounds", "filed_on"} <= set(missing.json())
    absent = client.post(
        "/api/appeals/",
        {"kind": "medical", "decision": 999_999, "grounds": "x", "filed_on": TODAY().isoformat()},
        format="json",
    )
    assert absent.status_code == 400 and "does not exist" in absent.json()["decision"][0]
    appeal = filed(K.MEDICAL, exam.pk, commission_officer)
    twice = client.post(
        "/api/appeals/",
        {"kind": "medical", "decision": exam.pk, "grounds": "x", "filed_on": TODAY().isoformat()},
        format="json",
    )
    assert twice.status_code == 400 and "already under an open appeal" in twice.json()["decision"][0]
    early = client.post(
        f"/api/appeals/{appeal.pk}/schedule/",
        {"hearing_on": "2000-01-01", "deciding_body": "Comité"},
        format="json",
    )
    assert early.status_code == 400 and "hearing_on" in early.json()
    scheduled(appeal, commission_officer)
    same = client.post(
        f"/api/appeals/{appeal.pk}/decide/",
        {"outcome": "overturned", "decided_on": TODAY().isoformat(), "reasons": "x", "new_value": "fit"},
        format="json",
    )
    assert same.status_code == 400 and "another person" in same.json()["non_field_errors"][0]
    bad_value = api(decider()).post(
        f"/api/appeals/{appeal.pk}/decide/",
        {"outcome": "overturned", "decided_on": TODAY().isoformat(), "reasons": "x", "new_value": "sain"},
        format="json",
    )
    assert bad_value.status_code == 400 and "new_value" in bad_value.json()
    appeal.refresh_from_db()
    assert appeal.status == "scheduled" and MedicalExam.objects.count() == 1


def test_scope_and_roles(commission_officer: Any, gao_officer: Any, analyst: Any) -> None:
    kidal = filed(
        K.MEDICAL,
        medical(commission_officer, person=CombatantFactory.create(region=region("KID"))).pk,
        commission_officer,
    )
    gao = filed(K.MEDICAL, medical(commission_officer).pk, commission_officer)
    client = api(gao_officer)
    assert client.get(f"/api/appeals/{kidal.pk}/").status_code == 404
    assert [a["id"] for a in client.get("/api/appeals/").json()["results"]] == [gao.pk]
    # A regional officer files, but does not schedule or decide.
    forbidden = client.post(
        f"/api/appeals/{gao.pk}/schedule/",
        {"hearing_on": TODAY().isoformat(), "deciding_body": "C"},
        format="json",
    )
    assert forbidden.status_code == 403
    # Filing against a Kidal decision from Gao: it does not exist for them.
    exam = MedicalExam.objects.get(combatant=kidal.combatant)
    refused = client.post(
        "/api/appeals/",
        {"kind": "medical", "decision": exam.pk, "grounds": "x", "filed_on": TODAY().isoformat()},
        format="json",
    )
    assert refused.status_code == 400 and "does not exist" in refused.json()["decision"][0]
    analyst_client = api(analyst)
    assert analyst_client.get("/api/appeals/").status_code == 403
    assert analyst_client.get(f"/api/appeals/{gao.pk}/").status_code == 403
    assert api(UserFactory.create(role=Role.FOCAL_POINT)).get("/api/appeals/").status_code == 403


def test_figures_by_kind_outcome_and_region_suppress_small_cells_for_analysts(
    commission_officer: Any, analyst: Any
) -> None:
    for _ in range(5):
        filed(K.MEDICAL, medical(commission_officer).pk, commission_officer)
    for _ in range(2):
        filed(K.AGE, age(commission_officer).pk, commission_officer)
    seen = api(analyst).get("/api/appeals/figures/").json()
    assert seen["suppressed"] is True and seen["total"] == 5
    assert (
        seen["by_kind"] == [{"kind": "medical", "label": "Medical result", "count": 5}]
        or seen["by_kind"][0]["count"] == 5
    )
    assert [row["kind"] for row in seen["by_kind"]] == ["medical"]
    assert seen["by_region"] == [{"region": "GAO", "count": 5}]
    exact = api(commission_officer).get("/api/appeals/figures/").json()
    assert exact["suppressed"] is False and exact["total"] == 7
    assert {row["kind"]: row["count"] for row in exact["by_kind"]} == {"medical": 5, "age": 2}
    assert api(UserFactory.create(role=Role.FOCAL_POINT)).get("/api/appeals/figures/").status_code == 403


def test_the_api_list_costs_constant_queries(
    commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(6):
        filed(K.MEDICAL, medical(commission_officer).pk, commission_officer)
    with django_assert_max_num_queries(6):
        response = api(commission_officer).get("/api/appeals/")
    assert response.json()["count"] == 6
    assert Appeal.objects.count() == 6
