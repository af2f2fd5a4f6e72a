"""Cantonment at national scale on PostgreSQL, each figure beside the hand-written limit.

    make bench-cantonment                               # 200,000 people, 100 sites
    make bench-cantonment BENCH_ARGS="--people 1000000"

Recreates the `ddr_bench` database, COPYs a register (COPY's rows/s is the machine's baseline),
then measures:

- check-ins through the service (row locks, capacity UPDATE, stay, audit rows, status change),
  one officer after another and 8 officers at once, beside the bare statements a check-in needs
  (one UPDATE of the site, one INSERT of the stay) sent by hand;
- the daily job (overstay flags, headcounts) over every open stay, beside one hand-written
  UPDATE and one INSERT ... SELECT;
- the reconciliation report (declared vs handed in) beside the same figures in hand-written SQL;
- a site page with its people, as the browser asks for it.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from benchmarks.register import (  # noqa: E402
    GIVEN_M,
    PEOPLE_COLUMNS,
    copy_from,
    ensure_database,
    family_name,
    median_ms,
    own_selects,
    person_line,
)

SITES = 100
CHECK_INS = 2_000
OFFICERS = 8


def register(people: int, regions: list[int], groups: list[int]) -> io.StringIO:
    rng = random.Random(6)
    rows = io.StringIO()
    for n in range(1, people + 1):
        rows.write(
            person_line(
                f"BEN-{n:07d}-0",
                rng.choice(GIVEN_M),
                family_name(rng),
                "F" if rng.random() < 0.1 else "M",
                rng.randint(1960, 2000),
                rng.choice(regions),
                rng.choice(groups),
                "combatant_armed",
                "oriented",
                True,
                "2019-03-01",
            )
        )
    rows.seek(0)
    return rows


def line(label: str, value: str, limit: str = "") -> None:
    print(f"{label:<62} {value:>14}   {limit}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument(
        "--check-ins", type=int, default=CHECK_INS, help="check-ins timed one by one (and as many by hand)"
    )
    args = parser.parse_args()
    check_ins = args.check_ins
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from cantonment.models import CantonmentStay, Site, StorageLocation, WamItem
    from cantonment.sites import services as stays
    from cantonment.weapons import selectors as weapons_selectors
    from core.models import Region
    from ddr.models import ArmedGroup, Combatant

    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=0, stdout=io.StringIO())  # users and reference data
    admin = User.objects.get(username="admin")
    gao = Region.objects.get(code="GAO")
    regions = list(Region.objects.values_list("id", flat=True))
    groups = list(ArmedGroup.objects.values_list("id", flat=True))
    rows = register(args.people, regions, groups)
    start = time.perf_counter()
    with connection.cursor() as cur:
        copy_from(cur, f"COPY ddr_combatant ({PEOPLE_COLUMNS}) FROM STDIN", rows)
    copy_s = time.perf_counter() - start
    print(f"people: {args.people:,}, sites: {SITES}  (PostgreSQL {connection.pg_version // 10000})")
    line("baseline  raw COPY into ddr_combatant", f"{args.people / copy_s:,.0f} rows/s")

    # Sites large enough for every stay below; the first one is used for the page.
    capacity = args.people // SITES + check_ins
    sites = Site.objects.bulk_create(
        Site(
            name=f"Site {n}",
            kind="cantonment",
            status="operational",
            region=gao,
            capacity=capacity,
            places_for_women=capacity // 5,
        )
        for n in range(SITES)
    )
    people = list(Combatant.objects.order_by("id").values_list("id", flat=True))
    today = timezone.localdate()

    # --- check-ins, one by one through the service -----------------------------------------
    sample = [Combatant(pk=pk) for pk in people[:check_ins]]
    start = time.perf_counter()
    for n, person in enumerate(sample):
        stays.check_in(person=person, site=sites[n % SITES], on=today, by=admin)
    service_s = time.perf_counter() - start
    hand = people[check_ins : 2 * check_ins]

    def bare(cur: Any, n: int, pk: int) -> None:
        cur.execute(
            "UPDATE cantonment_site SET occupancy = occupancy + 1 WHERE id = %s AND occupancy < capacity",
            [sites[n % SITES].pk],
        )
        cur.execute(
            "INSERT INTO cantonment_cantonmentstay (combatant_id, site_id, checked_in_on, leave_by, flag) "
            "VALUES (%s, %s, %s, %s, '') RETURNING id",
            [pk, sites[n % SITES].pk, today, today + dt.timedelta(days=45)],
        )

    def same_work(cur: object, n: int, pk: int) -> None:
        """What the service does, written by hand: lock the person, check overlaps and the rules'
        stay length, take the place, insert the stay, change the status, and audit both."""
        c: Any = cur
        c.execute("SELECT id, status, category, sex FROM ddr_combatant WHERE id = %s FOR UPDATE", [pk])
        c.execute(
            "SELECT 1 FROM cantonment_cantonmentstay WHERE combatant_id = %s AND (checked_out_on IS NULL "
            "OR checked_out_on > %s) LIMIT 1",
            [pk, today],
        )
        c.execute("SELECT max_stay_days FROM ddr_ruleset WHERE status = 'active' LIMIT 1")
        bare(c, n, pk)
        stay = c.fetchone()[0]
        c.execute(
            "INSERT INTO cantonment_historicalcantonmentstay (id, combatant_id, site_id, checked_in_on, leave_by, "
            "flag, history_date, history_type, history_user_id) SELECT id, combatant_id, site_id, checked_in_on, "
            "leave_by, flag, now(), '+', %s FROM cantonment_cantonmentstay WHERE id = %s",
            [admin.pk, stay],
        )
        c.execute("UPDATE ddr_combatant SET status = 'cantoned' WHERE id = %s", [pk])
        c.execute(
            f"INSERT INTO ddr_historicalcombatant ({PEOPLE_COLUMNS}, id, history_date, history_type, "
            f"history_user_id) SELECT {PEOPLE_COLUMNS}, id, now(), '~', %s FROM ddr_combatant WHERE id = %s",
            [admin.pk, pk],
        )

    def by_hand(statements: Any, ids: list[int]) -> float:
        start = time.perf_counter()
        with connection.cursor() as cur:
            for n, pk in enumerate(ids):
                cur.execute("BEGIN")
                statements(cur, n, pk)
                cur.execute("COMMIT")
        return time.perf_counter() - start

    bare_s = by_hand(bare, hand[: check_ins // 2])
    same_s = by_hand(same_work, hand[check_ins // 2 :])
    half = check_ins // 2
    line(
        f"check-in, one officer, {check_ins:,} people (service)",
        f"{check_ins / service_s:,.0f} /s",
        f"same statements by hand: {half / same_s:,.0f} /s ({service_s / check_ins / (same_s / half):.1f}x); "
        f"bare UPDATE + INSERT: {half / bare_s:,.0f} /s",
    )

    # --- check-ins, 8 officers at once on the same few sites -------------------------------
    batch = [Combatant(pk=pk) for pk in people[2 * check_ins : 3 * check_ins]]
    barrier = threading.Barrier(OFFICERS)

    def officer(share: list[Combatant]) -> int:
        barrier.wait()
        try:
            for n, person in enumerate(share):
                stays.check_in(person=person, site=sites[n % 4], on=today, by=admin)
            return len(share)
        finally:
            connections.close_all()

    start = time.perf_counter()
    with ThreadPoolExecutor(OFFICERS) as pool:
        done = sum(pool.map(officer, [batch[i::OFFICERS] for i in range(OFFICERS)]))
    concurrent_s = time.perf_counter() - start
    # The limit: the same statements by hand, from as many connections at once on the same 4 sites.
    by_hand_ids = people[3 * check_ins : 4 * check_ins]

    def officer_by_hand(share: list[int]) -> int:
        barrier.wait()
        try:
            by_hand(lambda cur, n, pk: same_work(cur, n % 4, pk), share)
            return len(share)
        finally:
            connections.close_all()

    start = time.perf_counter()
    with ThreadPoolExecutor(OFFICERS) as pool:
        hand_done = sum(pool.map(officer_by_hand, [by_hand_ids[i::OFFICERS] for i in range(OFFICERS)]))
    hand_concurrent_s = time.perf_counter() - start
    line(
        f"check-in, {OFFICERS} officers at once on 4 sites (service)",
        f"{done / concurrent_s:,.0f} /s",
        f"same statements by hand, {OFFICERS} at once: {hand_done / hand_concurrent_s:,.0f} /s "
        f"({(concurrent_s / done) / (hand_concurrent_s / hand_done):.1f}x)",
    )

    # --- the daily job over every open stay ------------------------------------------------
    rng = random.Random(7)
    stay_rows = io.StringIO()
    for n, pk in enumerate(people[4 * check_ins :]):
        day = today - dt.timedelta(days=rng.randint(0, 60))
        stay_rows.write(f"{pk}\t{sites[n % SITES].pk}\t{day}\t{day + dt.timedelta(days=45)}\t\n")
    stay_rows.seek(0)
    start = time.perf_counter()
    with connection.cursor() as cur:
        copy_from(
            cur,
            "COPY cantonment_cantonmentstay (combatant_id, site_id, checked_in_on, leave_by, flag) FROM STDIN",
            stay_rows,
        )
        cur.execute(
            "UPDATE cantonment_site s SET occupancy = c.n FROM (SELECT site_id, count(*) n "
            "FROM cantonment_cantonmentstay WHERE checked_out_on IS NULL GROUP BY site_id) c WHERE c.site_id = s.id"
        )
        cur.execute("VACUUM ANALYZE cantonment_cantonmentstay")
    open_stays = CantonmentStay.objects.filter(checked_out_on__isnull=True).count()
    line(f"{open_stays:,} open stays COPYed", f"{open_stays / (time.perf_counter() - start):,.0f} rows/s")

    def hand_flags(day: dt.date) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE cantonment_cantonmentstay SET flag = f.flag FROM (SELECT id, CASE WHEN leave_by < %s "
                "THEN 'overstay' WHEN leave_by <= %s THEN 'ending_soon' ELSE '' END AS flag "
                "FROM cantonment_cantonmentstay WHERE checked_out_on IS NULL) f "
                "WHERE f.id = cantonment_cantonmentstay.id AND f.flag <> cantonment_cantonmentstay.flag",
                [day, day + dt.timedelta(days=7)],
            )

    def reset_flags() -> None:
        with connection.cursor() as cur:
            cur.execute("UPDATE cantonment_cantonmentstay SET flag = ''")
            cur.execute("VACUUM ANALYZE cantonment_cantonmentstay")

    def once(fn: Any) -> float:
        start = time.perf_counter()
        fn()
        return (time.perf_counter() - start) * 1000

    def hand_headcount() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO cantonment_siteheadcount (site_id, day, people, women) "
                "SELECT s.site_id, %s, count(*), count(*) FILTER (WHERE p.sex = 'F') "
                "FROM cantonment_cantonmentstay s JOIN ddr_combatant p ON p.id = s.combatant_id "
                "WHERE s.checked_in_on <= %s AND (s.checked_out_on IS NULL OR s.checked_out_on > %s) "
                "GROUP BY s.site_id ON CONFLICT (site_id, day) DO UPDATE SET people = EXCLUDED.people, "
                "women = EXCLUDED.women",
                [today, today, today],
            )

    reset_flags()
    hand_first = once(lambda: hand_flags(today))
    reset_flags()
    first = once(lambda: stays.stays_flag(today))
    line(
        "daily flags, first morning: every flag new (service)",
        f"{first:,.0f} ms",
        f"one hand-written UPDATE of the changed rows: {hand_first:,.0f} ms ({first / hand_first:.1f}x)",
    )
    tomorrow = today + dt.timedelta(days=1)
    hand_next = once(lambda: hand_flags(tomorrow))
    reset_flags()
    stays.stays_flag(today)
    nxt = once(lambda: stays.stays_flag(tomorrow))
    line(
        "daily flags, next morning: a day's changes (service)",
        f"{nxt:,.0f} ms",
        f"by hand: {hand_next:,.0f} ms ({nxt / hand_next:.1f}x)",
    )
    count_ms = median_ms(lambda: stays.headcount_record(today), runs=3)
    hand_count_ms = median_ms(hand_headcount, runs=3)
    line(
        "daily headcount of every site (service)",
        f"{count_ms:,.0f} ms",
        f"hand-written INSERT ... SELECT: {hand_count_ms:,.0f} ms ({count_ms / hand_count_ms:.1f}x)",
    )
    flagged = CantonmentStay.objects.filter(flag="overstay").count()
    line("  overstays flagged", f"{flagged:,}")

    # --- reconciliation -------------------------------------------------------------------
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ddr_declaredweapon (combatant_id, kind, serial_number, calibre, ammunition, condition) "
            "SELECT id, 'assault_rifle', 'AK' || id, '7,62', 0, 'unknown' FROM ddr_combatant WHERE id % 3 = 0"
        )
    location = StorageLocation.objects.create(name="Armurerie", region=gao)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO cantonment_wamitem (kind, weapon_type, calibre, serial_number, quantity, condition, "
            "combatant_id, declared_id, site_id, received_on, received_by_id, location_id, custodian, status, "
            "disposal_reference, collection_place) SELECT 'weapon', 'assault_rifle', '7,62', d.serial_number, 1, "
            "'unknown', d.combatant_id, d.id, %s, %s, %s, %s, 'Sgt', 'held', '', '' "
            "FROM ddr_declaredweapon d WHERE d.id %% 2 = 0",
            [sites[0].pk, today, admin.pk, location.pk],
        )
        cur.execute("ANALYZE")
    declared = WamItem.objects.count()
    commission = User.objects.get(username="commission")

    def hand_reconciliation() -> None:
        """The same figures as the report, by hand: per movement, per site, serials declared twice."""
        with connection.cursor() as cur:
            cur.execute(
                "SELECT g.code, count(d.id), count(w.id) FROM ddr_declaredweapon d "
                "JOIN ddr_combatant p ON p.id = d.combatant_id JOIN ddr_armedgroup g ON g.id = p.movement_id "
                "LEFT JOIN cantonment_wamitem w ON w.declared_id = d.id WHERE p.category <> 'child' GROUP BY g.code"
            )
            cur.execute(
                "SELECT g.code, count(*) FROM cantonment_wamitem w JOIN ddr_combatant p ON p.id = w.combatant_id "
                "JOIN ddr_armedgroup g ON g.id = p.movement_id WHERE w.kind = 'weapon' GROUP BY g.code"
            )
            cur.execute(
                "SELECT s.name, count(*) FILTER (WHERE w.kind = 'weapon'), sum(w.quantity) FILTER "
                "(WHERE w.kind = 'ammunition') FROM cantonment_wamitem w JOIN cantonment_site s ON s.id = w.site_id "
                "GROUP BY s.name"
            )
            cur.execute(
                "SELECT serial_number FROM ddr_declaredweapon WHERE serial_number <> '' "
                "GROUP BY serial_number HAVING count(*) > 1 LIMIT 500"
            )
            cur.fetchall()

    ours_ms = median_ms(lambda: weapons_selectors.reconciliation(commission), runs=3)
    hand_ms = median_ms(hand_reconciliation, runs=3)
    line(
        f"reconciliation, {declared:,} weapons handed in (service)",
        f"{ours_ms:,.0f} ms",
        f"the same figures by hand: {hand_ms:,.0f} ms ({ours_ms / hand_ms:.1f}x)",
    )

    # --- a site page with its people ---------------------------------------------------------
    client = Client()
    client.force_login(commission)
    url = f"/sites/{sites[0].pk}/"
    present = Site.objects.get(pk=sites[0].pk).occupancy
    page_ms = median_ms(lambda: client.get(url))
    selects_ms = median_ms(own_selects(connection, lambda: client.get(url)))
    line(
        f"site page, {present:,} people on the site (first 100 shown)",
        f"{page_ms:,.0f} ms",
        f"its SELECTs by hand: {selects_ms:,.1f} ms ({page_ms / selects_ms:.1f}x)",
    )


if __name__ == "__main__":
    main()
