"""Many officers checking people in at once never over-fill a site (PostgreSQL, real connections)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from cantonment.models import CantonmentStay
from cantonment.sites import services as stays
from ddr.models import Sex

from ..factories import CombatantFactory, SiteFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite has one writer)"
)

WORKERS = 16


def test_concurrent_check_ins_never_exceed_capacity(reference_data: Any, commission_officer: Any) -> None:
    site = SiteFactory.create(capacity=5, places_for_women=2)
    men = [CombatantFactory.create(sex=Sex.MALE) for _ in range(WORKERS)]
    women = [CombatantFactory.create(sex=Sex.FEMALE) for _ in range(WORKERS)]
    start = threading.Barrier(2 * WORKERS)

    def check_in(person: Any) -> str:
        try:
            start.wait()
            stays.check_in(person=person, site=site, on=timezone.localdate(), by=commission_officer)
            return "in"
        except stays.CantonmentRefused:
            return "refused"
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
        outcomes = list(pool.map(check_in, [*men, *women]))

    site.refresh_from_db()
    admitted = CantonmentStay.objects.filter(site=site, checked_out_on__isnull=True)
    assert outcomes.count("in") == 5 and outcomes.count("refused") == 2 * WORKERS - 5
    assert admitted.count() == site.occupancy == 5
    assert admitted.filter(combatant__sex=Sex.FEMALE).count() == site.occupancy_women <= 2
