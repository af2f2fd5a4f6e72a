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


def ensure_database(url: str) -> None:
    """Drop and recreate the scratch database named at the end of `url`."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def copy_from(cur: Any, sql: str, rows: io.StringIO) -> None:
    """`COPY ... FROM STDIN` of the text written to `rows`, on a Django cursor (psycopg chunks it)."""
    with cur.copy(sql) as copy:
        copy.write(rows.getvalue())
