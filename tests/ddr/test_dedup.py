"""Duplicate detection on the register: the job, decisions remembered, merge and un-merge,
lists held for review, and the list-integrity report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from core.models import Job
from ddr.duplicates import selectors as duplicates_selectors
from ddr.duplicates import services as duplicates
from ddr.lists import selectors as lists_selectors
from ddr.models import (
    Combatant,
    DeclaredWeapon,
    DuplicatePair,
    IdentityDocument,
    ListEntry,
    MatchingSettings,
    Merge,
    SubmittedList,
)

from ..factories import CombatantFactory, group, region

pytestmark = pytest.mark.django_db


def a_list(by: User, movement: str = "MNLA", n: int = 1) -> SubmittedList:
    return SubmittedList.objects.create(
        title=f"Liste {movement} {n}",
        movement=group(movement),
        submitted_to="cts",
        submitted_on=dt.date(2018, 5, 2),
        sha256=f"{movement}{n}".ljust(64, "0"),
        created_by=by,
    )


def twins(**extra: Any) -> tuple[Combatant, Combatant]:
    """One man registered twice, by two movements, with a clerk's spellings."""
    first = CombatantFactory.create(
        given_name="Mohamed", family_name="Ag Intallah", birth_year=1985, place_of_birth="Kidal", **extra
    )
    second = CombatantFactory.create(
        given_name="Muhammad",
        family_name="Ould Intalah",
        birth_year=1986,
        place_of_birth="Kidal",
        movement=group("HCUA"),
        **extra,
    )
    return first, second


def run(by: User, submitted: SubmittedList | None = None) -> int:
    job = Job.objects.create(kind="duplicates_find", created_by=by)
    found = duplicates.duplicates_find(job_id=job.pk, list_id=submitted.pk if submitted else None)
    job.refresh_from_db()
    assert (job.status, job.done) == (Job.Status.DONE, 100)
    return found


def test_the_register_job_finds_the_pair_with_its_reasons_and_decisions_are_remembered(
    commission_officer: Any,
) -> None:
    first, second = twins()
    CombatantFactory.create(given_name="Moussa", family_name="Maïga", birth_year=1985, place_of_birth="Kidal")
    assert run(commission_officer) == 1
    pair = DuplicatePair.objects.get()
    assert (pair.first, pair.second, pair.status) == (first, second, "open")
    assert "name" in pair.agreed and "movement" in pair.differed

    assert run(commission_officer) == 1 and DuplicatePair.objects.count() == 1  # upserted, not doubled
    duplicates.pair_different(pair=pair, by=commission_officer)
    assert run(commission_officer) == 0  # "different people" is never proposed again
    assert DuplicatePair.objects.get().status == "different"


def test_merge_keeps_every_entry_document_and_name_and_undo_puts_them_back(commission_officer: Any) -> None:
    kept, absorbed = twins()
    lists = [a_list(commission_officer, "MNLA"), a_list(commission_officer, "HCUA")]
    ListEntry.objects.create(submitted_list=lists[0], combatant=kept, line=2)
    entry = ListEntry.objects.create(submitted_list=lists[1], combatant=absorbed, line=7)
    document = IdentityDocument.objects.create(combatant=absorbed, kind="nina", number="N123")
    weapon = DeclaredWeapon.objects.create(combatant=absorbed, kind="rifle", serial_number="AK-1")
    run(commission_officer)

    merge = duplicates.pair_merge(pair=DuplicatePair.objects.get(), by=commission_officer)
    kept.refresh_from_db()
    absorbed.refresh_from_db()
    assert (absorbed.status, absorbed.merged_into) == ("merged", kept)
    assert set(kept.list_entries.all()) == {kept.list_entries.get(line=2), entry}
    assert list(kept.documents.all()) == [document] and list(kept.weapons.all()) == [weapon]
    assert "Muhammad Ould Intalah" in kept.also_known_as
    assert absorbed.history.first().history_user == commission_officer  # audited
    assert IdentityDocument.objects.get(pk=document.pk).history.first().history_user == commission_officer

    duplicates.merge_undo(merge=merge, by=commission_officer)
    kept.refresh_from_db()
    absorbed.refresh_from_db()
    assert (absorbed.status, absorbed.merged_into, kept.also_known_as) == ("registered", None, "")
    assert set(absorbed.list_entries.all()) == {entry} and list(absorbed.documents.all()) == [document]
    assert list(absorbed.weapons.all()) == [weapon]
    with pytest.raises(duplicates.DuplicateRefused):
        duplicates.merge_undo(merge=Merge.objects.get(), by=commission_officer)


def test_undo_returns_the_pair_to_the_queue_undecided_to_be_decided_again(
    commission_officer: Any, administrator: Any
) -> None:
    kept, absorbed = twins()
    run(commission_officer)
    pair = DuplicatePair.objects.get()
    merge = duplicates.pair_merge(pair=pair, by=commission_officer)
    duplicates.merge_undo(merge=merge, by=administrator)

    pair.refresh_from_db()
    assert (pair.status, pair.decided_by, pair.decided_at) == ("open", None, None)
    undone = pair.history.first()  # audited: who put it back, and why
    assert (undone.status, undone.history_user, undone.history_change_reason) == (
        "open",
        administrator,
        f"merge {merge.pk} undone",
    )
    queue = duplicates_selectors.queue(commission_officer, kind="", strong=0.9)
    assert list(queue) == [pair]
    assert run(commission_officer) == 1  # proposed again by the next search, still one pair
    assert DuplicatePair.objects.get().status == "open"

    again = duplicates.pair_merge(pair=pair, by=administrator)  # merged a second time
    assert again.pk != merge.pk and Merge.objects.count() == 2
    assert Combatant.objects.get(pk=absorbed.pk).merged_into_id == kept.pk
    assert DuplicatePair.objects.get().status == "same"
    duplicates.merge_undo(merge=again, by=administrator)
    duplicates.pair_different(pair=pair, by=commission_officer)  # ... or decided otherwise
    assert DuplicatePair.objects.get().status == "different"
    assert run(commission_officer) == 0


def test_after_a_merge_the_absorbed_name_finds_the_kept_record_and_after_undo_it_does_not(
    commission_officer: Any, commission_client: Any
) -> None:
    kept, absorbed = twins()
    run(commission_officer)

    def found(q: str) -> set[str]:
        page = commission_client.get(reverse("ddr:person-list"), {"q": q})
        return {p.registration_number for p in page.context["page"]}

    assert kept.registration_number not in found("ould intalah")
    merge = duplicates.pair_merge(pair=DuplicatePair.objects.get(), by=commission_officer)
    assert kept.registration_number in found("ould intalah")
    assert kept.registration_number in found("muhammad")
    duplicates.merge_undo(merge=merge, by=commission_officer)
    assert kept.registration_number not in found("ould intalah")
    assert absorbed.registration_number in found("ould intalah")


def test_a_merge_across_steps_or_pathways_is_refused_and_changes_nothing(commission_officer: Any) -> None:
    first, second = twins()
    Combatant.objects.filter(pk=second.pk).update(status="screened", pathway="integration_army")
    run(commission_officer)
    pair = DuplicatePair.objects.get()
    with pytest.raises(duplicates.DuplicateRefused, match="même étape"):
        duplicates.pair_merge(pair=pair, by=commission_officer)
    assert DuplicatePair.objects.get().status == "open" and not Merge.objects.exists()
    assert Combatant.objects.get(pk=second.pk).status == "screened"


def test_a_pair_decided_by_one_officer_cannot_be_merged_by_another(
    commission_officer: Any, administrator: Any
) -> None:
    twins()
    run(commission_officer)
    pair = DuplicatePair.objects.get()
    duplicates.pair_different(pair=pair, by=administrator)
    with pytest.raises(duplicates.DuplicateRefused, match="déjà"):
        duplicates.pair_merge(pair=pair, by=commission_officer)
    assert not Merge.objects.exists()


def test_a_list_with_too_many_duplicates_is_held_until_its_pairs_are_decided(commission_officer: Any) -> None:
    registered, again = twins()
    newcomer = CombatantFactory.create(given_name="Aliou", family_name="Touré", birth_year=1970)
    submitted = a_list(commission_officer, "HCUA")
    ListEntry.objects.create(submitted_list=submitted, combatant=again, line=2)
    ListEntry.objects.create(submitted_list=submitted, combatant=newcomer, line=3)
    run(commission_officer, submitted)  # 1 of 2 people is a strong duplicate: 50 % > 10 %
    submitted.refresh_from_db()
    assert "50" in submitted.hold_reason
    assert "Décidez" in duplicates_selectors.list_acceptance_problem(submitted)

    duplicates.pair_different(pair=DuplicatePair.objects.get(), by=commission_officer)
    assert duplicates_selectors.list_acceptance_problem(submitted) == ""
    assert registered.pk != again.pk


def test_list_job_keeps_only_pairs_touching_the_list(commission_officer: Any) -> None:
    twins()  # a pair outside the list
    listed = CombatantFactory.create(given_name="Aliou", family_name="Touré", birth_year=1970)
    submitted = a_list(commission_officer)
    ListEntry.objects.create(submitted_list=submitted, combatant=listed, line=2)
    assert run(commission_officer, submitted) == 0 and not DuplicatePair.objects.exists()


def test_integrity_report_counts_each_kind_of_problem(commission_officer: Any) -> None:
    kept, again = twins()
    minor = CombatantFactory.create(given_name="Ousmane", family_name="Cissé", birth_year=dt.date.today().year - 15)
    flagged = CombatantFactory.create(given_name="Issa", family_name="Dicko", birth_year=1980)
    IdentityDocument.objects.create(
        combatant=flagged, kind="nina", number="X1", issued_on=flagged.registered_at - dt.timedelta(days=5)
    )
    DeclaredWeapon.objects.create(combatant=minor, kind="rifle", serial_number="SN-9")
    DeclaredWeapon.objects.create(combatant=kept, kind="rifle", serial_number="SN-9")
    mnla, hcua = a_list(commission_officer, "MNLA"), a_list(commission_officer, "HCUA")
    for line, person in enumerate([kept, minor, flagged], 2):
        ListEntry.objects.create(submitted_list=mnla, combatant=person, line=line)
    ListEntry.objects.create(submitted_list=hcua, combatant=again, line=2)
    ListEntry.objects.create(submitted_list=hcua, combatant=flagged, line=3)
    run(commission_officer)

    report = lists_selectors.list_integrity(SubmittedList.objects.filter(pk=mnla.pk))
    assert report["counts"] == {
        "people": 3,
        "duplicates_inside": 0,
        "registered_elsewhere": 2,  # kept (probable duplicate on HCUA's list) and flagged (on it too)
        "other_movement": 1,  # flagged, by the same record on HCUA's list
        "weapons_declared_twice": 1,
        "documents_just_before": 1,
        "under_18": 1,
    }
    assert report["shares"]["under_18"] == pytest.approx(1 / 3)


def test_regional_officers_see_only_pairs_within_their_region(
    gao_officer: Any, commission_officer: Any
) -> None:
    twins(region=region("KID"))
    run(commission_officer)
    assert duplicates_selectors.pairs_for(commission_officer).count() == 1
    assert duplicates_selectors.pairs_for(gao_officer).count() == 0


def test_thresholds_show_their_effect_before_they_are_saved(commission_officer: Any) -> None:
    twins()
    run(commission_officer)
    score = DuplicatePair.objects.get().score
    assert duplicates_selectors.threshold_effect(strong=score, review=0.5) == {"strong": 1, "review": 0, "dropped": 0}
    assert duplicates_selectors.threshold_effect(strong=1.0, review=min(1.0, score + 0.001)) == {
        "strong": 0,
        "review": 0,
        "dropped": 1,
    }
    assert MatchingSettings.current().strong == 0.999


@pytest.mark.django_db(transaction=True)
def test_two_officers_merging_the_same_pair_at_once_make_one_merge(reference_data: None) -> None:
    import threading

    from django.db import connection

    from ..factories import UserFactory

    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) are PostgreSQL's; SQLite runs one writer")
    officers = [UserFactory.create(username=f"officer{i}", role="commission_officer") for i in range(2)]
    twins()
    run(officers[0])
    pair = DuplicatePair.objects.get()
    barrier, outcomes = threading.Barrier(2), []

    def review(officer: User) -> None:
        try:
            barrier.wait()
            duplicates.pair_merge(pair=pair, by=officer)
            outcomes.append("merged")
        except duplicates.DuplicateRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["merged", "refused"]
    assert Merge.objects.count() == 1 and Combatant.objects.filter(status="merged").count() == 1
