"""The register's tally, kept by database triggers, always equals a count of the register itself,
whatever writes it; and the dashboard's counts over any period equal a live count."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management.color import no_style
from django.db import connection

from accounts.models import User
from ddr.models import Category, Combatant, Pathway, RegisterTally, Sex
from ddr.registration.selectors import Scope

from ..factories import CombatantFactory, group, region

pytestmark = pytest.mark.django_db


def live() -> Counter:
    """The four groupings counted from the register itself, as in `ddr.models.GROUPINGS`."""
    counts: Counter = Counter()
    for p in Combatant.objects.exclude(category=Category.CHILD):
        month = p.registered_at.replace(day=1)
        counts["status", p.region_id, month, p.status, p.pathway, "", 0, "", False] += 1
        if p.status != Combatant.Status.MERGED:
            counts["sex", p.region_id, month, "", p.pathway, p.sex, 0, "", False] += 1
            counts["movement", p.region_id, month, "", p.pathway, "", p.movement_id, "", False] += 1
            counts["category", p.region_id, month, "", "", "", 0, p.category, p.has_weapon] += 1
    return counts


def tallied() -> Counter:
    rows = RegisterTally.objects.exclude(n=0).values_list(
        "grouping", "region_id", "month", "status", "pathway", "sex", "movement_id", "category", "has_weapon", "n"
    )
    return Counter({tuple(key): n for *key, n in rows})


def test_tally_follows_every_kind_of_write() -> None:
    people = [CombatantFactory.create(registered_at=dt.date(2019, 3, d)) for d in (1, 15, 31)]
    CombatantFactory.create(region=region("KID"), sex=Sex.FEMALE, registered_at=dt.date(2020, 1, 2))
    CombatantFactory.create(category=Category.CHILD)  # never tallied
    assert tallied() == live() and sum(n for key, n in tallied().items() if key[0] == "status") == 4
    Combatant.objects.bulk_create(
        [
            Combatant(
                registration_number=f"BLK-{n:05d}-0",
                given_name="Aïcha",
                family_name=f"Bulk{n}",
                sex=Sex.FEMALE,
                region=region("GAO"),
                movement=group("GATIA"),
                category=Category.WOMAN_ASSOCIATED,
                registered_at=dt.date(2021, 6, 1 + n % 28),
            )
            for n in range(30)
        ]
    )
    assert tallied() == live()
    # One statement moving many people, as a recompute of pathways does.
    Combatant.objects.filter(category=Category.WOMAN_ASSOCIATED).update(pathway=Pathway.COMMUNITY)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ddr_combatant SET status = 'screened' WHERE sex = 'F'")
    assert tallied() == live()
    # A change to a column the tally does not count leaves it as it was.
    before = list(RegisterTally.objects.order_by("pk").values_list("pk", "n"))
    people[0].family_name = "Renamed"
    people[0].save()
    assert list(RegisterTally.objects.order_by("pk").values_list("pk", "n")) == before
    people[1].registered_at = dt.date(2019, 4, 2)
    people[1].region = region("TBK")
    people[1].save()
    people[2].status = Combatant.Status.MERGED  # leaves the "sex" and "movement" groupings
    people[2].save()
    assert tallied() == live()
    people[2].delete()
    Combatant.objects.filter(registration_number__startswith="BLK-0001").delete()
    assert tallied() == live()
    # A weapon declared later, and a category corrected, move people in the "category" grouping.
    Combatant.objects.filter(pk=people[0].pk).update(has_weapon=not people[0].has_weapon)
    Combatant.objects.filter(sex=Sex.FEMALE).update(category=Category.COMBATANT_UNARMED)
    assert tallied() == live()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),
        (dt.date(2019, 3, 1), dt.date(2019, 3, 31)),  # one whole month, from the tally alone
        (dt.date(2019, 3, 10), dt.date(2019, 3, 20)),  # inside one month, live alone
        (dt.date(2019, 3, 15), dt.date(2019, 5, 1)),  # part, whole, part
        (dt.date(2019, 3, 31), None),
        (None, dt.date(2019, 4, 30)),
        (dt.date(2019, 4, 1), dt.date(2019, 4, 1)),
    ],
)
def test_dashboard_counts_equal_a_live_count_for_any_period(
    commission_officer: User, start: dt.date | None, end: dt.date | None
) -> None:
    days = [dt.date(2019, 3, 1), dt.date(2019, 3, 14), dt.date(2019, 3, 15), dt.date(2019, 3, 31)]
    days += [dt.date(2019, 4, 1), dt.date(2019, 4, 30), dt.date(2019, 5, 1), dt.date(2019, 5, 2)]
    for n, day in enumerate(days):
        CombatantFactory.create(registered_at=day, pathway=[Pathway.REINSERTION, Pathway.COMMUNITY][n % 2])
    CombatantFactory.create(registered_at=dt.date(2019, 4, 3), category=Category.CHILD)  # never counted here
    people = Combatant.objects.exclude(category=Category.CHILD)
    if start:
        people = people.filter(registered_at__gte=start)
    if end:
        people = people.filter(registered_at__lte=end)
    expected = Counter(people.values_list("pathway", flat=True))
    scope = Scope(commission_officer, start=start, end=end)
    for grouping in ("status", "sex", "movement"):
        assert Counter({k[0]: n for k, n in scope.count_by(grouping, "pathway").items() if n}) == expected
    by_category = Counter(people.values_list("category", "has_weapon"))
    assert {k: n for k, n in scope.count_by("category", "category", "has_weapon").items() if n} == by_category


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL empties tables with TRUNCATE (0013's trigger)")
def test_emptying_the_tally_before_the_register_leaves_no_negative_count() -> None:
    """Django empties SQLite's tables one by one in no fixed order (`flush`, transactional tests):
    the tally may go before the people, whose removal must then count nothing below zero."""
    CombatantFactory.create_batch(3)
    with connection.cursor() as cursor:
        for table in connection.ops.sql_flush(no_style(), ["ddr_registertally", "ddr_combatant"], allow_cascade=False):
            cursor.execute(table)  # in this order: the tally first
    assert not RegisterTally.objects.exists()
