"""The handover archive at scale on PostgreSQL, beside pg_dump and pg_restore of the same database.

    make bench-archive                               # 200,000 people with their audit history
    make bench-archive BENCH_ARGS="--people 1000000"

Recreates `ddr_bench`, COPYs a register and one history row per person, then times
`export_archive` (encrypted), `import_archive` into a freshly migrated database (which includes
its verification: the whole database exported again and compared, part by part), and, as the
machine's baseline, `pg_dump -Fc` and `pg_restore` of the same database.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from benchmarks.register import GIVEN_M, PEOPLE_COLUMNS, copy_from, ensure_database, family_name, person_line  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env=env, capture_output=True)  # noqa: S603
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    ensure_database(url)

    import django

    django.setup()
    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.db import connection

    from core.models import Region
    from ddr.models import ArmedGroup
    from programme.archive import export_archive

    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=0, stdout=io.StringIO())
    regions = list(Region.objects.values_list("id", flat=True))
    groups = list(ArmedGroup.objects.values_list("id", flat=True))
    rng = random.Random(9)
    rows = io.StringIO()
    for n in range(1, args.people + 1):
        rows.write(
            person_line(
                f"ARC-{n:07d}-0",
                rng.choice(GIVEN_M),
                family_name(rng),
                "M",
                rng.randint(1960, 2000),
                rng.choice(regions),
                rng.choice(groups),
                "combatant_armed",
                "registered",
                True,
                "2019-03-01",
            )
        )
    rows.seek(0)
    with connection.cursor() as cur:
        copy_from(cur, f"COPY ddr_combatant ({PEOPLE_COLUMNS}) FROM STDIN", rows)
        cur.execute(
            f"INSERT INTO ddr_historicalcombatant ({PEOPLE_COLUMNS}, id, history_date, history_type) "
            f"SELECT {PEOPLE_COLUMNS}, id, now(), '+' FROM ddr_combatant"
        )
        cur.execute("ANALYZE")
        cur.execute("SELECT pg_database_size(current_database())")
        size = cur.fetchone()[0]
    print(
        f"people: {args.people:,} (+ {args.people:,} history rows); database {size / 1e6:,.0f} MB  (PostgreSQL {connection.pg_version // 10000})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        key = Fernet.generate_key()
        (Path(tmp) / "key").write_bytes(key)
        archive = Path(tmp) / "ddr.zip"
        start = time.perf_counter()
        manifest = export_archive(archive, key=key)
        export_s = time.perf_counter() - start
        total = sum(p["rows"] for p in manifest["parts"])
        dump_s = timed(["pg_dump", "-Fc", "-f", str(Path(tmp) / "ddr.dump"), url])
        print(
            f"{'export_archive (encrypted)':<44} {export_s:>8.1f} s  {total / export_s:>10,.0f} rows/s  "
            f"{archive.stat().st_size / 1e6:,.0f} MB"
        )
        print(
            f"{'baseline  pg_dump -Fc':<44} {dump_s:>8.1f} s  {'':>17}  {(Path(tmp) / 'ddr.dump').stat().st_size / 1e6:,.0f} MB"
        )

        restore_url = url + "_restore"
        ensure_database(restore_url)
        env = {**os.environ, "DATABASE_URL": restore_url, "DDR_VAR_DIR": str(Path(tmp) / "var")}
        timed([sys.executable, "manage.py", "migrate", "--noinput"], env)
        import_s = timed(
            [
                sys.executable,
                "manage.py",
                "import_archive",
                str(archive),
                "--key-file",
                str(Path(tmp) / "key"),
            ],
            env,
        )
        print(
            f"{'import_archive + verification (re-export)':<44} {import_s:>8.1f} s  {total / import_s:>10,.0f} rows/s"
        )
        ensure_database(restore_url, migrated=False)  # pg_restore creates the schema itself
        restore_s = timed(["pg_restore", "--no-owner", "-d", restore_url, str(Path(tmp) / "ddr.dump")])
        print(f"{'baseline  pg_restore':<44} {restore_s:>8.1f} s")
        print(f"{'export against pg_dump -Fc (goal <= 3x)':<44} {export_s / dump_s:>8.1f}x")
        print(f"{'restore + verification against pg_restore (goal <= 3x)':<44} {import_s / restore_s:>8.1f}x")


if __name__ == "__main__":
    main()
