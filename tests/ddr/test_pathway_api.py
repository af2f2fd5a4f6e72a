"""Pathway decisions through the API: pseudonymised for analysts, counts suppressed below 5."""

from __future__ import annotations

from typing import Any

import pytest

from ..factories import CombatantFactory, region

pytestmark = pytest.mark.django_db


def test_analysts_get_no_register_only_counts(analyst_client: Any) -> None:
    CombatantFactory.create_batch(5, pathway="reinsertion", pathway_reason="medical_unfit", medical_status="unfit")
    assert analyst_client.get("/api/people/").status_code == 403  # a register they could count
    counts = analyst_client.get("/api/pathways/counts/?by=pathway").json()
    assert counts == [{"pathway": "reinsertion", "count": 5, "suppressed": True}]


def test_counts_by_pathway_and_region_suppress_small_cells_for_analysts(
    analyst_client: Any, commission_client: Any
) -> None:
    CombatantFactory.create_batch(6, pathway="integration_army", region=region("GAO"))
    CombatantFactory.create_batch(2, pathway="integration_army", region=region("KID"))
    CombatantFactory.create_batch(3, pathway="child_referral", category="child")  # never counted here
    analyst = analyst_client.get("/api/pathways/counts/?by=pathway,region").json()
    assert analyst == [{"pathway": "integration_army", "region": "GAO", "count": 6, "suppressed": True}]
    # The parent leaves the 2 out too: the parent minus its children gives nothing away.
    assert analyst_client.get("/api/pathways/counts/?by=pathway").json() == [
        {"pathway": "integration_army", "count": 6, "suppressed": True}
    ]
    staff = commission_client.get("/api/pathways/counts/?by=region").json()
    assert staff == [
        {"region": "GAO", "count": 6, "suppressed": False},
        {"region": "KID", "count": 2, "suppressed": False},
    ]


def test_regional_officer_counts_only_their_region(gao_client: Any) -> None:
    CombatantFactory.create_batch(2, region=region("GAO"))
    CombatantFactory.create_batch(7, region=region("KID"))
    assert gao_client.get("/api/pathways/counts/?by=region").json() == [
        {"region": "GAO", "count": 2, "suppressed": False}
    ]


def test_unknown_grouping_is_a_400_with_the_field(analyst_client: Any) -> None:
    response = analyst_client.get("/api/pathways/counts/?by=name")
    assert response.status_code == 400 and "by" in response.json()
