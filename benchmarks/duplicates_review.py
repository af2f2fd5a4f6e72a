"""The duplicate review loop on PostgreSQL at 20,000 open pairs: the queue, a pair, a merge, its undo.

    python -m benchmarks.duplicates_review --pairs 20000
    python -m benchmarks.duplicates_review --reuse             # time again on the last run's database

Recreates the scratch database of DATABASE_URL (default `ddr_bench_review`), loads the demo's users,
COPYs a register (two people per pair, 40,000 at least; children and decided pairs among them, as a
real queue has), each person on a movement's list with a document for half of them, and the open
pairs. Then, with the test Client signed in as the administrator and as Gao's regional officer
(whose scope filter applies), times the pages warm: median and 95th percentile of ~20 runs beside
the limit (issue 17: 300 ms for the queue, 1 s for a merge and for its undo), and the SQL queries
each made. Not a test: nothing here asserts a time.

Measured here (2 shared cores, PostgreSQL 15, 40,000 people, 20,000 open pairs), median ms:
                           queue admin p1 / p50 / strong   queue Gao p1 / p50 / strong   merge   undo
  before (IN subqueries)         51 / 71 / 48                   57 / 109 / 44            18      15
  after (joins, ids first)       58 / 71 / 57                   59 /  70 / 52            19      17
(after also explains each pair's words, birth and place on the page; Gao's page 50 no longer sorts
on disk).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench_review")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from benchmarks.register import GIVEN_F, GIVEN_M, copy_from, ensure_database, family_name  # noqa: E402

QUEUE_MS, DECISION_MS = 300, 1000
PLACES = "Kidal Aguelhok Tessalit Gao Ansongo Bourem Ménaka Tombouctou Goundam Mopti Douentza Ségou".split()
REASONS = [
    ('["name", "birth year", "place of birth"]', '["movement"]'),
    ('["name", "birth date"]', "[]"),
    ('["name"]', '["birth year", "movement"]'),
    ('["document number", "name"]', '["place of birth"]'),
]


def clerk(name: str, rng: random.Random) -> str:
    """The same name as another clerk wrote it: a letter doubled or dropped, now and then."""
    if len(name) < 5 or rng.random() < 0.6:
        return name
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i] + name[i:] if rng.random() < 0.5 else name[:i] + name[i + 1 :]


def load(n_pairs: int, n_people: int) -> None:
    """Users, a register of `n_people` (pairs of namesakes first), lists, documents, and the pairs."""
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from core.models import Region
    from ddr.models import ArmedGroup, SubmittedList
    from ddr.registration.rules import name_key

    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=0, stdout=io.StringIO())  # the demo's users: admin, gao, ...
    admin = User.objects.get(username="admin")
    regions = dict(Region.objects.values_list("code", "id"))
    groups = list(ArmedGroup.objects.values_list("id", flat=True))
    lists = [
        SubmittedList.objects.create(
            title=f"Liste {n}",
            movement_id=groups[n % len(groups)],
            submitted_to="cts",
            submitted_on="2018-05-02",
            sha256=f"bench{n}".ljust(64, "0"),
            created_by=admin,
        ).pk
        for n in range(2)
    ]
    rng = random.Random(17)
    # Gao holds a fifth of the register, as a large region does; the rest spread over the others.
    weights = {code: (5 if code == "GAO" else 1) for code in regions}
    codes = rng.choices(list(weights), weights=list(weights.values()), k=n_people)
    people = io.StringIO()
    previous: tuple[str, str, str, int, str, str] = ("", "", "M", 1980, "", "GAO")
    for n in range(n_people):
        woman = rng.random() < 0.1
        if n % 2 and n < 2 * n_pairs:  # the second of a pair: the first's name as another clerk wrote it
            given, family, sex, year, place, code = previous
            given, family = clerk(given, rng), clerk(family, rng)
            year += rng.choice((0, 0, 1))
            code = code if rng.random() < 0.9 else codes[n]
        else:
            given = rng.choice(GIVEN_F if woman else GIVEN_M)
            family, sex, year = family_name(rng), "F" if woman else "M", rng.randint(1960, 2000)
            place, code = rng.choice(PLACES), codes[n]
        previous = (given, family, sex, year, place, code)
        child = rng.random() < 0.02
        people.write(
            f"RB-{n:07d}-0\t{given}\t{family}\t{sex}\t\\N\t{2010 if child else year}\tt\t{regions[code]}\t"
            f"{rng.choice(groups)}\t{'child' if child else 'combatant_armed'}\tregistered\tf\t2019-03-01\t"
            f"{name_key(family, given)}\tf\t\t\tpending\t\t\t{place}\t\t\t\t\t\n"
        )
    columns = (
        "registration_number, given_name, family_name, sex, birth_date, birth_year, birth_year_approximate, "
        "region_id, movement_id, category, status, has_weapon, registered_at, name_key, age_verified, "
        "medical_status, vetting_status, pathway, pathway_reason, also_known_as, place_of_birth, commune, "
        "rank_in_movement, photo, biometric_ref, registration_place"
    )
    with connection.cursor() as cur:
        copy_from(cur, f"COPY ddr_combatant ({columns}) FROM STDIN", people)
        cur.execute("SELECT id FROM ddr_combatant ORDER BY registration_number")
        ids = [row[0] for row in cur.fetchall()]
        entries, papers = io.StringIO(), io.StringIO()
        for n, pk in enumerate(ids):
            entries.write(f"{n // 2 + 2}\tM-{n}\t{pk}\t{lists[n % 2]}\n")
            if n % 2 == 0:
                papers.write(f"{pk}\tnina\tN{n:09d}\t\n")
        copy_from(
            cur,
            "COPY ddr_listentry (line, movement_ref, combatant_id, submitted_list_id) FROM STDIN",
            entries,
        )
        copy_from(cur, "COPY ddr_identitydocument (combatant_id, kind, number, issuer) FROM STDIN", papers)
        pairs = io.StringIO()
        for n in range(n_pairs):
            agreed, differed = REASONS[n % len(REASONS)]
            pairs.write(
                f"{ids[2 * n]}\t{ids[2 * n + 1]}\t{rng.uniform(0.6, 1.0):.4f}\t{agreed}\t{differed}\topen\t"
                "2024-01-15 10:00:00+00\n"
            )
        # Pairs decided earlier, between people of different pairs: the queue must skip them.
        for n in range(n_pairs // 10):
            a, b = sorted((ids[2 * n], ids[2 * n + 3]))
            pairs.write(f'{a}\t{b}\t0.7\t["name"]\t[]\tdifferent\t2024-01-15 10:00:00+00\n')
        copy_from(
            cur,
            "COPY ddr_duplicatepair (first_id, second_id, score, agreed, differed, status, found_at) FROM STDIN",
            pairs,
        )
        cur.execute("VACUUM ANALYZE")


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, int]:
    """Median and 95th percentile in ms of `runs` calls after one to warm up, and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=0, help="at least 2 per pair and 40,000 (the default)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="time again on the database of the last run")
    args = parser.parse_args()
    n_people = max(args.people, 2 * args.pairs, 40_000)
    if not args.reuse:
        ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from ddr.models import DuplicatePair, Merge

    if not args.reuse:
        start = time.perf_counter()
        load(args.pairs, n_people)
        print(
            f"loaded {n_people:,} people and {args.pairs:,} open pairs by COPY in {time.perf_counter() - start:.1f} s"
        )
    with connection.cursor() as cur:
        cur.execute("SELECT status, count(*) FROM ddr_duplicatepair GROUP BY status ORDER BY status")
        print("pairs: " + ", ".join(f"{status} {n:,}" for status, n in cur.fetchall()))
    print(f"PostgreSQL {connection.pg_version // 10000}; median and p95 of {args.runs} warm runs\n")
    print(f"{'':<52} {'median':>8} {'p95':>8} {'limit':>8} {'queries':>8}")

    def line(label: str, result: tuple[float, float, int], limit: int) -> None:
        median, p95, queries = result
        verdict = "" if p95 < limit else "  OVER"
        print(f"{label:<52} {median:>6.0f}ms {p95:>6.0f}ms {limit:>6}ms {queries:>8}{verdict}")

    def get(client: Client, url: str, **params: Any) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)

        return run

    queue = reverse("ddr:duplicate-queue")
    for username in ("admin", "gao"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, params in [("page 1", {}), ("page 50", {"page": 50}), ("kind=strong", {"kind": "strong"})]:
            line(f"queue as {username}, {label}", timed(get(client, queue, **params), args.runs), QUEUE_MS)

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    # The best pairs of the queue whose both people may be merged (not a child), each used once.
    pairs = list(
        DuplicatePair.objects.filter(status="open")
        .exclude(first__category="child")
        .exclude(second__category="child")
        .order_by("-score", "id")
        .values_list("pk", flat=True)[: 2 * args.runs + 4]
    )
    line(
        "pair page (open)",
        timed(get(client, reverse("ddr:duplicate-pair", args=[pairs[0]])), args.runs),
        QUEUE_MS,
    )

    waiting, merged = iter(pairs), []

    def merge() -> None:
        pk = next(waiting)
        response = client.post(reverse("ddr:duplicate-decide", args=[pk]), {"decision": "same"})
        assert response.status_code == 302
        merged.append(Merge.objects.get(pair_id=pk, undone_at__isnull=True).pk)

    def undo() -> None:
        response = client.post(reverse("ddr:merge-undo", args=[merged.pop()]))
        assert response.status_code == 302

    line("merge (POST decision=same)", timed(merge, args.runs), DECISION_MS)
    line(
        "pair page (merged, undo at the top)",
        timed(get(client, reverse("ddr:duplicate-pair", args=[pairs[len(merged) - 1]])), args.runs),
        QUEUE_MS,
    )
    line("undo (POST)", timed(undo, min(args.runs, len(merged) - 1)), DECISION_MS)


if __name__ == "__main__":
    main()
