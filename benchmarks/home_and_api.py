"""Home-page aggregates and a people API page at scale, on PostgreSQL.

    make bench                       # 200,000 people
    make bench BENCH_ARGS="--people 1000000"

Loads people with COPY into a separate database (`ddr_bench`, recreated), prints COPY's
rows/s as the machine's baseline, then the median time of the home summary, pages and API reads,
each beside its limit and the ratio: the same reads by hand-written SQL (the summary reads the
register tally; counting the people instead is printed too), or, for a page, the very SELECTs it
sent, run by hand on the same connection (what is left is Python: filters, serializers,
templates). The home page's goal is 100 ms at 1,000,000 people. Then the API over HTTP, as a client sees it:
gunicorn with production settings, 200 requests on one kept-alive connection per endpoint, p50 and
p99 beside the same SELECTs run by hand as many times; its last row, a registration number nobody
bears, gives the stack's own cost around any page's SQL. Not a test: no thresholds.

    --reuse     time again on the register of the last run (no new database, no loading)
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
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


def load_register(people: int) -> float:
    """The demo's users, sites, units and projects, then `people` people by COPY: COPY's rows/s."""
    from django.core.management import call_command
    from django.db import connection

    from core.models import Region
    from ddr.models import ArmedGroup, Category

    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=0, stdout=io.StringIO())  # users, sites, units, projects
    regions = list(Region.objects.values_list("id", flat=True))
    groups = list(ArmedGroup.objects.values_list("id", flat=True))
    categories = list(Category.values)
    rng = random.Random(1)
    rows = io.StringIO()
    for i in range(people):
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
    rate = people / (time.perf_counter() - start)
    with connection.cursor() as cur:
        # As autovacuum leaves a table after a bulk insert: statistics, and the visibility map
        # that lets a count read an index alone.
        cur.execute("VACUUM ANALYZE ddr_combatant")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true", help="time again on the register of the last run")
    parser.add_argument("--requests", type=int, default=200, help="HTTP requests per endpoint")
    args = parser.parse_args()
    if not args.reuse:
        ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from ddr.models import Combatant
    from programme.selectors import programme_summary

    if args.reuse:
        args.people = Combatant.objects.count()
        copy_rate = float("nan")
    else:
        copy_rate = load_register(args.people)

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

    def raw_tally(region_id: int | None) -> Callable[[], None]:
        """The summary as it reads: the register tally, the children's index, the places."""
        region = f"AND region_id = {region_id}" if region_id else ""

        def run() -> None:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT grouping, region_id, sex, category, has_weapon, sum(n) FROM ddr_registertally "
                    f"WHERE grouping IN ('sex', 'category') {region} GROUP BY 1, 2, 3, 4, 5"
                )
                cur.execute(
                    f"SELECT count(*) FROM ddr_combatant WHERE category = 'child' AND status <> 'merged' {region}"
                )
                raw_places(cur, region_id)

        return run

    def raw_page() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM (SELECT 1 FROM ddr_combatant WHERE category <> 'child' LIMIT 10001) s"
            )
            cur.execute("SELECT * FROM ddr_combatant WHERE category <> 'child' ORDER BY id LIMIT 50")
            cur.fetchall()

    print(f"people: {args.people:,}  (PostgreSQL {connection.pg_version // 10000})")
    if not args.reuse:
        print(f"baseline  raw COPY into ddr_combatant           {copy_rate:>12,.0f} rows/s")
    # The home page's limit is 100 ms; counting the people themselves is shown for comparison.
    counted = median_ms(raw_summary), median_ms(raw_gao_summary)
    print(
        f"{'the summary counted over the people (SQL)':<48} {counted[0]:8.1f} ms   Gao officer {counted[1]:8.1f} ms"
    )
    results = [
        ("home summary, commission (all regions)", lambda: programme_summary(commission), raw_tally(None)),
        ("home summary, Gao officer", lambda: programme_summary(gao), raw_tally(gao.region_id)),
        ("GET /api/people/ page 1 (50 rows)", lambda: client.get("/api/people/"), raw_page),
        (
            "GET /api/people/?region=GAO&category=ex_mdsf",
            lambda: client.get("/api/people/?region=GAO&category=ex_mdsf"),
            None,
        ),
        ("GET / (home page, HTML)", lambda: client.get("/"), None),
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
            "GET /personnes/?q=ag intallah (HTML)",
            lambda: client.get("/personnes/?q=ag%20intallah"),
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

    over_http(commission, client, args.requests)


# A registration number nobody bears: one probe of a unique index and an empty page. What it costs
# over HTTP is the stack around any page's SQL (token, role, scope, filters, serializer, read log).
FLOOR = "/api/people/?q=ZZ-0000000-0"
HTTP_ENDPOINTS = (
    "/api/people/?region=GAO&category=ex_mdsf",
    "/api/people/",
    "/api/people/?q=ag%20intallah",
    "/api/people/?q=maiga",
    "/api/people/?cursor=&region=GAO",
    FLOOR,
)


def over_http(user: Any, client: Any, requests: int) -> None:
    """Each endpoint `requests` times over one kept-alive HTTP connection to gunicorn (production
    settings, its database connection kept between requests), beside its SELECTs by hand."""
    from django.db import connection
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DDR_PSEUDONYM_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DDR_VAR_DIR": str(root / "var" / "bench"),
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--worker-class", "gthread", "--threads", "1", "--keep-alive", "30", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=root, env=env)  # noqa: S603 - our own application
    try:
        _connect(port).close()  # started
        headers = {"Authorization": f"Token {token}", "X-Purpose": "benchmark: the people API over HTTP"}

        def get(conn: http.client.HTTPConnection, path: str) -> None:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, f"{path}: answered {response.status}: {body[:200]!r}"

        print(f"\nover HTTP: gunicorn (production settings), {requests} requests per endpoint, kept alive")
        print(f"{'endpoint':<44} {'p50':>8} {'p99':>8}   its SELECTs by hand p50 / p99   ratio p50")
        floor = float("nan")
        for path in HTTP_ENDPOINTS:
            conn = _connect(port)  # one kept-alive connection per endpoint
            ours = _timed(lambda path=path, conn=conn: get(conn, path), requests)  # type: ignore[misc]
            conn.close()
            by_hand = _timed(own_selects(connection, lambda path=path: client.get(path)), requests)  # type: ignore[misc]
            print(
                f"{path:<44} {_pct(ours, 50):6.1f}ms {_pct(ours, 99):6.1f}ms   "
                f"{_pct(by_hand, 50):13.1f}ms / {_pct(by_hand, 99):6.1f}ms   "
                f"{_pct(ours, 50) / _pct(by_hand, 50):7.1f}x"
            )
            if path == FLOOR:
                floor = _pct(ours, 50) - _pct(by_hand, 50)
        print(f"the stack around a page's SQL (the last row, less its SELECTs): {floor:.1f} ms per request")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _connect(port: int) -> http.client.HTTPConnection:
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.connect()
            return conn
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm: steady state, as a client sees it
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _pct(times: list[float], pct: int) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


if __name__ == "__main__":
    main()
