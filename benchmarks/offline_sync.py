"""Offline sync on PostgreSQL: many devices sending their day's work at once, beside a plain bulk
insert of the same rows.

    make bench-sync                                     # 50 devices x 1,000 operations
    make bench-sync BENCH_ARGS="--devices 5 --ops 50"   # CI's size

Recreates the `ddr_bench` database, COPYs a register (COPY's rows/s is the machine's baseline),
gives each device a regional officer (devices spread over the regions) and its own day of work:
registrations (with a document and a weapon), edits of people of its region (some of them also
edited by another device: conflicts), check-ins of the people it registered, medical results.
Then every device sends its operations at once (`--concurrency` at a time), through the API as
the app does (`POST /api/sync/operations/`, batches of `--batch`), and downloads its snapshot
again: measured are the operations per second, the time until every device is in step (all sent
and the snapshot read back), and queries per operation (a batch of 1 against a batch of 100).
The limit beside it: a plain COPY of as many people rows, and the bare INSERTs of the rows the
operations wrote. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from benchmarks.register import GIVEN_M, PEOPLE_COLUMNS, copy_from, ensure_database, family_name, person_line  # noqa: E402

SHARED = 0.02  # share of edits that touch a person another device edits too


def line(label: str, value: str, limit: str = "") -> None:
    print(f"{label:<62} {value:>14}   {limit}")


def day_of_work(
    rng: random.Random, n: int, device: int, people: list[int], site: int
) -> list[dict[str, Any]]:
    """A device's operations: 50% registrations, 25% edits, 15% check-ins of its own new people,
    10% medical results (of people of its region)."""
    made = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).isoformat()
    ops: list[dict[str, Any]] = []
    registered: list[str] = []
    for k in range(n):
        roll = rng.random()
        op: dict[str, Any] = {"op_id": str(uuid.uuid4()), "made_at": made, "person": None, "temp_id": None,
                              "base_versions": {}}  # fmt: skip
        if roll < 0.5 or not people:
            temp = f"T-{device}-{k}"
            registered.append(temp)
            given = rng.choice(GIVEN_M)
            family = family_name(rng)
            op |= {"kind": "register", "temp_id": temp, "data": {
                "family_name": family, "given_name": f"{given} {device}x{k}", "sex": "M",
                "birth_year": rng.randint(1965, 2000), "region": "", "movement": "", "category": "combatant_armed",
                "documents": [{"kind": "nina", "number": f"N{device:03d}{k:06d}"}],
                "weapons": [{"kind": "assault_rifle", "serial_number": f"S{device:03d}{k:06d}"}],
            }}  # fmt: skip
        elif roll < 0.75:
            # A shared person is edited by several devices: the later ones meet a conflict.
            person = people[0] if rng.random() < SHARED else rng.choice(people)
            op |= {"kind": "update", "person": person, "data": {"commune": f"Commune {device}-{k}"}}
        elif roll < 0.9 and registered:
            op |= {"kind": "check_in", "temp_id": registered.pop(0), "data": {"site": site}}
        else:
            op |= {
                "kind": "medical",
                "person": rng.choice(people),
                "data": {"examiner": "Dr Maïga", "result": "fit"},
            }
        ops.append(op)
    return ops


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--ops", type=int, default=1000, help="operations per device")
    parser.add_argument("--people", type=int, default=50_000, help="people already registered (COPY)")
    parser.add_argument("--batch", type=int, default=100, help="operations per request")
    parser.add_argument("--concurrency", type=int, default=10, help="devices sending at the same instant")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User
    from cantonment.models import Site
    from core.models import Region
    from ddr.models import ArmedGroup, Combatant
    from programme.offline.models import SyncOperation

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=0, stdout=io.StringIO())  # reference data and the demo's users
    regions = list(Region.objects.order_by("code"))
    movement = ArmedGroup.objects.order_by("code").first()
    assert movement is not None
    rng = random.Random(22)
    rows = io.StringIO()
    for n in range(1, args.people + 1):
        rows.write(
            person_line(f"BEN-{n:07d}-0", rng.choice(GIVEN_M), family_name(rng), "M", rng.randint(1960, 2000),
                        rng.choice(regions).pk, movement.pk, "combatant_armed", "registered", True, "2019-03-01")
        )  # fmt: skip
    rows.seek(0)
    start = time.perf_counter()
    with connection.cursor() as cur:
        copy_from(cur, f"COPY ddr_combatant ({PEOPLE_COLUMNS}) FROM STDIN", rows)
        cur.execute("ANALYZE ddr_combatant")
    copy_rate = args.people / (time.perf_counter() - start)
    print(f"devices: {args.devices}, operations each: {args.ops:,}, register: {args.people:,} people "
          f"(PostgreSQL {connection.pg_version // 10000})")  # fmt: skip
    line("baseline  raw COPY into ddr_combatant", f"{copy_rate:,.0f} rows/s")

    # Each device: a regional officer of one region, a site there, the people of that region.
    sites = {
        r.pk: Site.objects.create(name=f"Site {r.code}", kind="cantonment", status="operational", region=r,
                                  capacity=args.devices * args.ops, places_for_women=0)
        for r in regions
    }  # fmt: skip
    by_region: dict[int, list[int]] = {}
    for pk, region_id in Combatant.objects.values_list("pk", "region_id").order_by("pk"):
        by_region.setdefault(region_id, []).append(pk)
    devices = []
    for d in range(args.devices):
        region = regions[d % len(regions)]
        officer = User.objects.create(
            username=f"bench-officer-{d}", role=Role.REGIONAL_OFFICER, region=region
        )
        client = Client()
        client.force_login(officer)
        device_id = str(uuid.uuid4())
        response = client.post("/api/sync/devices/", {"device_id": device_id, "name": f"Tablette {d}"},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 201, response.content
        people = by_region.get(region.pk, [])[:2000]
        ops = day_of_work(rng, args.ops, d, people, sites[region.pk].pk)
        for op in ops:
            if op["kind"] == "register":
                op["data"] |= {"region": region.code, "movement": movement.code}
        devices.append((client, device_id, ops))
    # Every device downloads its scope first: its base versions.
    for client, device_id, _ops in devices:
        assert client.get("/api/sync/snapshot/", {"device": device_id}).status_code == 200

    def send(client: Client, device_id: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = client.post("/api/sync/operations/", {"device": device_id, "operations": ops},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 200, response.content[:500]
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    # Queries per operation: the first device's first operations, a batch of 1, then of 100.
    client, device_id, ops = devices[0]
    per_op = []
    for size in (1, min(100, max(2, args.ops // 4))):
        chunk, ops = ops[:size], ops[size:]
        with CaptureQueriesContext(connection) as seen:
            send(client, device_id, chunk)
        per_op.append((size, len(seen.captured_queries) / size))
    devices[0] = (client, device_id, ops)

    latencies: list[float] = []
    finished: list[float] = []

    def device_syncs(entry: tuple[Client, str, list[dict[str, Any]]]) -> tuple[int, dict[str, int]]:
        client, device_id, ops = entry
        counts: dict[str, int] = {}
        try:
            for first in range(0, len(ops), args.batch):
                t = time.perf_counter()
                for result in send(client, device_id, ops[first : first + args.batch]):
                    counts[result["status"]] = counts.get(result["status"], 0) + 1
                latencies.append(time.perf_counter() - t)
            assert client.get("/api/sync/snapshot/", {"device": device_id}).status_code == 200  # in step
            finished.append(time.perf_counter())
            return len(ops), counts
        finally:
            connections.close_all()

    start = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        outcomes = list(pool.map(device_syncs, devices))
    in_step_s = max(finished) - start
    sent = sum(n for n, _counts in outcomes)
    statuses: dict[str, int] = {}
    for _n, counts in outcomes:
        for status, k in counts.items():
            statuses[status] = statuses.get(status, 0) + k

    # The limit: the rows these operations wrote, inserted plainly (COPY of as many people rows,
    # then of their stays, audit rows left out), in a transaction rolled back.
    registered = SyncOperation.objects.filter(kind="register", status="applied").count()
    plain = io.StringIO()
    for n in range(sent):
        plain.write(person_line(f"PLN-{n:07d}-0", "Moussa", "Maïga", "M", 1990, regions[0].pk, movement.pk,
                                "combatant_armed", "registered", True, "2019-03-01"))  # fmt: skip
    plain.seek(0)
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("BEGIN")
        copy_from(cur, f"COPY ddr_combatant ({PEOPLE_COLUMNS}) FROM STDIN", plain)
        cur.execute("ROLLBACK")
    plain_s = time.perf_counter() - start

    rate = sent / in_step_s
    line(f"operations, {args.devices} devices x {args.ops:,} ({args.concurrency} at once)", f"{rate:,.0f} ops/s",
         f"plain COPY of as many rows: {sent / plain_s:,.0f} rows/s ({(sent / plain_s) / rate:,.0f}x)")  # fmt: skip
    line("time until every device is in step (sent + snapshot read)", f"{in_step_s:,.1f} s")
    line(f"request of up to {args.batch} operations, median", f"{statistics.median(latencies) * 1000:,.0f} ms",
         f"slowest: {max(latencies) * 1000:,.0f} ms")  # fmt: skip
    line("queries per operation, batch of 1 / of " + str(per_op[1][0]), f"{per_op[0][1]:.1f} / {per_op[1][1]:.1f}",
         "constant: the batch's own look-ups are shared")  # fmt: skip
    line("outcomes", ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items())),
         f"people registered: {registered:,}")  # fmt: skip


if __name__ == "__main__":
    main()
