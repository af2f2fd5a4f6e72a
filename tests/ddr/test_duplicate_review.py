"""The review loop: what agrees and what differs beside each pair (pure, then on the pages), a queue
whose queries do not grow with its pairs, and the learned model explained on the thresholds page."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ddr.duplicates import explain
from ddr.duplicates.explain import AGREE, CLOSE, DIFFER, UNKNOWN, Shared, name_words
from ddr.models import Combatant, DuplicatePair, MatchingSettings

from ..factories import CombatantFactory, group, region
from .test_dedup import run, twins

# --- what agrees and what differs (no database) -----------------------------------------------


def test_name_words_match_across_spellings_and_show_each_side_as_written() -> None:
    words = name_words("Mohamed", "Ag Intallah", "Muhammad", "Ould Intalah")
    assert words.shared == (
        Shared("Ag", "Ould"),
        Shared("Intallah", "Intalah"),
        Shared("Mohamed", "Muhammad"),
    )
    assert (words.close, words.only_first, words.only_second) == ((), (), ())
    assert not words.shared[0].same_spelling and Shared("Maïga", "MAIGA").same_spelling


def test_a_missing_or_added_word_is_on_one_side_only_and_the_rest_still_agrees() -> None:
    words = name_words("Moussa", "Traoré", "Moussa Bakary", "Traore")
    assert [w.first for w in words.shared] == ["Traoré", "Moussa"]
    assert (words.only_first, words.only_second) == ((), ("Bakary",))
    # A father's and grandfather's names after "Ag": the repeated particle is matched once.
    longer = name_words("Mohamed", "Ag Inamoud", "Mohamed", "Ag Inamoud Ag Almahdi")
    assert longer.only_second == ("Ag", "Almahdi") and len(longer.shared) == 3


def test_given_and_family_names_swapped_still_agree_and_a_typo_is_close_not_different() -> None:
    swapped = name_words("Traoré", "Moussa", "Moussa", "Traoré")
    assert len(swapped.shared) == 2 and not swapped.only_first and not swapped.only_second
    typo = name_words("Souleymane", "Maïga", "Zouleymane", "Maïga")
    assert typo.close == (Shared("Souleymane", "Zouleymane"),) and not typo.only_first
    different = name_words("Aliou", "Touré", "Issa", "Touré")
    assert (different.only_first, different.only_second) == (("Aliou",), ("Issa",))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((dt.date(1985, 3, 12), None), (dt.date(1985, 3, 12), None), AGREE),
        ((dt.date(1985, 3, 12), None), (dt.date(1985, 12, 3), None), CLOSE),  # day and month swapped
        ((dt.date(1985, 3, 12), None), (dt.date(1986, 3, 12), None), CLOSE),  # one digit
        ((dt.date(1985, 3, 12), None), (dt.date(1979, 7, 30), None), DIFFER),
        ((dt.date(1985, 3, 12), None), (None, 1985), AGREE),
        ((None, 1985), (None, 1987), CLOSE),  # ages estimated on a list
        ((None, 1985), (None, 1990), DIFFER),
        ((None, None), (None, 1985), UNKNOWN),  # missing is never agreement
    ],
)
def test_birth_agreement(a: tuple[Any, Any], b: tuple[Any, Any], expected: str) -> None:
    assert explain.birth_agreement(*a, *b) == expected


def test_place_agreement() -> None:
    assert explain.place_agreement("Tin-Essako", "tin essako") == AGREE
    assert explain.place_agreement("Aguelhok", "Aguelhoc") == CLOSE
    assert explain.place_agreement("Gao", "Kidal") == DIFFER
    assert explain.place_agreement("", "Kidal") == UNKNOWN


def test_the_explanation_is_importable_without_django() -> None:
    code = "import sys, ddr.duplicates.explain; sys.exit(any(m.startswith('django') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- the pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_and_the_pair_page_show_the_words_that_agree_and_differ(
    commission_client: Any, commission_officer: Any
) -> None:
    first = CombatantFactory.create(
        given_name="Moussa", family_name="Traoré", birth_year=1985, place_of_birth="Gao"
    )
    second = CombatantFactory.create(
        given_name="Moussa Bakary", family_name="Traore", birth_year=1986, place_of_birth="Ménaka"
    )
    pair = DuplicatePair.objects.create(first=first, second=second, score=0.8, agreed=["name"], differed=[])

    queue = commission_client.get(reverse("ddr:duplicate-queue")).content.decode()
    assert 'data-agreement="agree"><span aria-hidden="true">✓</span>' in queue
    assert "Dans les deux noms :" in queue and "Traoré" in queue  # said in words, not by colour alone
    assert "absent de l’autre nom : <del>Bakary</del>" in queue
    assert (
        "naissance proche 1985 / 1986" in queue
        and "· 1985 ·" in queue
        and "lieu de naissance différent Gao / Ménaka" in queue
    )

    page = commission_client.get(reverse("ddr:duplicate-pair", args=[pair.pk])).content.decode()
    assert f'<del>Bakary</del> <span class="fw-normal">seulement dans {second.registration_number}' in page


@pytest.mark.django_db
def test_the_queue_makes_the_same_queries_for_two_pairs_as_for_twelve(
    commission_client: Any, gao_client: Any, django_assert_max_num_queries: Any
) -> None:
    def pairs(n: int) -> None:
        for _ in range(n):
            a = CombatantFactory.create(movement=group("MNLA"), region=region("GAO"))
            b = CombatantFactory.create(movement=group("HCUA"), region=region("GAO"))
            DuplicatePair.objects.create(
                first=a, second=b, score=0.9995, agreed=["name"], differed=["movement"]
            )

    def queries(client: Any, **params: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("ddr:duplicate-queue"), params)
        assert page.status_code == 200
        return len(captured)

    pairs(2)
    queries(commission_client)  # the first page of all creates the settings row
    few = {who: queries(client) for who, client in [("commission", commission_client), ("gao", gao_client)]}
    pairs(10)
    for who, client in [("commission", commission_client), ("gao", gao_client)]:
        assert queries(client) == few[who]
        assert queries(client, kind="strong") == few[who]
    with django_assert_max_num_queries(10):
        page = commission_client.get(reverse("ddr:duplicate-queue"))
    assert len(page.context["rows"]) == 12


@pytest.mark.django_db
def test_the_queue_of_a_regional_officer_holds_only_pairs_of_their_region(
    gao_client: Any, commission_officer: Any
) -> None:
    twins(region=region("GAO"))
    CombatantFactory.create(given_name="Aliou", family_name="Touré", birth_year=1970, region=region("KID"))
    CombatantFactory.create(given_name="Aliou", family_name="Toure", birth_year=1970, region=region("KID"))
    run(commission_officer)
    assert DuplicatePair.objects.count() == 2
    rows = gao_client.get(reverse("ddr:duplicate-queue")).context["rows"]
    assert [pair.first.region.code for pair, _x in rows] == ["GAO"]


# --- the learned model on the thresholds page -------------------------------------------------

SAMPLE_MODEL = {
    "prior": 0.0001,
    "people": 100000,
    "trained": True,
    "comparisons": [
        {
            "name": "name",
            "label": "Name",
            "levels": [
                {"label": "Exact (canonical spelling)", "m": 0.62, "u": 0.0003, "weight": 10.9, "tf": True},
                {"label": "A word missing or added", "m": 0.1, "u": 0.002, "weight": 5.64, "tf": False},
                {"label": "Different", "m": 0.02, "u": 0.9, "weight": -5.49, "tf": False},
            ],
        },
        {
            "name": "birth",
            "label": "Birth date",
            "levels": [{"label": "Same year", "m": 0.3, "u": 0.05, "weight": 2.58, "tf": False}],
        },
    ],
}


@pytest.fixture
def learned_model(db: Any) -> MatchingSettings:
    tuned = MatchingSettings.current()
    tuned.model = SAMPLE_MODEL
    tuned.strong, tuned.review = 0.9, 0.6  # round odds for the explanation below
    tuned.model_trained_at = timezone.make_aware(dt.datetime(2025, 3, 4, 10, 30))
    tuned.save()
    return tuned


def test_the_thresholds_page_explains_the_learned_model_in_english(
    admin_client: Any, learned_model: Any
) -> None:
    page = admin_client.get(reverse("ddr:matching-settings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How the matcher weighs a pair" in page
    assert "on 100,000 people" in page and "about once in 10,000 pairs" in page
    assert "Exact (canonical spelling)" in page and "62 %" in page and "1 in 3,333" in page
    assert "1,911 times more likely the same person" in page and "(10.9 bits)" in page  # 2 ** 10.9
    assert "45 times less likely the same person" in page  # 2 ** 5.49
    assert "A common value (a frequent name, a big town) counts for less" in page
    assert page.count("counts for less") == 1  # only the level adjusted by frequency
    # From odds of 1 to 9,999 to 9 to 1 (0.9), and to 3 to 2 (0.6).
    assert "89,991 times more likely than a random one; to be sent to review, 14,998 times" in page


def test_the_thresholds_page_explains_the_learned_model_in_french(
    admin_client: Any, learned_model: Any
) -> None:
    page = admin_client.get(reverse("ddr:matching-settings")).content.decode()
    assert "Comment la détection pèse une paire" in page
    assert "sur 100\u00a0000 personnes" in page and "une fois sur 10\u00a0000 paires" in page
    assert "1\u00a0911 fois plus de chances d’être la même personne" in page and "(10,9 bits)" in page
    assert "45 fois moins de chances d’être la même personne" in page and "1 sur 3\u00a0333" in page
    assert "Une valeur courante (un nom fréquent, une grande ville) compte moins" in page


def test_the_thresholds_page_says_when_defaults_are_in_use_or_no_model_exists(
    admin_client: Any, learned_model: Any
) -> None:
    learned_model.model = {**SAMPLE_MODEL, "trained": False, "people": 40}
    learned_model.save()
    page = admin_client.get(reverse("ddr:matching-settings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Built-in defaults are in use: the register (40 people) is too small to learn from." in page
    MatchingSettings.objects.update(model={})
    page = admin_client.get(reverse("ddr:matching-settings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No model yet" in page
    assert Combatant.objects.count() == 0
