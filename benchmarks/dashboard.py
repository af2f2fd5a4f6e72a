"""The dashboard at national scale on PostgreSQL, each figure beside its hand-written SQL.

    make bench-dashboard                                # 1,000,000 people
    make bench-dashboard BENCH_ARGS="--people 200000"

Recreates `ddr_bench`, loads the demo's sites, units and CVR projects, COPYs a register with
pathways and statuses spread as after the 2018 rules (COPY's rows/s is the machine's baseline),
then times, warm, the median of 7 runs: the whole page's figures (staff, and analysts with
suppression), the API endpoint, and the heaviest queries written by hand.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import time
from typing import Any

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

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

PATHWAYS = ["integration_army", "reinsertion", "community", "recall", "integration_civil", "pending"]
STATUSES = ["registered", "screened", "oriented", "cantoned", "in_training", "integrated", "reinserted"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="time again on the database of the last run")
    parser.add_argument("--skip-writes", action="store_true", help="leave out the tally's cost to writers")
    args = parser.parse_args()
    if not args.reuse:
        ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from core.models import Region
    from ddr.models import ArmedGroup
    from programme.dashboard import PANELS, Scope, figures

    if not args.reuse:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", people=0, stdout=io.StringIO())  # users, sites, units, CVR projects
        regions = list(Region.objects.values_list("id", flat=True))
        groups = list(ArmedGroup.objects.values_list("id", flat=True))
        rng = random.Random(11)
        rows = io.StringIO()
        # People are registered over time and stored in that order, as imports append them.
        days = sorted(
            f"20{rng.randint(18, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" for _ in range(args.people)
        )
        for n in range(1, args.people + 1):
            woman = rng.random() < 0.1
            rows.write(
                person_line(
                    f"DSH-{n:07d}-0",
                    rng.choice(GIVEN_F if woman else GIVEN_M),
                    family_name(rng),
                    "F" if woman else "M",
                    rng.randint(1960, 2000),
                    rng.choice(regions),
                    rng.choice(groups),
                    "combatant_armed",
                    rng.choice(STATUSES),
                    True,
                    days[n - 1],
                    pathway=rng.choice(PATHWAYS),
                )
            )
        rows.seek(0)
        start = time.perf_counter()
        with connection.cursor() as cur:
            copy_from(cur, f"COPY ddr_combatant ({PEOPLE_COLUMNS}) FROM STDIN", rows)
        copy_s = time.perf_counter() - start
        with connection.cursor() as cur:
            _other_apps(cur, args.people)
            cur.execute("VACUUM ANALYZE")
            cur.execute("SELECT count(*) FROM ddr_registertally WHERE n <> 0")
            tally_rows = cur.fetchone()[0]
        print(
            f"people: {args.people:,}  (PostgreSQL {connection.pg_version // 10000}); tally rows: {tally_rows:,}"
        )
        print(
            f"other apps: {args.people // 20:,} open stays, {args.people // 50:,} open duplicate pairs, "
            f"{args.people // 50:,} unit members, {args.people // 200:,} CVR projects"
        )
        print(
            f"{'baseline  raw COPY into ddr_combatant (with the tally trigger)':<60} {args.people / copy_s:>10,.0f} rows/s"
        )

    if args.reuse:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # the last run's rolled-back writes left dead rows
    staff, analyst = User.objects.get(username="commission"), User.objects.get(username="analyste")

    def line(label: str, fn: Any, hand: float | None = None) -> float:
        """`fn`'s median beside its hand-written SQL or, without one, its own SELECTs run by hand."""
        ms = median_ms(fn)
        limit, kind = (
            (hand, "hand-written SQL")
            if hand is not None
            else (median_ms(own_selects(connection, fn)), "its SELECTs by hand")
        )
        print(f"{label:<60} {ms:>8,.1f} ms   {kind}: {limit:,.1f} ms ({ms / max(limit, 0.01):.1f}x)")
        return ms

    def sql(statement: str) -> float:
        def run() -> None:
            with connection.cursor() as cur:
                cur.execute(statement)
                cur.fetchall()

        return median_ms(run)

    live = "FROM ddr_combatant c WHERE c.status <> 'merged' AND c.category <> 'child'"
    hand = {
        "funnel": sql(f"SELECT c.status, count(*) {live} GROUP BY c.status"),  # noqa: S608
        "pathways": sql(
            "SELECT c.pathway, r.name, count(*) FROM ddr_combatant c JOIN core_region r ON r.id = c.region_id "
            "WHERE c.status <> 'merged' AND c.category <> 'child' GROUP BY c.pathway, r.name"
        ),
        "pathway_by_sex": sql(f"SELECT c.pathway, c.sex, count(*) {live} GROUP BY c.pathway, c.sex"),  # noqa: S608
        "pathway_by_movement": sql(
            f"SELECT c.pathway, c.movement_id, count(*) {live} GROUP BY c.pathway, c.movement_id"  # noqa: S608
        ),
        "quotas": sql(
            "SELECT pathway, count(*) FROM ddr_combatant WHERE status NOT IN "
            "('pre_registered', 'registered', 'screened', 'oriented', 'referred', 'excluded', 'withdrawn', "
            "'deceased', 'deserted', 'merged') GROUP BY pathway"
        ),
        "sites": sql(
            "SELECT count(*) FROM cantonment_cantonmentstay WHERE checked_out_on IS NULL AND flag = 'overstay'"
        ),
        "duplicates": sql(
            "SELECT g.code, count(*) FROM ddr_duplicatepair d JOIN ddr_combatant c ON c.id = d.first_id "
            "JOIN ddr_armedgroup g ON g.id = c.movement_id WHERE d.status = 'open' AND c.status <> 'merged' "
            "AND c.category <> 'child' GROUP BY g.code"
        ),
    }
    print("\nEach figure alone, as its endpoint reads it (staff, whole country):")
    for name, panel in PANELS.items():
        line(f"  {name}", lambda panel=panel: panel(Scope(staff)), hand.get(name))
    print("\nThe whole dashboard:")
    line("dashboard figures, staff (every panel)", lambda: figures(staff))
    line("dashboard figures, analyst (with suppression)", lambda: figures(analyst))
    gao = Region.objects.get(code="GAO")
    hand_region = sql(
        f"SELECT pathway, count(*) FROM ddr_combatant WHERE region_id = {gao.pk} AND status <> 'merged' "  # noqa: S608
        "AND category <> 'child' GROUP BY pathway"
    )
    line("dashboard figures, staff, one region", lambda: figures(staff, region="GAO"), hand_region)
    period = (dt.date(2019, 3, 15), dt.date(2023, 6, 20))  # part-months at both ends
    hand_period = sql(
        f"SELECT pathway, status, count(*) {live} AND c.registered_at BETWEEN '{period[0]}' AND '{period[1]}' "  # noqa: S608
        "GROUP BY pathway, status"
    )
    line(
        "dashboard figures, staff, 15/03/2019 to 20/06/2023",
        lambda: figures(staff, start=period[0], end=period[1]),
        hand_period,
    )
    slowest_alone = max(
        (median_ms(lambda p=panel: p(Scope(staff, start=period[0], end=period[1]))), name)
        for name, panel in PANELS.items()
    )
    line(
        f"  slowest figure alone over that period: {slowest_alone[1]}",
        lambda: PANELS[slowest_alone[1]](Scope(staff, start=period[0], end=period[1])),
    )
    client = Client()
    client.force_login(analyst)
    line("GET /api/dashboard/ (analyst)", lambda: client.get("/api/dashboard/", HTTP_HOST="127.0.0.1"))
    slowest = max(
        (median_ms(lambda name=name: client.get(f"/api/dashboard/{name}/", HTTP_HOST="127.0.0.1")), name)
        for name in PANELS
    )
    line(
        f"GET /api/dashboard/<figure>/ (analyst), slowest: {slowest[1]}",
        lambda: client.get(f"/api/dashboard/{slowest[1]}/", HTTP_HOST="127.0.0.1"),
    )
    client.force_login(staff)
    line(
        "GET /tableau-de-bord/ (staff, HTML)", lambda: client.get("/tableau-de-bord/", HTTP_HOST="127.0.0.1")
    )
    if not args.skip_writes:
        _tally_cost(connection, args.people)


def _tally_cost(connection: Any, people: int) -> None:
    """What keeping the tally costs writers: the same statements with its triggers on and off."""
    print("\nThe tally's cost to writers (same statement, triggers on / off):")
    statements = [
        (
            "recompute: UPDATE every pathway",
            "UPDATE ddr_combatant SET pathway = CASE WHEN pathway = "
            "'reinsertion' THEN 'community' WHEN pathway = 'community' THEN 'reinsertion' ELSE pathway END",
        ),
        (
            f"import: INSERT {people // 10:,} people",
            "INSERT INTO ddr_combatant ("
            + PEOPLE_COLUMNS
            + ") SELECT "
            + PEOPLE_COLUMNS.replace("registration_number", "'X' || registration_number")
            + " FROM ddr_combatant WHERE id % 10 = 0",
        ),
        ("one status change", "UPDATE ddr_combatant SET status = 'screened' WHERE id = 7"),
    ]
    for label, statement in statements:
        times = []
        for on in (True, False):
            with connection.cursor() as cur:
                cur.execute("BEGIN")
                if not on:
                    cur.execute("ALTER TABLE ddr_combatant DISABLE TRIGGER USER")
                start = time.perf_counter()
                cur.execute(statement)
                times.append((time.perf_counter() - start) * 1000)
                cur.execute("ROLLBACK")
        print(
            f"  {label:<58} {times[0]:>8,.0f} ms   without the tally: {times[1]:,.0f} ms"
            f" ({times[0] / max(times[1], 0.01):.1f}x)"
        )


def _other_apps(cur: Any, people: int) -> None:
    """Stays, duplicate pairs, unit members and CVR projects in proportion to the register."""
    cur.execute("SELECT id FROM cantonment_site ORDER BY id")
    sites = [r[0] for r in cur.fetchall()]
    cur.execute(
        "INSERT INTO cantonment_cantonmentstay (checked_in_on, leave_by, flag, combatant_id, site_id) "
        "SELECT date '2024-01-01', date '2024-02-15', CASE WHEN c.id % 5 = 0 THEN 'overstay' ELSE '' END, c.id, "
        f"(ARRAY{sites})[1 + c.id % {len(sites)}] FROM ddr_combatant c WHERE c.id % 20 = 0"
    )
    cur.execute(
        "INSERT INTO ddr_duplicatepair (score, agreed, differed, status, found_at, first_id, second_id) "
        "SELECT 0.9, '[]', '[]', 'open', now(), c.id, c.id + 1 FROM ddr_combatant c WHERE c.id % 50 = 1"
    )
    cur.execute("SELECT id FROM integration_unit ORDER BY id")
    units = [r[0] for r in cur.fetchall()]
    cur.execute(
        "INSERT INTO integration_membership (service_number, name, party, role, rank, start, leaving, "
        "circumstances, unit_id) SELECT 'SN' || g, '', (ARRAY['fama', 'cma', 'platform'])[1 + g % 3], "
        f"CASE WHEN g % 10 = 0 THEN 'command' ELSE 'rank_and_file' END, '', date '2020-01-01', '', '', "
        f"(ARRAY{units})[1 + g % {len(units)}] FROM generate_series(1, {people // 50}) g"
    )
    cur.execute(
        "SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns "
        "WHERE table_name = 'cvr_project' AND column_name NOT IN ('id', 'code')"
    )
    columns = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM cvr_project")
    copies = max(1, people // 200 // max(1, cur.fetchone()[0]))
    cur.execute(
        f"INSERT INTO cvr_project (code, {columns}) SELECT code || '-' || g, {columns} "  # noqa: S608
        f"FROM cvr_project, generate_series(1, {copies}) g"
    )


if __name__ == "__main__":
    main()
