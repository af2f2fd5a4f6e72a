"""Duplicate detection: quality (precision, recall, F1) and cost on generated registers.

    make bench-duplicates                                  # 10,000 and 100,000 people
    make bench-duplicates BENCH_ARGS="--people 10000 100000 1000000"

No database: `ddr.duplicates.find()` runs on plain records, as the job does on the register.

The generator writes a register in which a known share of people appear again, as movements'
lists had them: in another list or movement, with the spellings of a different clerk. Rates:
- 10 % of people appear twice, 2 % three times (so about 13 % of records are extra copies);
- each copy: given-name transliteration 40 % (Mohamed/Mohammed/Muhammad, Ibrahim/Brahim...),
  Ag/Ould/Walet exchanged 30 % of those who carry one, ou/u, dj/j or a doubled letter 20 %,
  given and family names swapped 10 %, one typo (a letter changed, dropped or added, never the
  first) 15 %, birth year moved by one and made approximate 20 %, day and month swapped 10 %
  of exact dates, birth date reduced to the year 15 %, no birth at all 3 %, another movement 35 %,
  another region 10 %, place of birth misspelt 10 % or missing 5 %;
- identifiers: a document on 50 % of people, kept by a copy 40 % of the time; a weapon serial
  on 35 %, kept 30 %; a biometric reference on 20 %, kept 50 %.
Names: 40 % Tamasheq or Arab ("Given Ag Father", half of them "… Ag Grandfather" too), 60 %
"Given [Father's given] Family" (half with the father's name). Everybody else is distinct but
drawn from the same names, places and years, so namesakes born the same year are common.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

# The repository ahead of this directory, so `cantonment` is the app and not benchmarks/cantonment.py;
# `register` is found here all the same (Python puts a script's own directory on the path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ddr.duplicates.rules import Person, Thresholds, find

GIVEN_M = (
    "Mohamed Mahamadou Moussa Ibrahim Aliou Hamadoun Intallah Alghabass Abdoulaye Abdou Oumar Amadou "
    "Boubacar Seydou Souleymane Issa Hama Hamid Cheick Bilal Attaher Ahmed Sidi Youssouf Adama Bakary "
    "Modibo Fousseyni Alhousseini Ousmane Almahdi Baba Sékou Djibril Lassana Mamoutou Yacouba Salif "
    "Daouda Drissa Harouna Idrissa Kalifa Mahamane Nouhoum Zoumana Assalat Bachir Elmehdi Fagaga "
    "Ghabdi Hanoune Inamoud Mossa Rhissa Sadou Tiégoum Wadidié Zeidane Alassane"
).split()
GIVEN_F = (
    "Fatoumata Aïssata Fadimata Mariam Aminata Kadidia Hawa Zeinabou Tata Assitan Oumou Rokia Safiatou "
    "Nana Djénéba Salamata Haoua Lalla Takiyata Raichatou Mina Agaichatou Fanta Bintou Coumba"
).split()
FAMILY = (
    "Maïga Touré Cissé Dicko Haïdara Diallo Traoré Coulibaly Keïta Sidibé Sangaré Diarra Tamboura "
    "Guindo Kanouté Bah Barry Sow Konaté Dembélé Koné Timbiné Yattara Dramé Sissoko Cissoko Ascofaré "
    "Boncana Hamma Kounta Tandina Arby Sanogo Doumbia Samaké Ballo Tangara Goïta Dao Kéïta"
).split()
PLACES = (
    "Kidal Aguelhok Tessalit Anefis Tin-Essako Abeïbara Gao Ansongo Bourem Ménaka Andéraboukane "
    "Inékar Tidermène Tombouctou Goundam Diré Niafunké Gourma-Rharous Ber Léré Tonka Mopti Douentza "
    "Ténenkou Youwarou Djenné Bandiagara Bankass Koro Boni Hombori Ségou Niono Macina Markala San "
    "Bamako Kati Koulikoro Sikasso Koutiala Kayes Nioro Nara Diéma Talataye Tabankort Tarkint Almoustarat "
    "Intahaka Fafa Likrakar Ilouk Intadeyni Ouatagouna Tassiga Labbezanga Gossi Inadiatafane Hamzakoma"
).split()
REGIONS = ["KID", "GAO", "TBK", "MEN", "MOP", "SEG", "BKO"]
MOVEMENTS = ["MNLA", "HCUA", "MAA", "GATIA", "CMFPR", "CPA", "MSA", "FPA"]
# Transliterations a clerk may write (more than ddr.names knows: the rest are caught as typos).
VARIANTS = {
    "Mohamed": ["Mohammed", "Muhammad", "Mouhamed", "Mahamat"],
    "Mahamadou": ["Mamadou", "Mahmoud"],
    "Ibrahim": ["Ibrahima", "Brahim"],
    "Abdou": ["Abdoul", "Abdul"],
    "Abdoulaye": ["Abdoulahi", "Abdallah"],
    "Oumar": ["Omar", "Umar"],
    "Ousmane": ["Usman", "Osmane"],
    "Aïssata": ["Aichata", "Aïcha"],
    "Fatoumata": ["Fatimata", "Fadimata"],
    "Youssouf": ["Yusuf", "Youssef"],
    "Moussa": ["Mussa", "Mossa"],
    "Amadou": ["Ahmadou", "Hamadou"],
}
PARTICLES = {"M": ["Ag", "Ould"], "F": ["Walet", "Oult"]}
LETTERS = "abcdefghijklmnoprstuyz"


def original(rng: random.Random, number: int) -> Person:
    sex = "F" if rng.random() < 0.12 else "M"
    given = rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
    if rng.random() < 0.4:  # Tamasheq and Arab: son/daughter of, often grandson of too
        family = f"{rng.choice(PARTICLES[sex])} {rng.choice(GIVEN_M)}"
        if rng.random() < 0.5:
            family += f" Ag {rng.choice(GIVEN_M)}"
    else:  # the father's given name often stands between given and family names
        family = rng.choice(FAMILY)
        if rng.random() < 0.5:
            given += f" {rng.choice(GIVEN_M)}"
    year = rng.randint(1960, 2002)
    exact = rng.random() < 0.6
    birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28)) if exact else None
    return Person(
        id=number,
        given=given,
        family=family,
        sex=sex,
        birth_year=year,
        birth_date=birth,
        place_of_birth=rng.choice(PLACES),
        region=rng.choice(REGIONS),
        movement=rng.choice(MOVEMENTS),
        documents=frozenset({f"N{number:09d}"}) if rng.random() < 0.5 else frozenset(),
        biometric=f"BIO{number:09d}" if rng.random() < 0.2 else "",
        serials=frozenset({f"SN{number:09d}"}) if rng.random() < 0.35 else frozenset(),
    )


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    at = rng.randint(1, len(word) - 1)
    change = rng.choice("sdi")
    if change == "s":
        return word[:at] + rng.choice(LETTERS) + word[at + 1 :]
    if change == "d":
        return word[:at] + word[at + 1 :]
    return word[:at] + rng.choice(LETTERS) + word[at:]


def copy_of(rng: random.Random, person: Person, number: int) -> Person:
    given, family = person.given, person.family
    first, *middle = given.split()
    if first in VARIANTS and rng.random() < 0.4:
        given = " ".join([rng.choice(VARIANTS[first]), *middle])
    words = family.split()
    if len(words) >= 2 and rng.random() < 0.3:
        family = " ".join([rng.choice(PARTICLES[person.sex]), *words[1:]])
    if rng.random() < 0.2:
        sound = rng.choice([("ou", "u"), ("dj", "j"), ("ss", "s"), ("l", "ll"), ("mm", "m")])
        given, family = given.replace(*sound), family.replace(*sound)
    if rng.random() < 0.15:
        if rng.random() < 0.5:
            given = typo(rng, given)
        else:
            family = typo(rng, family)
    if rng.random() < 0.1:
        given, family = family, given
    year, birth = person.birth_year, person.birth_date
    roll = rng.random()
    if roll < 0.2 and year is not None:
        year, birth = year + rng.choice((-1, 1)), None
    elif roll < 0.3 and birth is not None and birth.day <= 12:
        birth = birth.replace(day=birth.month, month=birth.day)
    elif roll < 0.45:
        birth = None
    elif roll < 0.48:
        year, birth = None, None
    place = person.place_of_birth
    roll = rng.random()
    if roll < 0.1:
        place = typo(rng, place)
    elif roll < 0.15:
        place = ""
    return replace(
        person,
        id=number,
        given=given,
        family=family,
        birth_year=year,
        birth_date=birth,
        place_of_birth=place,
        movement=rng.choice(MOVEMENTS) if rng.random() < 0.35 else person.movement,
        region=rng.choice(REGIONS) if rng.random() < 0.1 else person.region,
        documents=person.documents if rng.random() < 0.4 else frozenset(),
        serials=person.serials if rng.random() < 0.3 else frozenset(),
        biometric=person.biometric if rng.random() < 0.5 else "",
    )


def register(size: int, seed: int = 11) -> tuple[list[Person], set[tuple[int, int]]]:
    """`size` records and the true duplicate pairs (smaller id first)."""
    rng = random.Random(seed)
    people: list[Person] = []
    truth: set[tuple[int, int]] = set()
    while len(people) < size:
        first = original(rng, len(people))
        cluster = [first]
        copies = 2 if rng.random() < 0.02 else 1 if rng.random() < 0.1 else 0
        for _ in range(copies):
            cluster.append(copy_of(rng, first, len(people) + len(cluster)))
        cluster = cluster[: size - len(people)]
        people.extend(cluster)
        truth.update((a.id, b.id) for i, a in enumerate(cluster) for b in cluster[i + 1 :])
    rng.shuffle(people)  # a register is not sorted by cluster
    return people, truth


def database_run(size: int) -> None:
    """The same register COPYed into PostgreSQL (`ddr_bench`, recreated), then the job that the
    worker runs: read the register, match, save the pairs."""
    import io
    import os

    from register import copy_from, ensure_database

    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from core.models import Job, Region
    from ddr.duplicates import services as duplicates
    from ddr.models import ArmedGroup, DuplicatePair
    from ddr.registration.rules import name_key

    call_command("migrate", verbosity=0)
    user = User.objects.create(username="bench", role="administrator")
    regions = dict(Region.objects.values_list("code", "id"))
    groups = list(ArmedGroup.objects.values_list("id", flat=True))
    people, truth = register(size)
    rows = io.StringIO()
    for p in people:
        born = p.birth_date.isoformat() if p.birth_date else "\\N"
        year = p.birth_year if p.birth_year is not None else "\\N"
        rows.write(
            f"P{p.id:09d}\t{p.given}\t{p.family}\t{p.sex}\t{born}\t{year}\t{'f' if p.birth_date else 't'}\t"
            f"{regions.get(p.region, regions['GAO'])}\t{groups[hash(p.movement) % len(groups)]}\tcombatant_armed\t"
            f"registered\t{'t' if p.serials else 'f'}\t2019-03-01\t{name_key(p.family, p.given)}\tf\t\t\t"
            f"pending\t\t\t{p.place_of_birth}\t\t\t\t{p.biometric}\t\n"
        )
    columns = (
        "registration_number, given_name, family_name, sex, birth_date, birth_year, birth_year_approximate, "
        "region_id, movement_id, category, status, has_weapon, registered_at, name_key, age_verified, "
        "medical_status, vetting_status, pathway, pathway_reason, also_known_as, place_of_birth, commune, "
        "rank_in_movement, photo, biometric_ref, registration_place"
    )
    start = time.perf_counter()
    with connection.cursor() as cur:
        rows.seek(0)
        copy_from(cur, f"COPY ddr_combatant ({columns}) FROM STDIN", rows)
        cur.execute("SELECT registration_number, id FROM ddr_combatant")
        ids = {int(number[1:]): pk for number, pk in cur.fetchall()}
        papers = io.StringIO()
        for p in people:
            for number in p.documents:
                papers.write(f"{ids[p.id]}\tnina\t{number}\t\n")
        papers.seek(0)
        copy_from(cur, "COPY ddr_identitydocument (combatant_id, kind, number, issuer) FROM STDIN", papers)
        arms = io.StringIO()
        for p in people:
            for serial in p.serials:
                arms.write(f"{ids[p.id]}\tassault_rifle\t{serial}\t7.62\t0\tserviceable\n")
        arms.seek(0)
        copy_from(
            cur,
            "COPY ddr_declaredweapon (combatant_id, kind, serial_number, calibre, ammunition, condition) FROM STDIN",
            arms,
        )
        cur.execute("ANALYZE")
    copy_s = time.perf_counter() - start
    job = Job.objects.create(kind="duplicates_find", created_by=user)
    start = time.perf_counter()
    saved = duplicates.duplicates_find(job_id=job.pk)
    job_s = time.perf_counter() - start
    back = {number: pk for pk, number in ids.items()}
    found = {
        tuple(sorted((back[a], back[b]))) for a, b in DuplicatePair.objects.values_list("first", "second")
    }
    tp = len(found & truth)
    precision, recall = tp / max(1, len(found)), tp / max(1, len(truth))
    print(
        f"PostgreSQL, {size:,} people: COPY of people, documents and weapons {copy_s:.1f} s; "
        f"the job (read, match, save {saved:,} pairs) {job_s:.1f} s; "
        f"F1 {2 * precision * recall / max(1e-9, precision + recall):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database", type=int, help="also run the job on PostgreSQL over this many people")
    args = parser.parse_args()
    thresholds = Thresholds()
    print(f"thresholds: strong {thresholds.strong}, review {thresholds.review}")
    print(
        f"{'people':>10} {'true pairs':>10} {'compared':>12} {'per person':>10} {'found':>8} "
        f"{'precision':>9} {'recall':>7} {'F1':>6} {'F1 strong':>9} {'seconds':>8}"
    )
    previous: tuple[int, float] | None = None
    for size in args.people:
        people, truth = register(size)
        start = time.perf_counter()
        result = find(people, thresholds)
        seconds = time.perf_counter() - start
        found = {(min(c.a, c.b), max(c.a, c.b)) for c in result.candidates}
        strong = {(min(c.a, c.b), max(c.a, c.b)) for c in result.candidates if c.score >= thresholds.strong}
        tp = len(found & truth)
        precision, recall = tp / max(1, len(found)), tp / max(1, len(truth))
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        stp = len(strong & truth)
        sp, sr = stp / max(1, len(strong)), stp / max(1, len(truth))
        growth = ""
        if previous:
            growth = f"   x{size / previous[0]:.0f} people -> x{seconds / previous[1]:.1f} time"
        print(
            f"{size:>10,} {len(truth):>10,} {result.compared:>12,} {result.compared / size:>10.1f} "
            f"{len(found):>8,} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f} "
            f"{2 * sp * sr / max(1e-9, sp + sr):>9.3f} {seconds:>8.1f}{growth}"
        )
        previous = (size, seconds)
    if args.database:
        database_run(args.database)


if __name__ == "__main__":
    main()
