"""What the benchmarks share: a scratch database, timing, and a realistic register written
with COPY (the same few hundred names repeat across a national register, as they do in Mali)."""

from __future__ import annotations

import io
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

GIVEN_M = (
    "Mohamed Mahamadou Mohammed Moussa Ibrahim Ibrahima Aliou Hamadoun Intallah Alghabass Abdoulaye "
    "Abdou Oumar Amadou Boubacar Seydou Souleymane Issa Hama Hamid Cheick Bilal Attaher Ahmed Sidi "
    "Youssouf Adama Bakary Modibo Fousseyni Mamadou Alhousseini Ousmane Almahdi Baba Sékou"
).split()
GIVEN_F = "Fatoumata Aïssata Fadimata Mariam Aminata Kadidia Hawa Zeinabou Tata Assitan Oumou Rokia".split()
FAMILY = (
    "Maïga Touré Cissé Dicko Haïdara Diallo Traoré Coulibaly Keïta Sidibé Sangaré Diarra Tamboura "
    "Guindo Kanouté Bah Barry Sow Konaté Dembélé Koné Timbiné Yattara Dramé Sissoko Cissoko"
).split()
PARTICLES = ("Ag", "Ould", "Walet")


def family_name(rng: random.Random) -> str:
    # Tamasheq and Arab names: "Ag Intallah" (son of), "Walet Ahmed" (daughter of), "Ould Sidati".
    if rng.random() < 0.35:
        return f"{rng.choice(PARTICLES)} {rng.choice(GIVEN_M)}"
    return rng.choice(FAMILY)


# Every column of ddr_combatant without a database default, in the order `person_line` writes them.
PEOPLE_COLUMNS = (
    "registration_number, given_name, family_name, sex, birth_date, birth_year, birth_year_approximate, "
    "region_id, movement_id, category, status, has_weapon, registered_at, name_key, "
    "age_verified, medical_status, vetting_status, pathway, pathway_reason, "
    "also_known_as, place_of_birth, commune, rank_in_movement, photo, biometric_ref, registration_place"
)


def person_line(
    number: str,
    given: str,
    family: str,
    sex: str,
    birth_year: int,
    region_id: int,
    movement_id: int,
    category: str,
    status: str,
    has_weapon: bool,
    registered_at: str,
    *,
    age_verified: bool = False,
    medical: str = "",
    vetting: str = "",
    pathway: str = "pending",
) -> str:
    """One person as a line of COPY text format (tab-separated, \\N for NULL)."""
    from ddr.registration.rules import name_key

    flag = "t" if has_weapon else "f"
    return (
        f"{number}\t{given}\t{family}\t{sex}\t\\N\t{birth_year}\tt\t{region_id}\t{movement_id}\t"
        f"{category}\t{status}\t{flag}\t{registered_at}\t{name_key(family, given)}\t"
        f"{'t' if age_verified else 'f'}\t{medical}\t{vetting}\t{pathway}\t" + "\t" * 7 + "\n"
    )


def median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    fn()  # warm the cache: we measure steady state, as users see it
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _schema_digest() -> str:
    """What decides the migrated schema: every migration of the repository and the pinned packages."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("*/migrations/*.py"), root / "requirements-dev.lock"]):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def ensure_database(url: str, *, migrated: bool = True) -> None:
    """Drop and recreate the scratch database named at the end of `url`, empty or (`migrated`) a
    copy of a template database (`<name>_migrated`) migrated once for the schema of this
    checkout, so each benchmark starts from an empty register without running every migration again.
    The template is named after the scratch database: checkouts with other migrations, benchmarking
    side by side under other names, never drop each other's template."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import psycopg

    base, name = url.rsplit("/", 1)
    template, digest = f"{name}_migrated", _schema_digest()
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not migrated:
            conn.execute(f'CREATE DATABASE "{name}"')
            return
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template]
        ).fetchone()
        if row is None or row[0] != digest:
            conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{template}"')
            env = {**os.environ, "DATABASE_URL": f"{base}/{template}", "DJANGO_DEBUG": "1"}
            root = Path(__file__).resolve().parent.parent
            command = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
            subprocess.run(command, check=True, cwd=root, env=env)  # noqa: S603 (our own manage.py)
            conn.execute(f"COMMENT ON DATABASE \"{template}\" IS '{digest}'")
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def copy_from(cur: Any, sql: str, rows: io.StringIO) -> None:
    """`COPY ... FROM STDIN` of the text written to `rows`, on a Django cursor (psycopg chunks it)."""
    with cur.copy(sql) as copy:
        copy.write(rows.getvalue())


def own_selects(connection: Any, fn: Callable[[], object]) -> Callable[[], None]:
    """The SELECTs `fn` sends, to run again by hand on the same connection: the database's share of
    a page or an endpoint (what is left beside it is Python: filters, serializers, templates)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        fn()
    selects = [
        q["sql"] for q in seen.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]

    def run() -> None:
        with connection.cursor() as cur:
            for sql in selects:
                cur.execute(sql)
                cur.fetchall()

    return run
