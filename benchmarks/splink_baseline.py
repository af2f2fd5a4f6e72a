"""Splink, the open-source Fellegi-Sunter library, on the same people: the baseline the matcher is
measured against.

    python -m benchmarks.splink_baseline --people 10000 100000 [--held-out]

Splink runs embedded on DuckDB, configured as its documentation teaches: m probabilities by
expectation maximisation, u by random sampling, term-frequency adjustments on names and place,
several blocking rules unioned. Its input columns are our canonical Malian spelling
(`ddr.registration.names`), so that it starts from what our matcher knows of transliterations:
- given: the first given name, canonical ("Mohammed Lamine" -> "mohamed");
- family: the family name's words, canonical, without the filiation particles ("Ag Mohamed Ag
  Cheick" -> "mohamed cheick"; "Maïga" -> "maiga");
- birth_date (ISO text, when exact) and birth_year (also of ages and year-only records);
- place: the place of birth folded, canonical, without spaces; sex, region, movement;
- document, serial, biometric: identifiers (the first of each), null when absent.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from ddr.duplicates.rules import Person
from ddr.registration.names import canonical_word
from ddr.registration.rules import name_key

PARTICLES = {"ag"}  # every filiation particle (Ag, Ould, Walet...) after canonical_word
PREDICT_FROM = 0.01  # pairs below this match probability are not returned
THRESHOLDS = (0.5, 0.9, 0.99)


def _words(text: str) -> list[str]:
    return [canonical_word(w) for w in name_key(text).split()]


def rows(people: Iterable[Person]) -> list[dict[str, Any]]:
    """Splink's input: one row per person, in our canonical spelling."""
    out = []
    for p in people:
        given = _words(p.given)
        family = [w for w in _words(p.family) if w not in PARTICLES]
        out.append(
            {
                "unique_id": p.id,
                "given": given[0] if given else None,
                "family": " ".join(family) or None,
                "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                "birth_year": p.birth_year,
                "place": canonical_word(name_key(p.place_of_birth).replace(" ", "")) or None,
                "sex": p.sex or None,
                "region": p.region or None,
                "movement": p.movement or None,
                "document": min(p.documents) if p.documents else None,
                "serial": min(p.serials) if p.serials else None,
                "biometric": p.biometric or None,
            }
        )
    return out


def settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    # DateOfBirthComparison's levels, then the birth year's for records with an age or a year
    # only (40 % of a Malian list): a date missing on one side falls through to the year.
    birth = cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("birth_date"),
            cll.DamerauLevenshteinLevel("birth_date", 1),
            cll.AbsoluteDateDifferenceLevel("birth_date", input_is_string=True, threshold=1, metric="month"),
            cll.ExactMatchLevel("birth_year"),
            cll.AbsoluteDifferenceLevel("birth_year", 1),
            cll.AbsoluteDifferenceLevel("birth_year", 3),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("given").configure(term_frequency_adjustments=True),
            cl.NameComparison("family").configure(term_frequency_adjustments=True),
            birth,
            cl.ExactMatch("place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("region"),
            cl.ExactMatch("movement"),
            cl.ExactMatch("document"),
            cl.ExactMatch("serial"),
            cl.ExactMatch("biometric"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given", "family"),
            block_on("given", "birth_year"),
            block_on("family", "birth_year"),
            block_on("birth_date"),
            block_on("given", "place"),
            block_on("family", "place"),
            block_on("document"),
            block_on("serial"),
            block_on("biometric"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def splink_pairs(people: list[Person]) -> tuple[dict[tuple[int, int], float], float]:
    """Pairs splink predicts (smaller id first) with their match probability (from
    PREDICT_FROM up), and the seconds taken (input, training and prediction)."""
    import duckdb
    import pandas as pd  # type: ignore[import-untyped]
    from splink import DuckDBAPI, Linker, block_on

    start = time.perf_counter()
    frame = pd.DataFrame(rows(people))
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    linker = Linker(frame, settings(), db_api=DuckDBAPI(connection), set_up_basic_logging=False)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("given", "family", "birth_year"), block_on("document")], recall=0.6
    )
    training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("given", "family"))
    training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    training.estimate_parameters_using_expectation_maximisation(block_on("place", "birth_year"))
    predicted = linker.inference.predict(threshold_match_probability=PREDICT_FROM)
    table = predicted.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability").fetchall()
    pairs = {(min(a, b), max(a, b)): float(p) for a, b, p in table}
    return pairs, time.perf_counter() - start


def scores(
    found: set[tuple[int, int]] | Mapping[tuple[int, int], float], truth: set[tuple[int, int]]
) -> tuple[float, float, float]:
    """Precision, recall and F1 of `found` (pairs, or pairs with a probability: every key)."""
    found = set(found)
    hits = len(found & truth)
    precision, recall = hits / max(1, len(found)), hits / max(1, len(truth))
    return precision, recall, 2 * precision * recall / max(1e-12, precision + recall)


def best_threshold(
    scored: Mapping[tuple[int, int], float], truth: set[tuple[int, int]]
) -> tuple[float, float, float, float]:
    """The threshold with the best F1: (threshold, precision, recall, F1)."""
    best = (1.0, 0.0, 0.0, 0.0)
    hits = 0
    ranked = sorted(scored.items(), key=lambda item: -item[1])
    for rank, (pair, probability) in enumerate(ranked, 1):
        hits += pair in truth
        last = rank == len(ranked) or ranked[rank][1] != probability
        if last:
            precision, recall = hits / rank, hits / max(1, len(truth))
            f1 = 2 * precision * recall / max(1e-12, precision + recall)
            if f1 > best[3]:
                best = (probability, precision, recall, f1)
    return best


def measure(size: int, seed: int) -> dict[str, Any]:
    """Run in a child process, so that the peak memory is this size's alone."""
    from benchmarks.people import register

    people, truth = register(size, seed)
    pairs, seconds = splink_pairs(people)
    at = {t: scores({k for k, p in pairs.items() if p >= t}, truth) for t in THRESHOLDS}
    return {
        "size": size,
        "truth": len(truth),
        "pairs": len(pairs),
        "recall": scores(pairs, truth)[1],
        "best": best_threshold(pairs, truth),
        "at": at,
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    import splink

    from benchmarks.people import HELD_OUT_SEED, TUNING_SEED

    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--held-out", action="store_true", help=f"the held-out register (seed {HELD_OUT_SEED})"
    )
    args = parser.parse_args()
    seed = HELD_OUT_SEED if args.held_out else TUNING_SEED
    print(f"splink {splink.__version__} on DuckDB, register seed {seed}; pairs from p >= {PREDICT_FROM}")
    print(
        f"{'people':>10} {'true pairs':>10} {'splink pairs':>12} {'recall':>6} {'best F1':>16} "
        + " ".join(f"{f'F1/prec. @{t}':>14}" for t in THRESHOLDS)
        + f" {'seconds':>8} {'peak MB':>8}"
    )
    for size in args.people:
        with ProcessPoolExecutor(1, mp_context=get_context("fork")) as child:
            m = child.submit(measure, size, seed).result()
        threshold, _, _, f1 = m["best"]
        cells = [f"{f1_at:.3f}/{precision:.3f}" for precision, _, f1_at in (m["at"][t] for t in THRESHOLDS)]
        at = " ".join(f"{cell:>14}" for cell in cells)
        print(
            f"{m['size']:>10,} {m['truth']:>10,} {m['pairs']:>12,} {m['recall']:>6.3f} "
            f"{f1:>7.3f} @{threshold:<8.3f} {at} {m['seconds']:>8.1f} {m['peak_mb']:>8,.0f}"
        )


if __name__ == "__main__":
    main()
