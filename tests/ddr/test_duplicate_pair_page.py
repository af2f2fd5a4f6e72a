"""The pair page: every field of the two records marked as the same, nearly, different or missing
(a sign and a word, explained by a legend), compared as the matcher compares them; and the undo of
the pair's decision (a merge, or "different people") first on the page."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from ddr.duplicates import services as duplicates
from ddr.duplicates.explain import AGREE, CLOSE, DIFFER, UNKNOWN, compare_fields
from ddr.models import DeclaredWeapon, DuplicatePair, IdentityDocument

from ..factories import CombatantFactory, UserFactory, group, region


def record(**facts: Any) -> Any:
    base = {
        "given_name": "Mohamed",
        "family_name": "Ag Intallah",
        "also_known_as": "",
        "sex": "M",
        "birth_date": None,
        "birth_year": 1985,
        "place_of_birth": "Kidal",
        "region_id": 1,
        "movement_id": 1,
        "status": "registered",
        "pathway": "pending",
        "biometric_ref": "",
    }
    return SimpleNamespace(**{**base, **facts})


# --- field by field, without a database --------------------------------------------------------


def test_names_compare_in_their_usual_spelling() -> None:
    same = compare_fields(record(), record(given_name="Muhammad", family_name="Ould Intalah"))
    assert same.name == AGREE  # Mohamed = Muhammad, Ag = Ould, ll = l: what the matcher calls the same
    assert compare_fields(record(), record(family_name="Ag Intaleh")).name == CLOSE  # a letter apart
    assert compare_fields(record(), record(given_name="Mohamed Lamine")).name == CLOSE  # a name added
    assert compare_fields(record(), record(family_name="Ag Bibi")).name == DIFFER
    assert compare_fields(record(), record(given_name="Issa", family_name="Maïga")).name == DIFFER


def test_identifiers_compare_without_spaces_or_case_and_missing_is_never_agreement() -> None:
    nina = [("nina", " ml-0001 ")]
    fields = compare_fields(record(), record(), documents=(nina, [("nina", "ML-0001")]), serials=(["ak 12"], ["AK 12"]))
    assert (fields.documents, fields.weapons) == (AGREE, AGREE)
    fields = compare_fields(
        record(), record(), documents=(nina, [("nina", "ML-0002")]), serials=(["AK 12"], ["AK 13"])
    )
    assert (fields.documents, fields.weapons) == (DIFFER, DIFFER)
    # A passport on one side, a NINA card on the other: nothing alike to compare.
    fields = compare_fields(record(), record(), documents=(nina, [("passport", "P1")]), serials=(["AK 12"], []))
    assert (fields.documents, fields.weapons) == (UNKNOWN, UNKNOWN)
    fields = compare_fields(record(sex="", also_known_as="Bibi"), record(biometric_ref="B-1", also_known_as=""))
    assert (fields.sex, fields.aliases, fields.biometric) == (UNKNOWN, UNKNOWN, UNKNOWN)
    fields = compare_fields(record(biometric_ref="B-1", also_known_as="Bébé"), record(biometric_ref="B-2", also_known_as="bebe"))
    assert (fields.biometric, fields.aliases) == (DIFFER, AGREE)


def test_places_dates_and_the_case_step_compare_as_the_review_strip_does() -> None:
    fields = compare_fields(
        record(birth_date=dt.date(1985, 3, 4), place_of_birth="Tombouctou"),
        record(birth_date=dt.date(1985, 4, 3), place_of_birth="Tombouktou", movement_id=2, pathway="community"),
    )
    assert (fields.birth, fields.place, fields.region) == (CLOSE, CLOSE, AGREE)
    assert (fields.movement, fields.step) == (DIFFER, DIFFER)  # a merge needs the same step and pathway


# --- the page ---------------------------------------------------------------------------------


def marks(page: str) -> dict[str, tuple[str, str]]:
    """Per field row: the mark's value and its words."""
    found = {}
    for m in re.finditer(r'<tr data-field="(\w+)">(.*?)</tr>', page, re.S):
        mark = re.search(r'data-mark="(\w+)">(.*?)</span>\s*</td>', m[2], re.S)
        words = re.sub(r"<[^>]+>", "", mark[2]).strip() if mark else ""
        found[m[1]] = (mark[1] if mark else "", words)
    return found


@pytest.mark.django_db
def test_the_pair_page_marks_every_field_in_words_with_a_legend(commission_client: Any) -> None:
    first = CombatantFactory.create(
        given_name="Mohamed", family_name="Ag Intallah", birth_year=1985, place_of_birth="Kidal"
    )
    second = CombatantFactory.create(
        given_name="Muhammad", family_name="Ould Intaleh", birth_year=1985, place_of_birth="",
        movement=group("HCUA"),
    )  # fmt: skip
    IdentityDocument.objects.create(combatant=first, kind="nina", number="ml-0001 ")
    IdentityDocument.objects.create(combatant=second, kind="nina", number="ML-0001")
    DeclaredWeapon.objects.create(combatant=first, kind="rifle", serial_number="AK-1")
    pair = DuplicatePair.objects.create(first=first, second=second, score=0.9)

    page = commission_client.get(reverse("ddr:duplicate-pair", args=[pair.pk])).content.decode()
    found = marks(page)
    assert found["name"] == ("close", "≈ presque")  # Intallah / Intaleh: a letter apart
    assert found["documents"] == ("agree", "✓ identique")  # the same number, written otherwise
    assert found["place"] == ("unknown", "? absent d’un côté")
    assert found["weapons"] == ("unknown", "? absent d’un côté")
    assert found["movement"] == ("differ", "✗ différent")
    assert found["birth"] == ("agree", "✓ identique") and found["region"] == ("agree", "✓ identique")
    assert set(found) == {
        "name", "aliases", "sex", "birth", "place", "region", "movement", "step", "documents",
        "weapons", "biometric", "lists",
    }  # fmt: skip
    # The signs are explained in words; screen readers read the words, not the signs.
    legend = re.search(r'data-testid="pair-legend">(.*?)</p>', page, re.S)[1]  # type: ignore[index]
    assert "Légende :" in legend and "absent d’un côté" in legend and "Mohamed = Muhammad" in legend
    assert '<span aria-hidden="true">✗</span> différent' in page


@pytest.mark.django_db
def test_a_different_people_decision_is_undone_from_the_top_of_its_page(
    commission_client: Any, commission_officer: Any
) -> None:
    first = CombatantFactory.create()
    second = CombatantFactory.create()
    pair = DuplicatePair.objects.create(first=first, second=second, score=0.9)
    pair_url = reverse("ddr:duplicate-pair", args=[pair.pk])
    assert 'data-testid="decision-undo"' not in commission_client.get(pair_url).content.decode()

    response = commission_client.post(reverse("ddr:duplicate-decide", args=[pair.pk]), {"decision": "different"})
    assert response.status_code == 302 and response.url == pair_url  # the decided page, its undo first
    page = commission_client.get(pair_url).content.decode()
    assert page.index('data-testid="decision-undo"') < page.index("<h1")
    assert f"Enregistrées comme deux personnes différentes par {commission_officer}" in page

    response = commission_client.post(reverse("ddr:duplicate-reopen", args=[pair.pk]), follow=True)
    assert response.redirect_chain[0][0] == pair_url
    assert "Décision annulée" in response.content.decode()
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by, pair.decided_at) == ("open", None, None)
    change = pair.history.first()
    assert change.history_user == commission_officer and change.history_change_reason == "decision undone"
    assert 'data-testid="decide-different"' in response.content.decode()  # to decide anew

    # An open pair has no decision to undo: refused, said, nothing changed.
    before = pair.history.count()
    response = commission_client.post(reverse("ddr:duplicate-reopen", args=[pair.pk]), follow=True)
    assert "seule une décision" in response.content.decode().lower()
    assert pair.history.count() == before and DuplicatePair.objects.get(pk=pair.pk).status == "open"


@pytest.mark.django_db
def test_undoing_a_decision_is_refused_outside_the_readers_region_and_to_analysts(
    gao_client: Any, analyst_client: Any, commission_officer: Any
) -> None:
    kidal = [CombatantFactory.create(region=region("KID")) for _ in range(2)]
    pair = DuplicatePair.objects.create(first=kidal[0], second=kidal[1], score=0.9)
    duplicates.pair_different(pair=pair, by=commission_officer)
    assert gao_client.post(reverse("ddr:duplicate-reopen", args=[pair.pk])).status_code == 404
    assert analyst_client.post(reverse("ddr:duplicate-reopen", args=[pair.pk])).status_code == 403
    assert gao_client.get(reverse("ddr:duplicate-reopen", args=[pair.pk])).status_code == 405
    focal = Client()
    focal.force_login(UserFactory.create(role=Role.FOCAL_POINT))
    assert focal.post(reverse("ddr:duplicate-reopen", args=[pair.pk])).status_code == 403
    assert DuplicatePair.objects.get(pk=pair.pk).status == "different"
