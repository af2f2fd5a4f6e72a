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
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from register import GIVEN_F, GIVEN_M, PEOPLE_COLUMNS, ensure_database, family_name, median_ms, person_line  # noqa: E402

PATHWAYS = ["integration_army", "reinsertion", "community", "recall", "integration_civil", "pending"]
STATUSES = ["registered", "screened", "oriented", "cantoned", "in_training", "integrated", "reinserted"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from core.dashboard import figures
    from core.models import Region
    from ddr.models import ArmedGroup

    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=0, stdout=io.StringIO())  # users, sites, units, CVR projects
    regions = list(Region.objects.values_list("id", flat=True))
    groups = list(ArmedGroup.objects.values_list("id", flat=True))
    rng = random.Random(11)
    rows = io.StringIO()
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
                f"20{rng.randint(18, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                pathway=rng.choice(PATHWAYS),
            )
        )
    rows.seek(0)
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.copy_expert(f"COPY ddr_combatant ({PEOPLE_COLUMNS}) FROM STDIN", rows)
        cur.execute("VACUUM ANALYZE ddr_combatant")
    copy_s = time.perf_counter() - start
    print(f"people: {args.people:,}  (PostgreSQL {connection.pg_version // 10000})")
    print(f"{'baseline  raw COPY into ddr_combatant':<60} {args.people / copy_s:>10,.0f} rows/s")

    staff, analyst = User.objects.get(username="commission"), User.objects.get(username="analyste")

    def line(label: str, ms: float, hand: float | None = None) -> None:
        print(
            f"{label:<60} {ms:>8,.0f} ms"
            + (f"   hand-written SQL: {hand:,.0f} ms" if hand is not None else "")
        )

    def sql(statement: str) -> float:
        def run() -> None:
            with connection.cursor() as cur:
                cur.execute(statement)
                cur.fetchall()

        return median_ms(run)

    hand_funnel = sql(
        "SELECT status, count(*) FROM ddr_combatant WHERE status <> 'merged' AND category <> 'child' GROUP BY status"
    )
    hand_grid = sql(
        "SELECT c.pathway, r.name, count(*) FROM ddr_combatant c JOIN core_region r ON r.id = c.region_id "
        "WHERE c.status <> 'merged' AND c.category <> 'child' GROUP BY c.pathway, r.name"
    )
    hand_sex = sql(
        "SELECT pathway, sex, count(*) FROM ddr_combatant WHERE status <> 'merged' AND category <> 'child' GROUP BY pathway, sex"
    )
    line("hand-written SQL, the three grouped counts together", hand_funnel + hand_grid + hand_sex)
    line(
        "dashboard figures, staff (every panel)",
        median_ms(lambda: figures(staff)),
        hand_funnel + hand_grid + hand_sex,
    )
    line("dashboard figures, analyst (with suppression)", median_ms(lambda: figures(analyst)))
    gao = Region.objects.get(code="GAO")
    hand_region = sql(
        f"SELECT pathway, count(*) FROM ddr_combatant WHERE region_id = {gao.pk} AND status <> 'merged' "  # noqa: S608
        "AND category <> 'child' GROUP BY pathway"
    )
    line("dashboard figures, staff, one region", median_ms(lambda: figures(staff, region="GAO")), hand_region)
    client = Client()
    client.force_login(analyst)
    line(
        "GET /api/dashboard/ (analyst)",
        median_ms(lambda: client.get("/api/dashboard/", HTTP_HOST="127.0.0.1")),
    )
    client.force_login(staff)
    line(
        "GET /tableau-de-bord/ (staff, HTML)",
        median_ms(lambda: client.get("/tableau-de-bord/", HTTP_HOST="127.0.0.1")),
    )


if __name__ == "__main__":
    main()
