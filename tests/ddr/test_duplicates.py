"""Duplicate matching as pure functions: names as written in Mali, blocking that misses no error a
clerk makes, and weights learned from the register (a common name counts for less)."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from ddr.duplicates.blocking import candidate_pairs
from ddr.duplicates.register import Register, sound
from ddr.duplicates.rules import Person, Thresholds, find, pair_score
from ddr.duplicates.weights import BIRTH, NULL, PLACE, levels


def compared(a: Person, b: Person, *others: Person) -> bool:
    """Whether blocking puts `a` and `b` side by side (among `others`)."""
    register = Register()
    for person in (a, b, *others):
        register.add(person)
    return 1 in set(candidate_pairs(register).tolist())  # indexes 0 and 1: i * n + j


def test_transliterations_particles_and_swapped_names_are_the_same_name() -> None:
    listed = Person(1, "Mohamed", "Ag Intallah", "M", 1985, None, "Kidal", "KID", "MNLA")
    again = Person(2, "Ag Intallah", "Muhammad", "M", 1985, None, "Kidal", "KID", "HCUA")  # swapped
    ould = Person(3, "Mohammed", "Ould Intalah", "M", 1986, None, "Kidal", "KID", "MNLA")  # ±1, ll/l
    for other in (again, ould):
        candidate = pair_score(listed, other)
        assert candidate.score >= Thresholds().review and "name" in candidate.agreed
    assert "movement" in pair_score(listed, again).differed  # shown, and weighed as learned


def test_a_son_is_not_his_father() -> None:
    son = Person(1, "Almahdi", "Ag Inamoud", "M", 1980, None, "Kidal")
    father = Person(2, "Inamoud", "Ag Almahdi", "M", 1980, None, "Kidal")
    assert pair_score(son, father).score < Thresholds().review


def test_one_different_word_tells_namesakes_apart() -> None:
    mohamed = Person(1, "Mohamed", "Maïga", "M", 1990, None, "Gao")
    moussa = Person(2, "Moussa", "Maïga", "M", 1990, None, "Gao")
    assert pair_score(mohamed, moussa).score < Thresholds().review
    brothers = (
        Person(3, "Ahmed", "Ag Inamoud", "M", 1988, None, "Kidal"),
        Person(4, "Mohamed", "Ag Inamoud", "M", 1990, None, "Kidal"),
    )
    assert pair_score(*brothers).score < Thresholds().review  # the same father's name, close ages


def test_day_and_month_swapped_and_a_typo_still_match() -> None:
    a = Person(1, "Hamadoun", "Dicko", "M", 1979, dt.date(1979, 3, 11), "Douentza")
    b = Person(2, "Hamadoun", "Dicka", "M", 1979, dt.date(1979, 11, 3), "Douentza")
    other_day = Person(3, "Hamadoun", "Dicka", "M", 1979, dt.date(1979, 8, 23), "Douentza")
    candidate = pair_score(a, b)
    assert candidate.score >= 0.99 and "birth date (day and month swapped)" in candidate.agreed
    assert pair_score(a, other_day).score < Thresholds().review  # a namesake born another day


def test_a_date_one_digit_apart_is_a_typo_not_a_contradiction() -> None:
    a = Person(1, "Hamadoun", "Dicko", "M", 1979, dt.date(1979, 3, 11), "Douentza")
    b = Person(2, "Hamadoun", "Dicko", "M", 1979, dt.date(1979, 3, 17), "Douentza")
    candidate = pair_score(a, b)
    assert candidate.score >= 0.99 and "birth date (one digit apart)" in candidate.agreed


def test_namesakes_with_different_exact_birth_dates_are_not_proposed() -> None:
    a = Person(1, "Boubacar", "Touré", "M", 1980, dt.date(1980, 2, 14), "Tombouctou")
    b = Person(2, "Boubacar", "Touré", "M", 1980, dt.date(1980, 9, 30), "Tombouctou")
    candidate = pair_score(a, b)
    assert candidate.score < Thresholds().strong and "birth date" in candidate.differed


def test_exact_identifiers_weigh_heavily_and_contradictions_count_against() -> None:
    a = Person(1, "Sidi", "Haïdara", "M", 1975, None, "Goundam", documents=frozenset({"NINA123"}))
    b = Person(2, "Sidy", "Haidara", "M", 1971, None, "", documents=frozenset({"NINA123"}))
    candidate = pair_score(a, b)
    assert candidate.score >= 0.95 and "document number" in candidate.agreed
    same_name = Person(3, "Sidi", "Haïdara", "M", 1975, None, "Goundam", biometric="B-1")
    other_print = Person(4, "Sidi", "Haïdara", "M", 1975, None, "Goundam", biometric="B-2")
    assert pair_score(same_name, other_print).score < Thresholds().review
    woman = Person(5, "Sidi", "Haïdara", "F", 1975, None, "Goundam")
    assert "sex" in pair_score(a, woman).differed and pair_score(a, woman).score < Thresholds().review


def test_a_missing_value_is_neither_agreement_nor_disagreement() -> None:
    register = Register()
    register.add(Person(1, "Attaher", "Ag Ghali", "M"))
    register.add(Person(2, "Attaher", "Ag Ghali", "M"))
    found = levels(register, register.arrays(), np.array([0]), np.array([1]))
    assert found[0, PLACE] == NULL and found[0, BIRTH] == NULL


def test_a_missing_or_added_word_is_not_another_person() -> None:
    pairs = [
        (
            Person(1, "Moussa", "Traoré", "M", 1984, None, "Gao"),
            Person(2, "Moussa Bakary", "Traoré", "M", 1984, None, "Gao"),
        ),
        (
            Person(1, "Mohamed", "Ag Inamoud", "M", 1979, dt.date(1979, 5, 2), "Kidal"),
            Person(2, "Mohamed", "Ag Inamoud Ag Almahdi", "M", 1979, dt.date(1979, 5, 2), "Kidal"),
        ),
    ]
    for a, b in pairs:
        assert compared(a, b) and pair_score(a, b).score >= Thresholds().review


def test_blocking_survives_the_errors_that_used_to_hide_a_pair() -> None:
    crowd = [Person(10 + i, "Moussa", "Traoré", "M", 1960 + i % 40, None, "Gao") for i in range(300)]
    checked = [
        (Person(1, "Moussa", "Traoré", "M", 1984), Person(2, "Moussa Bakary", "Traoré", "M", 1984)),
        (Person(1, "Mohamed", "Ag Inamoud"), Person(2, "Mohamed", "Ag Inamoud Ag Almahdi")),
        (Person(1, "Souleymane", "Maïga", "M", 1990), Person(2, "Zouleymane", "Maïga", "M", 1990)),
        (Person(1, "Abdoul Aziz", "Cissé", "M", 1988), Person(2, "Abdoulaziz", "Cissé", "M", 1988)),
        (Person(1, "Issa", "Dicko", "M", None, None, "Douentza"), Person(2, "Issa", "Dicko", "M", 1925)),
        (
            Person(1, "Oumar", "Tandina", "M", 1970, None, "Gao"),
            Person(2, "Oumar", "Tandina", "M", 1976, None, "Gao"),
        ),
        (
            Person(1, "Hamma", "Cissé", "M", 1975, None, "Gao"),
            Person(2, "Hamma", "Cissé", "M", 1975, None, "Bourem"),
        ),
        (Person(1, "Zeidane", "Ag Sidalamine", "M", 1970), Person(2, "Ag Sidalamine", "Zeidane", "M", 1970)),
    ]
    for a, b in checked:
        assert compared(a, b, *crowd), (a, b)


def test_comparisons_per_person_stay_bounded_as_the_register_grows() -> None:
    rng = random.Random(3)
    given = ["Mohamed", "Moussa", "Ibrahim", "Oumar", "Aliou", "Seydou", "Adama", "Issa"]
    family = ["Maïga", "Touré", "Cissé", "Dicko", "Traoré", "Diallo", "Keïta", "Coulibaly"]

    def per_person(size: int) -> float:
        register = Register()
        for i in range(size):
            register.add(
                Person(
                    i, rng.choice(given), rng.choice(family), "M", rng.randint(1960, 2000), None, f"P{i % 40}"
                )
            )
        return len(candidate_pairs(register)) / size

    small, large = per_person(2_000), per_person(8_000)
    assert large < 1.3 * small and large < 100  # 4 times the people, not 4 times the comparisons


def test_each_pair_once() -> None:
    a = Person(1, "Attaher", "Ag Ghali", "M")
    b = Person(2, "Attaher", "Ag Ghaly", "M")
    dated = Person(3, "Attaher", "Ag Ghali", "M", 1980, None, "Kidal")
    result = find([a, b, dated], Thresholds(review=0.01))
    assert result.compared == 3  # each pair scored once, although they share many blocks
    assert {(c.a, c.b) for c in result.candidates} == {(1, 2), (1, 3), (2, 3)}


def test_sounds_unify_what_clerks_write_differently() -> None:
    assert sound("sulaymane") == sound("zulaymane")
    assert sound("musa") == sound("mosa") and sound("dicko") == sound("diko")
    assert sound("mohamed") != sound("moussa")


def a_register(size: int, seed: int = 5) -> list[Person]:
    """Varied names, and many Moussa Traoré of Gao: how common a name is must count."""
    rng = random.Random(seed)
    syllables = ["ba", "ka", "ma", "si", "dou", "lai", "ta", "ri", "mou", "ha", "za", "na", "fi", "go"]
    people = []
    for i in range(size):
        if i % 50 == 0:
            given, family, place = "Moussa", "Traoré", "Gao"
        else:
            given = "".join(rng.choice(syllables) for _ in range(3)).title()
            family = "".join(rng.choice(syllables) for _ in range(3)).title()
            place = rng.choice(["Gao", "Kidal", "Ménaka", "Tombouctou", "Ansongo", "Bourem", "Mopti"])
        year = rng.randint(1960, 2000)
        people.append(
            Person(i, given, family, "M", year, dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), place)
        )
    return people


def test_a_common_name_counts_for_less_than_a_rare_one() -> None:
    people = a_register(6_000)
    rare = next(p for p in people if p.given != "Moussa")
    people += [
        Person(90_001, "Moussa", "Traoré", "M", None, None, "Gao"),
        Person(90_002, "Moussa", "Traoré", "M", None, None, "Gao"),
        Person(90_003, rare.given, rare.family, "M", None, None, rare.place_of_birth),
        Person(90_004, rare.given, rare.family, "M", None, None, rare.place_of_birth),
    ]
    result = find(people, Thresholds(review=0.0001))
    assert result.model is not None and result.model.trained
    scores = {(c.a, c.b): c.score for c in result.candidates}
    common = scores.get((90_001, 90_002), 0.0)
    assert common < Thresholds().strong  # two Moussa Traoré of Gao, no birth: not proposed
    assert scores[(90_003, 90_004)] > common


def test_the_matcher_imports_without_django() -> None:
    """The matcher and the register's pure rules need no settings: `make bench-duplicates` and any
    offline tool load them without Django (a model import here once broke the benchmark)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import ddr.duplicates.rules, ddr.duplicates.explain, ddr.registration.rules, ddr.registration.names"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_an_empty_register_or_a_single_person_has_no_pairs() -> None:
    assert find([]).candidates == [] and find([]).compared == 0
    assert find([Person(1, "Attaher", "Ag Ghali", "M", 1980)]).candidates == []
