"""Home-page aggregates and a people API page at scale, on PostgreSQL.

    make bench                       # 200,000 people
    make bench BENCH_ARGS="--people 1000000"

Loads people with COPY into a separate database (`ddr_bench`, recreated), prints COPY's
rows/s as the machine's baseline, then the median time of the home summary, pages and API reads,
each beside its limit and the ratio: the same figures by hand-written SQL (the summary counted
over the people), or, for a page, the very SELECTs it sent, run by hand on the same connection (what
is left is Python: filters, serializers, templates). Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time
from typing import Any

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The benchmark reads the named register far more often than an officer may in an hour: lift the
# identity throttle for it (the purpose it states below is logged like any other bulk read).
os.environ.setdefault("API_THROTTLE_IDENTITY", "1000000/hour")
os.environ.setdefault("API_THROTTLE_USER", "1000000/hour")

from benchmarks.register import (  # noqa: E402
    GIVEN_F,
    GIVEN_M,
    PEOPLE_COLUMNS,
    copy_from,
    ensure_database,
    family_name,
    median_ms,
    own_selects,
    person_line,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from core.models import Region
    from ddr.models import ArmedGroup, Category
    from programme.selectors import programme_summary

    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=0, stdout=io.StringIO())  # users, sites, units, projects
    regions = list(Region.objects.values_list("id", flat=True))
    groups = list(ArmedGroup.objects.values_list("id", flat=True))
    categories = list(Category.values)
    rng = random.Random(1)
    rows = io.StringIO()
    for i in range(args.people):
        sex = "F" if rng.random() < 0.12 else "M"
        given, family = rng.choice(GIVEN_F if sex == "F" else GIVEN_M), family_name(rng)
        rows.write(
            person_line(
                f"B-{i:09d}",
                given,
                family,
                sex,
                rng.randint(1960, 2005),
                rng.choice(regions),
                rng.choice(groups),
                rng.choice(categories),
                "registered",
                rng.random() < 0.35,
                "2019-03-01",
            )
        )
    rows.seek(0)
    start = time.perf_counter()
    with connection.cursor() as cur:
        copy_from(cur, f"COPY ddr_combatant ({PEOPLE_COLUMNS}) FROM STDIN", rows)
        cur.execute("ANALYZE ddr_combatant")
    copy_rate = args.people / (time.perf_counter() - start)

    commission = User.objects.get(username="commission")
    gao = User.objects.get(username="gao")
    client = Client(HTTP_X_PURPOSE="benchmark: speed of the home page and the people API")
    client.force_login(commission)

    def raw_places(cur: Any, region_id: int | None) -> None:
        """The summary's other figures (sites, stays, units, projects), by hand."""
        region = f"region_id = {region_id}" if region_id else "true"
        stays_region = f"c.region_id = {region_id}" if region_id else "true"
        cur.execute(f"SELECT status, count(*) FROM cantonment_site WHERE {region} GROUP BY 1")
        cur.execute(f"SELECT sum(capacity), sum(occupancy) FROM cantonment_site WHERE {region}")
        cur.execute(
            "SELECT count(*) FILTER (WHERE s.flag = 'overstay'), count(*) FILTER (WHERE s.flag = 'ending_soon') "
            "FROM cantonment_cantonmentstay s JOIN ddr_combatant c ON c.id = s.combatant_id "
            f"WHERE s.checked_out_on IS NULL AND c.category <> 'child' AND {stays_region}"
        )
        cur.execute(f"SELECT kind, count(*) FROM integration_unit WHERE {region} GROUP BY 1")
        cur.execute(
            "SELECT count(*), sum(budget_usd), sum(beneficiaries_ex_combatants), sum(beneficiaries_community), "
            f"sum(beneficiaries_women) FROM cvr_project WHERE {region}"
        )

    def raw_summary() -> None:
        with connection.cursor() as cur:
            where = "category <> 'child' AND status <> 'merged'"
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE has_weapon), count(*) FILTER (WHERE sex='F') "
                f"FROM ddr_combatant WHERE {where}"
            )
            cur.execute(f"SELECT category, count(*) FROM ddr_combatant WHERE {where} GROUP BY 1")
            cur.execute(f"SELECT region_id, count(*) FROM ddr_combatant WHERE {where} GROUP BY 1")
            cur.execute("SELECT count(*) FROM ddr_combatant WHERE category = 'child' AND status <> 'merged'")
            raw_places(cur, None)

    def raw_gao_summary() -> None:
        gao_region = gao.region_id
        with connection.cursor() as cur:
            where = f"category <> 'child' AND status <> 'merged' AND region_id = {gao_region}"
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE has_weapon), count(*) FILTER (WHERE sex='F') "
                f"FROM ddr_combatant WHERE {where}"
            )
            cur.execute(f"SELECT category, count(*) FROM ddr_combatant WHERE {where} GROUP BY 1")
            cur.execute(
                "SELECT count(*) FROM ddr_combatant WHERE category = 'child' AND status <> 'merged' "
                f"AND region_id = {gao_region}"
            )
            raw_places(cur, gao_region)

    def raw_page() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM (SELECT 1 FROM ddr_combatant WHERE category <> 'child' LIMIT 10001) s"
            )
            cur.execute("SELECT * FROM ddr_combatant WHERE category <> 'child' ORDER BY id LIMIT 50")
            cur.fetchall()

    print(f"people: {args.people:,}  (PostgreSQL {connection.pg_version // 10000})")
    print(f"baseline  raw COPY into ddr_combatant           {copy_rate:>12,.0f} rows/s")
    results = [
        ("home summary, commission (all regions)", lambda: programme_summary(commission), raw_summary),
        ("home summary, Gao officer", lambda: programme_summary(gao), raw_gao_summary),
        ("GET /api/people/ page 1 (50 rows)", lambda: client.get("/api/people/"), raw_page),
        (
            "GET /api/people/?region=GAO&category=ex_mdsf",
            lambda: client.get("/api/people/?region=GAO&category=ex_mdsf"),
            None,
        ),
        ("GET / (home page, HTML)", lambda: client.get("/"), raw_summary),
        (
            "GET /personnes/?q=maiga (common name, HTML)",
            lambda: client.get("/personnes/?q=maiga"),
            None,
        ),
        (
            "GET /personnes/?q=walet assitan (rare, HTML)",
            lambda: client.get("/personnes/?q=walet%20assitan"),
            None,
        ),
        (
            "GET /personnes/?region=GAO (people table, HTML)",
            lambda: client.get("/personnes/?region=GAO"),
            None,
        ),
        (
            "GET /api/people/?q=maiga (common name, API)",
            lambda: client.get("/api/people/?q=maiga"),
            None,
        ),
        (
            "GET /api/people/?q=ag intallah (API)",
            lambda: client.get("/api/people/?q=ag%20intallah"),
            None,
        ),
    ]
    for label, fn, raw in results:
        status = getattr(fn(), "status_code", 200)  # a page or endpoint must answer, not refuse
        assert status == 200, f"{label}: answered {status}, not timed"
        ours = median_ms(fn)
        limit, limit_label = (
            (median_ms(raw), "hand-written SQL")
            if raw
            else (median_ms(own_selects(connection, fn)), "its SELECTs by hand")
        )
        print(f"{label:<48} {ours:8.1f} ms   {limit_label:<20} {limit:8.1f} ms   {ours / limit:5.1f}x")


if __name__ == "__main__":
    main()
