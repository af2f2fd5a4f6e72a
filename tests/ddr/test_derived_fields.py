"""What a person's record derives from its own fields (the search key, the birth year) is computed
by one helper, `ddr.registration.names.person_derived`: registration, a list import, a merge and
its undo, the demo data and the test factories give the same key for the same names."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from core.models import Region
from ddr.duplicates import services as duplicates
from ddr.models import ArmedGroup, Category, Combatant, DuplicatePair, Sex
from ddr.registration import services as registration
from ddr.registration.names import person_derive, person_derived
from programme.management.commands import seed_demo

from ..factories import CombatantFactory, group, region
from .test_list_import import import_list

pytestmark = pytest.mark.django_db

FAMILY, GIVEN, ALIAS = "Ag Mohamed-Ély", "Aïcha", "Aïcha Walet"


def key(also_known_as: str = "") -> str:
    return str(person_derived(family_name=FAMILY, given_name=GIVEN, also_known_as=also_known_as)["name_key"])


def test_the_helper_folds_both_names_and_every_alias() -> None:
    assert key() == "ag mohamed ely aicha"
    assert key(ALIAS) == "ag mohamed ely aicha aicha walet"
    born = person_derived(
        family_name=FAMILY, given_name=GIVEN, birth_date=dt.date(1991, 5, 2), birth_year=1990
    )
    assert born["birth_year"] == 1991  # the date's year wins over a year typed beside it


def test_registration_import_factory_and_merge_give_the_same_key(commission_officer: Any) -> None:
    made = CombatantFactory.create(family_name=FAMILY, given_name=GIVEN, also_known_as=ALIAS)
    made.refresh_from_db()
    registered = registration.combatant_register(
        person=Combatant(
            family_name=FAMILY,
            given_name=GIVEN,
            also_known_as=ALIAS,
            sex=Sex.FEMALE,
            birth_year=1990,
            region=region("GAO"),
            movement=group("GATIA"),
            category=Category.WOMAN_ASSOCIATED,
            registered_at=dt.date(2019, 3, 1),
        ),
        documents=[],
        weapons=[],
        by=commission_officer,
    )
    registered.refresh_from_db()
    csv = f"Nom;Prénom;Surnom;Sexe;Date de naissance;Région;Matricule\n{FAMILY};{GIVEN};{ALIAS};F;1990;Gao;MN-1\n"
    listed = import_list(commission_officer, csv).result.entries.get().combatant
    assert made.name_key == registered.name_key == listed.name_key == key(ALIAS)

    # A merge adds the absorbed record's name as an alias of the kept one, searchable at once;
    # undoing it gives the kept record its own key back.
    kept = CombatantFactory.create(family_name=FAMILY, given_name=GIVEN)
    absorbed = CombatantFactory.create(family_name="Walet", given_name="Aïcha")
    pair = DuplicatePair.objects.create(first=kept, second=absorbed, score=0.95, agreed=["name"], differed=[])
    merge = duplicates.pair_merge(pair=pair, by=commission_officer)
    kept.refresh_from_db()
    assert kept.also_known_as == ALIAS and kept.name_key == key(ALIAS)
    duplicates.merge_undo(merge=merge, by=commission_officer)
    kept.refresh_from_db()
    assert kept.name_key == key()


def test_the_demo_data_derives_its_people_by_the_same_helper(
    commission_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for names in ("GIVEN_MEN", "GIVEN_WOMEN"):
        monkeypatch.setattr(seed_demo, names, [GIVEN])
    monkeypatch.setattr(seed_demo, "FAMILY", [FAMILY])
    command = seed_demo.Command()
    regions = {r.code: r for r in Region.objects.all()}
    groups = {g.code: g for g in ArmedGroup.objects.all()}
    command._people(random.Random(1), 12, regions, groups, commission_officer)
    people = list(Combatant.objects.all())
    assert len(people) == 12 and {p.name_key for p in people} == {key()}
    for person in people:  # and the birth year is the date's where a date is known
        before = (person.name_key, person.birth_year)
        person_derive(person)
        assert (person.name_key, person.birth_year) == before
