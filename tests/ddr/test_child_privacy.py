"""A child's record reaches child protection only: lists, their previews and exports, the vetting
queue and the what-if never show it to anyone else, and a child found on a list is referred."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from ddr.lists import services as lists
from ddr.models import Category, ChildReferral, Combatant, ListImport, Pathway, VettingMatch, WatchlistEntry
from ddr.registration import services as registration
from ddr.screening import services as screening
from ddr.screening.models import CHILD_HANDOVER_DELAY

from ..factories import CombatantFactory
from .test_list_import import import_list, start

pytestmark = pytest.mark.django_db

HEADER = "Nom;Prénom;Sexe;Date de naissance;Région;Matricule;Grade"
PURPOSE = "Vérification de la liste avec le mouvement"


def _list_with_a_child() -> str:
    child_year = dt.date.today().year - 15
    return (
        f"{HEADER}\n"
        "Ag Intallah;Mohamed;M;vers 1985;Kidal;MN-1;Sergent\n"
        f"Zzcanaryxq;Hama;M;vers {child_year};Mopti;MN-2;Caporal\n"
        "Touré;Aïssata;F;03/04/1990;Gao;MN-3;\n"
    )


def test_a_child_on_a_list_is_referred_with_a_deadline_and_minimised(commission_officer: Any) -> None:
    import_list(commission_officer, _list_with_a_child())
    child = Combatant.objects.get(family_name="Zzcanaryxq")
    assert (child.category, child.status, child.pathway) == (
        Category.CHILD,
        Combatant.Status.REFERRED,
        Pathway.CHILD_REFERRAL,
    )
    assert child.rank_in_movement == ""  # nothing of the group's command, not even in the history
    assert not child.history.filter(rank_in_movement="Caporal").exists()
    referral = ChildReferral.objects.get(combatant=child)
    assert referral.handover_deadline - referral.identified_at == CHILD_HANDOVER_DELAY
    assert referral.referred_by == commission_officer
    assert Combatant.objects.get(family_name="Ag Intallah").rank_in_movement == "Sergent"
    # The same separation as an age assessment: it reaches the child-protection queue.
    assert ChildReferral.objects.count() == 1


def test_registering_a_child_by_hand_refers_it(commission_officer: Any) -> None:
    person = CombatantFactory.build(category=Category.CHILD, rank_in_movement="Caporal", birth_year=2012)
    registration.combatant_register(person=person, documents=[], weapons=[], by=commission_officer)
    person.refresh_from_db()
    assert person.status == Combatant.Status.REFERRED and person.rank_in_movement == ""
    assert ChildReferral.objects.filter(combatant=person).exists()


def test_the_next_version_preview_never_describes_a_hidden_child(
    commission_officer: Any, commission_client: Any
) -> None:
    first = import_list(commission_officer, _list_with_a_child()).result
    # The child left out: not "removed", no name.
    without = "\n".join(line for line in _list_with_a_child().splitlines() if "MN-2" not in line) + "\n"
    record = lists.list_import_validate(import_id=start(commission_officer, without, previous=first).pk)
    assert (record.diff["added"], record.diff["removed"], record.diff["changed"]) == (0, 0, 0)
    page = commission_client.get(reverse("ddr:import-detail", args=[record.pk])).content.decode()
    assert "Zzcanaryxq" not in page
    # One row with the child's reference: nothing of the child's record shows, only that it matches.
    probe = f"{HEADER}\nAutre;Nom;F;vers 1970;Gao;MN-2;\n"
    record = lists.list_import_validate(import_id=start(commission_officer, probe, previous=first).pk)
    assert record.status == ListImport.Status.READY
    assert record.diff["changed"] == 0 and record.diff["not_visible"] == 1
    assert record.diff["not_visible_lines"] == [2]
    page = commission_client.get(reverse("ddr:import-detail", args=[record.pk])).content.decode()
    for secret in ("Zzcanaryxq", "Hama", "MOP", "Mopti", str(dt.date.today().year - 15)):
        assert secret not in page
    assert 'data-testid="diff-not-visible"' in page
    # Committed, the row is linked to the child's record (never a new adult record), unchanged.
    lists.list_import_queue_commit(record=record, by=commission_officer)
    lists.list_import_commit(import_id=record.pk)
    assert Combatant.objects.filter(family_name="Autre").count() == 0
    assert Combatant.objects.get(family_name="Zzcanaryxq").list_entries.count() == 2


def test_a_list_export_numbers_the_visible_rows_without_gaps(
    commission_officer: Any, commission_client: Any
) -> None:
    submitted = import_list(commission_officer, _list_with_a_child()).result
    url = reverse("ddr:list-detail", args=[submitted.pk])
    rows = commission_client.get(url, {"export": "csv", "purpose": PURPOSE}).content.decode("utf-8-sig")
    numbers = [line.split(";")[0] for line in rows.splitlines()[1:]]
    assert numbers == ["1", "2"]
    assert "MN-2" not in rows and "Zzcanaryxq" not in rows
    page = commission_client.get(url).content.decode()
    assert "<tr><td>2</td><td>MN-3</td>" in page and "Zzcanaryxq" not in page


def test_the_vetting_queue_drops_a_person_found_to_be_a_child(
    commission_officer: Any, commission_client: Any
) -> None:
    person = CombatantFactory.create(family_name="Zzcanaryxq", given_name="Hama", birth_year=1990)
    WatchlistEntry.objects.create(name="Hama Zzcanaryxq", birth_year=1990, reason="Recrutement")
    screening.vetting_screen(people=Combatant.objects.all(), by=commission_officer)
    match = VettingMatch.objects.get()
    assert "Zzcanaryxq" in commission_client.get(reverse("ddr:vetting-queue")).content.decode()
    screening.age_assess(
        person=person, assessed_on=dt.date.today(), evidence="Os", assessed_age=16, by=commission_officer
    )
    assert "Zzcanaryxq" not in commission_client.get(reverse("ddr:vetting-queue")).content.decode()
    exported = commission_client.get(reverse("ddr:vetting-queue"), {"export": "csv", "purpose": PURPOSE})
    assert exported.status_code == 200 and "Zzcanaryxq" not in exported.content.decode()
    refused = commission_client.post(
        reverse("ddr:vetting-review", args=[match.pk]), {"status": "cleared", "reason": "Homonyme"}
    )
    assert refused.status_code == 404


def test_the_what_if_people_never_lists_a_child(administrator: Any, admin_client: Any) -> None:
    from ddr.eligibility import selectors as eligibility_selectors

    from ..factories import RuleSetFactory

    CombatantFactory.create(family_name="Zzcanaryxq", category=Category.CHILD, status="registered")
    draft = RuleSetFactory.create(status="draft")
    result = eligibility_selectors.what_if(draft)
    for _a, _b, source, target, _n in result["transitions"]:
        page = admin_client.get(
            reverse("ddr:ruleset-what-if-people", args=[draft.pk]), {"from": source, "to": target}
        )
        assert "Zzcanaryxq" not in page.content.decode()
