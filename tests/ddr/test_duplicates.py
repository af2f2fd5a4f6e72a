"""Duplicate matching as pure functions: names as written in Mali, what counts for and against,
and blocking that compares namesakes, not everyone."""

from __future__ import annotations

import datetime as dt
import random

from ddr.duplicates.rules import Person, Thresholds, find, name_similarity, prepare, score


def pair_score(a: Person, b: Person) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
    candidate = score(prepare(a), prepare(b))
    return candidate.score, candidate.agreed, candidate.differed


def test_transliterations_particles_and_swapped_names_are_the_same_name() -> None:
    listed = Person(1, "Mohamed", "Ag Intallah", "M", 1985, None, "Kidal", "KID", "MNLA")
    again = Person(2, "Ag Intallah", "Muhammad", "M", 1985, None, "Kidal", "KID", "HCUA")  # swapped
    ould = Person(3, "Mohammed", "Ould Intalah", "M", 1986, None, "Kidal", "KID", "MNLA")  # ±1, ll/l
    for other in (again, ould):
        value, agreed, _differed = pair_score(listed, other)
        assert value >= Thresholds().strong and "name" in agreed
    assert "movement" in pair_score(listed, again)[2]  # shown, but not held against them


def test_a_son_is_not_his_father() -> None:
    son = prepare(Person(1, "Almahdi", "Ag Inamoud"))
    father = prepare(Person(2, "Inamoud", "Ag Almahdi"))
    assert name_similarity(son.units, father.units) < 0.9


def test_one_different_word_tells_namesakes_apart() -> None:
    mohamed = Person(1, "Mohamed", "Maïga", "M", 1990, None, "Gao")
    moussa = Person(2, "Moussa", "Maïga", "M", 1990, None, "Gao")
    assert pair_score(mohamed, moussa)[0] < Thresholds().review


def test_day_and_month_swapped_and_a_typo_still_match() -> None:
    a = Person(1, "Hamadoun", "Dicko", "M", 1979, dt.date(1979, 3, 11), "Douentza")
    b = Person(2, "Hamadoun", "Dicka", "M", 1979, dt.date(1979, 11, 3), "Douentza")
    value, agreed, _ = pair_score(a, b)
    assert value >= Thresholds().strong and "birth date (day and month swapped)" in agreed


def test_namesakes_with_different_exact_birth_dates_are_not_proposed() -> None:
    a = Person(1, "Boubacar", "Touré", "M", 1980, dt.date(1980, 2, 14), "Tombouctou")
    b = Person(2, "Boubacar", "Touré", "M", 1980, dt.date(1980, 9, 30), "Tombouctou")
    value, _agreed, differed = pair_score(a, b)
    assert value < Thresholds().strong and "birth date" in differed


def test_exact_identifiers_weigh_heavily_and_contradictions_count_against() -> None:
    a = Person(1, "Sidi", "Haïdara", "M", 1975, None, "Goundam", documents=frozenset({"NINA123"}))
    b = Person(2, "Sidy", "Haidara", "M", 1971, None, "", documents=frozenset({"NINA123"}))
    value, agreed, _ = pair_score(a, b)
    assert value >= 0.95 and "document number" in agreed
    same_name = Person(3, "Sidi", "Haïdara", "M", 1975, None, "Goundam", biometric="B-1")
    other_print = Person(4, "Sidi", "Haïdara", "M", 1975, None, "Goundam", biometric="B-2")
    assert pair_score(same_name, other_print)[0] < Thresholds().review
    woman = Person(5, "Sidi", "Haïdara", "F", 1975, None, "Goundam")
    assert "sex" in pair_score(a, woman)[2] and pair_score(a, woman)[0] < Thresholds().review


def test_missing_birth_and_place_are_compared_on_what_there_is() -> None:
    a = Person(1, "Fadimata", "Walet Ahmed", "F")
    b = Person(2, "Fatoumata", "Walet Ahmed", "F", 1992, None, "Ber")
    result = find([a, b], Thresholds(review=0.5))
    assert [(c.a, c.b) for c in result.candidates] == [(1, 2)]
    assert 0.5 <= result.candidates[0].score < Thresholds().strong  # for review, not proposed


def test_each_pair_once_and_far_fewer_comparisons_than_all_pairs() -> None:
    rng = random.Random(3)
    given = ["Mohamed", "Moussa", "Ibrahim", "Oumar", "Aliou", "Seydou", "Adama", "Issa"]
    family = ["Maïga", "Touré", "Cissé", "Dicko", "Traoré", "Diallo", "Keïta", "Coulibaly"]
    people = [
        Person(i, rng.choice(given), rng.choice(family), "M", rng.randint(1960, 2000), None, f"Place{i % 40}")
        for i in range(2000)
    ]
    people.append(Person(5000, people[0].given, people[0].family, "M", people[0].birth_year, None, "Place0"))
    result = find(people)
    pairs = [(c.a, c.b) for c in result.candidates]
    assert (0, 5000) in pairs and len(pairs) == len(set(pairs))
    assert result.compared < len(people) * (len(people) - 1) / 2 / 50


def test_people_lacking_birth_and_place_meet_once_not_in_every_bucket() -> None:
    a = Person(1, "Attaher", "Ag Ghali", "M")
    b = Person(2, "Attaher", "Ag Ghaly", "M")
    dated = Person(3, "Attaher", "Ag Ghali", "M", 1980, None, "Kidal")
    result = find([a, b, dated], Thresholds(review=0.2))
    assert result.compared == 3  # each pair scored once, although the first two share every key
    assert {(c.a, c.b) for c in result.candidates} == {(1, 2), (1, 3), (2, 3)}


def test_the_matcher_imports_without_django() -> None:
    """The matcher and the register's pure rules need no settings: `make bench-duplicates` and any
    offline tool load them without Django (a model import here once broke the benchmark)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = "import ddr.duplicates.rules, ddr.registration.rules, ddr.registration.names"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
