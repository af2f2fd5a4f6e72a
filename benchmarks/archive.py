"""The handover archive at scale on PostgreSQL, beside pg_dump and pg_restore of the same database.

    make bench-archive                               # 200,000 people with their audit history
    make bench-archive BENCH_ARGS="--people 1000000"

Recreates `ddr_bench`, COPYs a register and one history row per person, then times
`export_archive` (encrypted), `import_archive` into a freshly migrated database (which includes
its verification: every restored table read back and hashed against the manifest), and, as the
machine's baseline, `pg_dump -Fc` and `pg_restore` of the same database. Each figure is printed
beside its limit (three times its baseline) and the ratio.
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
GOAL = 3  # each figure at most three times its baseline (issue 23)


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
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
    version = connection.pg_version // 10000  # type: ignore[attr-defined]
    print(
        f"people: {args.people:,} (+ {args.people:,} history rows); database {size / 1e6:,.0f} MB  (PostgreSQL {version})"
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

        restore_url = url + "_restore"
        ensure_database(restore_url)
        env = {**os.environ, "DATABASE_URL": restore_url, "DDR_VAR_DIR": str(Path(tmp) / "var")}
        timed([sys.executable, "manage.py", "migrate", "--noinput"], env)
        command = [
            sys.executable,
            "manage.py",
            "import_archive",
            str(archive),
            "--key-file",
            str(Path(tmp) / "key"),
        ]
        import_s = timed(command, env)
        ensure_database(restore_url, migrated=False)  # pg_restore creates the schema itself
        restore_s = timed(["pg_restore", "--no-owner", "-d", restore_url, str(Path(tmp) / "ddr.dump")])

        print(f"{manifest['format']}: {total:,} rows in {len(manifest['parts'])} tables")
        print(f"{'':<42} {'time':>8}   {'limit':>8}  {'ratio':>6}  ({'baseline':>8})")
        for label, seconds, baseline, name, size in (
            ("export_archive (encrypted)", export_s, dump_s, "pg_dump -Fc", archive.stat().st_size),
            ("import_archive + verification", import_s, restore_s, "pg_restore", None),
        ):
            ratio = seconds / baseline
            print(
                f"{label:<42} {seconds:>6.1f} s   {GOAL * baseline:>6.1f} s  {ratio:>5.1f}x  "
                f"({name} {baseline:.1f} s; goal <= {GOAL:g}x: {'met' if ratio <= GOAL else 'MISSED'})"
                + (
                    f"  {total / seconds:,.0f} rows/s, {size / 1e6:,.0f} MB"
                    if size
                    else f"  {total / seconds:,.0f} rows/s"
                )
            )
        print(f"{'pg_dump -Fc file':<42} {(Path(tmp) / 'ddr.dump').stat().st_size / 1e6:>6,.0f} MB")


if __name__ == "__main__":
    main()
