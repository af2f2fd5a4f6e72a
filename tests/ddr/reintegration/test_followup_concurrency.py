"""Officers and the daily job at once: follow-ups planned once, a visit recorded once
(PostgreSQL, real connections)."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from ddr.models import FollowUp
from ddr.reintegration.followup import services
from ddr.reintegration.packages.services import enrolment_create

from ...factories import CombatantFactory, PackageFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite has one writer)"
)

WORKERS = 6
FOUND: dict[str, Any] = {
    "mode": "visit",
    "status": "done",
    "activity_running": True,
    "income": "low",
    "acceptance": "good",
    "security_incident": False,
}


def test_planning_at_once_plans_each_follow_up_once(reference_data: Any, commission_officer: Any) -> None:
    on = dt.date(2023, 1, 10)
    for _ in range(3):
        enrolment_create(
            person=CombatantFactory.create(), package=PackageFactory.create(), on=on, by=commission_officer
        )
    start = threading.Barrier(WORKERS)

    def plan(_: int) -> int:
        try:
            start.wait()
            return services.follow_ups_plan(on=on)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        planned = list(pool.map(plan, range(WORKERS)))
    assert sorted(planned) == [0] * (WORKERS - 1) + [9]
    assert FollowUp.objects.count() == 9


def test_a_visit_recorded_at_once_is_recorded_once(reference_data: Any, commission_officer: Any) -> None:
    on = dt.date(2023, 1, 10)
    person = CombatantFactory.create(status="reinserted")
    enrolment = enrolment_create(person=person, package=PackageFactory.create(), on=on, by=commission_officer)
    services.follow_ups_plan(on=on)
    follow_up = enrolment.follow_ups.get(month=3)
    start = threading.Barrier(WORKERS)

    def record(day: int) -> str:
        try:
            start.wait()
            services.follow_up_record(
                follow_up=follow_up, done_on=dt.date(2023, 4, day), by=commission_officer, **FOUND
            )
            return "recorded"
        except services.FollowUpRefused:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(record, range(10, 10 + WORKERS)))
    assert outcomes.count("recorded") == 1 and outcomes.count("refused") == WORKERS - 1
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and follow_up.history.filter(history_type="~").count() == 1
