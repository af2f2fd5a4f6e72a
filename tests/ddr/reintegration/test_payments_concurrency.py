"""Never twice, when two people act at the same moment: two batches prepared over the same due
entitlements, two hand-overs of the same kit. PostgreSQL, each thread on its own connection;
the database's constraints decide, and the loser gets a clear refusal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.utils import translation

from core.errors import Refused
from ddr.models import Distribution, Entitlement, PaymentBatch, PaymentLine, card_token_for
from ddr.reintegration.payments import services

from .payments_setup import approver, enrolled, prepared

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite has one writer)"
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def race(*actions: Callable[[], Any]) -> list[str]:
    """Run the actions at once, each in its own thread and connection: "won" or the refusal."""

    def attempt(action: Callable[[], Any]) -> str:
        try:
            with translation.override("en"):
                action()
            return "won"
        except Refused as refused:
            return str(refused)
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(attempt, actions))


def test_two_batches_over_the_same_entitlements_one_wins(
    reference_data: Any, commission_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = enrolled(commission_officer, 20)
    other = approver("deuxieme")
    # Both have read the same due entitlements before either writes a line: the unique index on
    # live lines, not the code's reading, decides who pays them.
    both_picked = threading.Barrier(2, timeout=20)
    pick = services._pick

    def pick_then_wait(entitlements: Any) -> Any:
        picked = pick(entitlements)
        both_picked.wait()
        return picked

    monkeypatch.setattr(services, "_pick", pick_then_wait)
    outcomes = race(lambda: prepared(commission_officer), lambda: prepared(other))

    assert sorted(outcomes) == sorted(["won", str(services.RACE)])
    batch = PaymentBatch.objects.get()
    assert batch.line_count == 20 == batch.lines.count()
    live = PaymentLine.objects.filter(status__in=PaymentLine.LIVE)
    assert not live.values("entitlement").annotate(n=Count("id")).filter(n__gt=1).exists()
    first_tranches = Entitlement.objects.filter(combatant__in=people, component__position=1)
    assert set(first_tranches.values_list("state", flat=True)) == {"in_batch"}


def test_two_batches_prepared_one_after_the_other_do_not_share_lines(
    reference_data: Any, commission_officer: Any
) -> None:
    enrolled(commission_officer, 10)
    outcomes = race(lambda: prepared(commission_officer), lambda: prepared(approver("deuxieme")))
    assert outcomes.count("won") == 1
    refusal = next(o for o in outcomes if o != "won")
    assert refusal in (
        str(services.RACE),
        "Nothing to pay: no cash entitlement is due by 01/03/2024 for these filters.",
    )
    assert PaymentLine.objects.count() == 10


def test_two_hand_overs_of_the_same_kit_one_wins(reference_data: Any, commission_officer: Any) -> None:
    import datetime as dt

    person = enrolled(commission_officer, 1)[0]
    kit = Entitlement.objects.get(combatant=person, component__delivery="in_kind")
    second = approver("deuxieme")

    def hand_over(by: Any) -> Callable[[], Any]:
        return lambda: services.distribution_record(
            token=card_token_for(person.pk),
            entitlement=kit,
            place="Site de Gao",
            confirmation="signature",
            on=dt.date(2024, 2, 15),
            by=by,
        )

    outcomes = race(hand_over(commission_officer), hand_over(second))
    assert outcomes.count("won") == 1
    refusal = next(o for o in outcomes if o != "won")
    assert refusal.startswith("Already handed over")
    assert Distribution.objects.filter(entitlement=kit).count() == 1
    kit.refresh_from_db()
    assert kit.state == "delivered"
