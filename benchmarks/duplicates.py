"""Duplicate detection: blocking recall, precision, recall and F1, cost and memory, beside splink
on the same generated registers.

    make bench-duplicates                                              # 10,000 and 100,000 people
    make bench-duplicates BENCH_ARGS="--people 1000000 --no-splink"    # national scale, ours only
    make bench-duplicates BENCH_ARGS="--people 10000 --database 10000" # also the job on PostgreSQL

Registers come from `people.py` (the errors real lists have, families and namesakes), drawn with
a held-out seed that played no part in tuning the matcher; `--seed` draws another. Our matcher
runs in a child process that reads the register from a file, so that its peak memory (the
child's maximum resident set) is the search's own, not the generator's. splink (Fellegi-Sunter
on DuckDB, `splink_baseline.py`) is given the same records in our canonical spelling.

Printed for each size and engine: true pairs, pairs compared per person, blocking recall (true
pairs compared at all), F1 at the review threshold (every pair a reviewer sees), precision and
recall of the pairs proposed as the same person, the best F1 over all thresholds, seconds, and
peak memory.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.people import HELD_OUT_SEED, register
from ddr.duplicates.rules import Person, Thresholds

Pair = tuple[int, int]


def quality(found: dict[Pair, float], truth: set[Pair], threshold: float) -> tuple[float, float, float]:
    chosen = {pair for pair, score in found.items() if score >= threshold}
    hits = len(chosen & truth)
    precision, recall = hits / max(1, len(chosen)), hits / max(1, len(truth))
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def best_f1(found: dict[Pair, float], truth: set[Pair]) -> float:
    thresholds = sorted({round(score, 4) for score in found.values()})
    step = max(1, len(thresholds) // 200)
    return max((quality(found, truth, t)[2] for t in thresholds[::step]), default=0.0)


def search_in_child(people: list[Person], truth: set[Pair], engine: str) -> dict[str, object]:
    """`engine` ("ours" or "splink") on `people` in a fresh interpreter: pairs found with their
    probability, seconds and peak memory of the search alone; for ours, also how many pairs were
    compared and how many true pairs among them (blocking recall)."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "people.pickle", Path(folder) / "found.pickle"
        with source.open("wb") as out:
            pickle.dump(truth, out, protocol=pickle.HIGHEST_PROTOCOL)
            for person in people:  # one by one: the child streams them, as the job streams the register
                pickle.dump(person, out, protocol=pickle.HIGHEST_PROTOCOL)
        command = [sys.executable, "-m", "benchmarks.duplicates", "--child", engine, str(source), str(target)]
        subprocess.run(command, check=True, cwd=Path(__file__).resolve().parent.parent)  # noqa: S603 (this script)
        with target.open("rb") as back:
            result: dict[str, object] = pickle.load(back)  # noqa: S301 (written by our own child)
    return result


def peak_memory() -> int:
    """This process's peak resident memory in bytes: VmHWM belongs to the process's own memory
    (ru_maxrss would carry the parent's peak across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def streamed(source: str) -> Iterator[Person]:
    with open(source, "rb") as given:
        pickle.load(given)  # noqa: S301 (written by our parent): the truth
        while True:
            try:
                yield pickle.load(given)  # noqa: S301
            except EOFError:
                return


def child(engine: str, source: str, target: str) -> None:
    import numpy as np

    from ddr.duplicates.blocking import candidate_pairs
    from ddr.duplicates.register import Register
    from ddr.duplicates.rules import find

    with open(source, "rb") as given:
        truth: set[Pair] = pickle.load(given)  # noqa: S301 (written by our parent)
    if engine == "splink":
        from benchmarks.splink_baseline import splink_pairs

        splink_found, seconds = splink_pairs(list(streamed(source)))
        with open(target, "wb") as out:
            pickle.dump({"found": splink_found, "seconds": seconds, "memory": peak_memory()}, out)
        return
    start = time.perf_counter()
    result = find(streamed(source), Thresholds(review=0.05))
    seconds = time.perf_counter() - start
    memory = peak_memory()
    assert result.model is not None
    found = {(c.a, c.b): c.score for c in result.candidates}
    model = result.model.describe(result.people)
    del result
    # The pairs blocking compared (again, outside the timing), for blocking recall.
    register = Register()
    for person in streamed(source):
        register.add(person)
    compared = candidate_pairs(register)
    size = len(register)
    index = {pk: i for i, pk in enumerate(register.ids)}
    true = np.fromiter((min(index[a], index[b]) * size + max(index[a], index[b]) for a, b in truth), np.int64)
    blocked = int(np.isin(true, compared).sum())
    with open(target, "wb") as out:
        summary = {"found": found, "compared": len(compared), "blocked": blocked, "model": model}
        pickle.dump({**summary, "seconds": seconds, "memory": memory}, out)


def row(
    engine: str,
    size: int,
    truth: set[Pair],
    found: dict[Pair, float],
    compared: int | None,
    blocked: float | None,
    seconds: float,
    memory: float,
) -> None:
    thresholds = Thresholds()
    _p, _r, f1 = quality(found, truth, thresholds.review)
    strong_p, strong_r, _f = quality(found, truth, thresholds.strong)
    per_person = f"{compared / size:>8.1f}" if compared is not None else f"{'-':>8}"
    recall = f"{blocked:>8.4f}" if blocked is not None else f"{'-':>8}"
    print(
        f"{engine:<8} {size:>10,} {len(truth):>8,} {per_person} {recall} {f1:>8.4f} {strong_p:>9.4f} "
        f"{strong_r:>9.4f} {best_f1(found, truth):>8.4f} {seconds:>8.1f} {memory / 2**30:>7.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    parser.add_argument(
        "--no-splink", action="store_true", help="ours only (splink at 1,000,000 needs hours)"
    )
    parser.add_argument("--database", type=int, help="also run the job on PostgreSQL over this many people")
    parser.add_argument("--model", action="store_true", help="print the learned model of the largest size")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    thresholds = Thresholds()
    print(
        f"thresholds (match probability): review {thresholds.review}, same person {thresholds.strong}; "
        f"seed {args.seed} (held out from tuning)"
    )
    print(
        f"{'engine':<8} {'people':>10} {'true':>8} {'compared':>8} {'blocking':>8} {'F1':>8} {'strong P':>9} "
        f"{'strong R':>9} {'best F1':>8} {'seconds':>8} {'GiB':>7}"
    )
    print(f"{'':<8} {'':>10} {'pairs':>8} {'/person':>8} {'recall':>8} {'review':>8}")
    model = None
    for size in args.people:
        people, truth = register(size, args.seed)
        ours = search_in_child(people, truth, "ours")
        found, compared, hits = ours["found"], ours["compared"], ours["blocked"]
        assert isinstance(found, dict) and isinstance(compared, int) and isinstance(hits, int)
        blocked = hits / max(1, len(truth))
        seconds, memory = float(ours["seconds"]), float(ours["memory"])  # type: ignore[arg-type]
        row("ours", size, truth, found, compared, blocked, seconds, memory)
        model = ours["model"]
        if not args.no_splink:
            theirs = search_in_child(people, truth, "splink")
            found = theirs["found"]
            assert isinstance(found, dict)
            seconds, memory = float(theirs["seconds"]), float(theirs["memory"])  # type: ignore[arg-type]
            row("splink", size, truth, found, None, None, seconds, memory)
    if args.model and model:
        print(json.dumps(model, indent=1))
    if args.database:
        database_run(args.database, args.seed)


def database_run(size: int, seed: int) -> None:
    """The same register COPYed into PostgreSQL (`ddr_bench`, recreated), then the job that the
    worker runs: read the register, match, save the pairs."""
    import io
    import os

    from benchmarks.register import copy_from, ensure_database

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
    people, truth = register(size, seed)
    rows = io.StringIO()
    for p in people:
        born = p.birth_date.isoformat() if p.birth_date else "\\N"
        year = p.birth_year if p.birth_year is not None else "\\N"
        rows.write(
            f"P{p.id:09d}\t{p.given}\t{p.family}\t{p.sex or 'M'}\t{born}\t{year}\t{'f' if p.birth_date else 't'}\t"
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
        tuple(sorted((back[a], back[b]))): 1.0
        for a, b in DuplicatePair.objects.values_list("first", "second")
    }
    precision, recall, f1 = quality(found, truth, 0.0)  # type: ignore[arg-type]
    print(
        f"PostgreSQL, {size:,} people: COPY of people, documents and weapons {copy_s:.1f} s; "
        f"the job (read, match, save {saved:,} pairs) {job_s:.1f} s; "
        f"precision {precision:.4f}, recall {recall:.4f}, F1 {f1:.4f} at the review threshold"
    )


if __name__ == "__main__":
    main()
