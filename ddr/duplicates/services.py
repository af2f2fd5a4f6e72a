"""Duplicate detection on the register: the job that finds pairs, the review decisions, merges
that can be undone, and the integrity of each list. Matching itself is `ddr.duplicates`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.audit import save_audited
from core.errors import Refused
from core.models import Job
from ddr.duplicates import rules
from ddr.duplicates.models import DuplicatePair, MatchingSettings, Merge
from ddr.duplicates.selectors import reviewable
from ddr.lists.models import ListEntry, SubmittedList
from ddr.registration.models import Category, Combatant, DeclaredWeapon, IdentityDocument
from ddr.registration.names import person_derive

S = Combatant.Status


class DuplicateRefused(Refused):
    """The decision cannot be taken; the message says why. Nothing was changed."""


# --- finding ------------------------------------------------------------------------------


def register_people(people: QuerySet[Combatant]) -> Iterator[rules.Person]:
    """The register as matching reads it: names, birth, place, context and identifiers."""
    documents: dict[int, set[str]] = defaultdict(set)
    for pk, number in IdentityDocument.objects.filter(combatant__in=people).values_list(
        "combatant_id", "number"
    ):
        documents[pk].add(number.strip().upper())
    serials: dict[int, set[str]] = defaultdict(set)
    weapons = DeclaredWeapon.objects.filter(combatant__in=people).exclude(serial_number="")
    for pk, serial in weapons.values_list("combatant_id", "serial_number"):
        serials[pk].add(serial.strip().upper())
    fields = [
        "id", "given_name", "family_name", "sex", "birth_year", "birth_date",
        "place_of_birth", "region__code", "movement__code", "biometric_ref",
    ]  # fmt: skip
    for row in people.values_list(*fields).order_by().iterator(chunk_size=5000):
        pk, given, family, sex, year, born, place, region, movement, biometric = row
        yield rules.Person(
            pk,
            given,
            family,
            sex,
            year,
            born,
            place,
            region or "",
            movement or "",
            frozenset(documents.get(pk, ())),
            biometric,
            frozenset(serials.get(pk, ())),
        )


def duplicates_find(*, job_id: int, list_id: int | None = None) -> int:
    """Compare the register (or a new list against it) and keep the pairs worth a look; pairs
    already decided are never proposed again. Returns the number of open pairs found."""
    job = Job.objects.get(pk=job_id)
    if not job.start(total=100):
        return 0  # finished meanwhile (a task delivered twice, a job already failed)
    job.advance(1)
    tuned = MatchingSettings.current()
    people = Combatant.objects.exclude(status=S.MERGED)

    def progress(done: int, total: int) -> None:
        job.advance(5 + 85 * done // total)

    result = rules.find(register_people(people), rules.Thresholds(tuned.strong, tuned.review), progress)
    job.advance(90, message=_("Saving the pairs"))
    if result.model is not None:  # what the thresholds page explains; not audited: it is not a decision
        MatchingSettings.objects.filter(pk=tuned.pk).update(
            model=result.model.describe(result.people), model_trained_at=timezone.now()
        )
    in_list = set(ListEntry.objects.filter(submitted_list_id=list_id).values_list("combatant_id", flat=True))
    decided = set(DuplicatePair.objects.exclude(status="open").values_list("first_id", "second_id"))
    pairs = []
    for c in result.candidates:
        first, second = sorted((c.a, c.b))
        if (first, second) in decided or (list_id and not {first, second} & in_list):
            continue
        pairs.append(
            DuplicatePair(
                first_id=first, second_id=second, score=c.score, agreed=c.agreed, differed=c.differed
            )
        )
    with transaction.atomic():
        DuplicatePair.objects.bulk_create(
            pairs,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["first", "second"],
            update_fields=["score", "agreed", "differed"],
        )
        if list_id:
            list_hold_check(SubmittedList.objects.get(pk=list_id), tuned)
    strong = sum(1 for pair in pairs if pair.score >= tuned.strong)
    job.finish(
        ngettext(
            "%(n)s pair found, %(strong)s proposed as the same person.",
            "%(n)s pairs found, %(strong)s proposed as the same person.",
            len(pairs),
        )
        % {"n": len(pairs), "strong": strong},
        done=100,
    )
    return len(pairs)


def duplicates_queue(*, by: User, submitted: SubmittedList | None = None) -> Job:
    """Queue a search over the register, or of a new list against it (after every import)."""
    from ddr.duplicates import tasks

    job = Job.objects.create(kind="duplicates_find", created_by=by, total=100)
    list_id = submitted.pk if submitted else None
    if submitted:
        SubmittedList.objects.filter(pk=submitted.pk).update(duplicates_job=job)
    transaction.on_commit(lambda: tasks.duplicates_find.delay(job.pk, list_id))
    return job


def list_hold_check(submitted: SubmittedList, tuned: MatchingSettings) -> None:
    """Hold a list whose share of people in strong open pairs is above the limit."""
    people = set(submitted.entries.values_list("combatant_id", flat=True))
    if not people:
        return
    open_pairs = DuplicatePair.objects.filter(status="open", score__gte=tuned.strong)
    strong = reviewable(open_pairs.touching(people))
    involved = {pk for pair in strong.values_list("first_id", "second_id") for pk in pair} & people
    share = len(involved) / len(people)
    held = share > tuned.list_hold_share
    values = (share, tuned.list_hold_share) if held else (None, None)
    if (submitted.held_share, submitted.held_limit) != values:
        submitted.held_share, submitted.held_limit = values
        submitted.save(update_fields=["held_share", "held_limit"])


@transaction.atomic
def matching_settings_save(
    *, strong: float, review: float, list_hold_share: float, by: User
) -> MatchingSettings:
    """The thresholds administrators tune (one row; the database refuses review above strong)."""
    tuned = MatchingSettings.current()
    tuned = MatchingSettings.objects.select_for_update().get(pk=tuned.pk)
    tuned.strong, tuned.review, tuned.list_hold_share = strong, review, list_hold_share
    save_audited(tuned, by, ["strong", "review", "list_hold_share"])
    return tuned


# --- decisions ----------------------------------------------------------------------------


def _locked_open(pair: DuplicatePair) -> DuplicatePair:
    """The pair, locked; refused if someone decided it meanwhile (two officers, one decision)."""
    locked = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if locked.status != DuplicatePair.Status.OPEN:
        raise DuplicateRefused(
            _("This pair was already decided (%(status)s) by %(who)s.")
            % {"status": locked.get_status_display(), "who": locked.decided_by}
        )
    return locked


def _decided(pair: DuplicatePair, status: str, by: User) -> None:
    pair.status, pair.decided_by, pair.decided_at = status, by, timezone.now()
    save_audited(pair, by, ["status", "decided_by", "decided_at"])


@transaction.atomic
def pair_different(*, pair: DuplicatePair, by: User) -> DuplicatePair:
    pair = _locked_open(pair)
    _decided(pair, DuplicatePair.Status.DIFFERENT, by)
    return pair


@transaction.atomic
def pair_reopen(*, pair: DuplicatePair, by: User) -> DuplicatePair:
    """Undo a "different people" decision: the pair returns to the queue undecided, and the next
    search may propose it again. (A merge is undone by `merge_undo`, which puts its records back.)"""
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != DuplicatePair.Status.DIFFERENT:
        raise DuplicateRefused(
            _("Only a decision that they are different people is undone here; this pair is: %(status)s.")
            % {"status": pair.get_status_display()}
        )
    pair.status, pair.decided_by, pair.decided_at = DuplicatePair.Status.OPEN, None, None
    save_audited(pair, by, ["status", "decided_by", "decided_at"], "decision undone")
    return pair


def _moved(model: Any, ids: list[int], to: Combatant, by: User) -> None:
    for record in model.objects.filter(pk__in=ids):
        record.combatant = to
        save_audited(record, by, ["combatant"])


@transaction.atomic
def pair_merge(*, pair: DuplicatePair, by: User) -> Merge:
    """One person: the later record is merged into the earlier one, which gains its list
    entries, documents, weapons and name as an alias. Both stay, so it can be undone."""
    pair = _locked_open(pair)
    kept, absorbed = (
        Combatant.objects.select_for_update().filter(pk__in=[pair.first_id, pair.second_id]).order_by("pk")
    )
    if kept.category == Category.CHILD or absorbed.category == Category.CHILD:
        raise DuplicateRefused(_("A child's record is merged by the child-protection officer only."))
    if (kept.status, kept.pathway) != (absorbed.status, absorbed.pathway):
        raise DuplicateRefused(
            _(
                "%(a)s is %(a_status)s (%(a_pathway)s) and %(b)s is %(b_status)s (%(b_pathway)s): bring both "
                "records to the same step and pathway before merging them."
            )
            % {
                "a": kept.registration_number,
                "a_status": kept.get_status_display(),
                "a_pathway": kept.get_pathway_display(),
                "b": absorbed.registration_number,
                "b_status": absorbed.get_status_display(),
                "b_pathway": absorbed.get_pathway_display(),
            }
        )
    moved = {
        "entries": list(absorbed.list_entries.values_list("pk", flat=True)),
        "documents": list(absorbed.documents.values_list("pk", flat=True)),
        "weapons": list(absorbed.weapons.values_list("pk", flat=True)),
    }
    merge = Merge.objects.create(
        pair=pair,
        kept=kept,
        absorbed=absorbed,
        moved=moved,
        kept_aliases_before=kept.also_known_as,
        absorbed_status_before=absorbed.status,
        merged_by=by,
    )
    _moved(ListEntry, moved["entries"], kept, by)  # provenance moves, audited like the rest
    _moved(IdentityDocument, moved["documents"], kept, by)
    _moved(DeclaredWeapon, moved["weapons"], kept, by)
    alias = f"{absorbed.given_name} {absorbed.family_name}"
    if alias != f"{kept.given_name} {kept.family_name}" and alias not in kept.also_known_as:
        kept.also_known_as = "; ".join(a for a in (kept.also_known_as, alias) if a)[:200]
        # The alias is searchable at once: the absorbed name finds the kept record.
        fields = ["also_known_as", *person_derive(kept)]
        save_audited(kept, by, fields, f"merge {merge.pk}")  # not the other number: may be hidden
    absorbed.status, absorbed.merged_into = S.MERGED, kept
    save_audited(absorbed, by, ["status", "merged_into"], f"merged (merge {merge.pk})")
    _decided(pair, DuplicatePair.Status.SAME, by)
    return merge


@transaction.atomic
def merge_undo(*, merge: Merge, by: User) -> Merge:
    """Everything moved goes back, and the pair returns to the queue undecided: an undo says the
    merge was a mistake or premature, not that they are two people; reviewers decide it anew (and
    the next search proposes it again)."""
    from ddr.accountability.appeals.selectors import open_appeal_on

    merge = Merge.objects.select_for_update().select_related("pair").get(pk=merge.pk)
    if merge.undone_at:
        raise DuplicateRefused(_("This merge was already undone."))
    if open_appeal_on(merge=merge) is not None:  # an overturn closes it first, then undoes
        raise DuplicateRefused(_("This merge is under appeal: it is undone only by the appeal's decision."))
    kept = Combatant.objects.select_for_update().get(pk=merge.kept_id)
    absorbed = Combatant.objects.select_for_update().get(pk=merge.absorbed_id)
    _moved(ListEntry, merge.moved.get("entries", []), absorbed, by)
    _moved(IdentityDocument, merge.moved.get("documents", []), absorbed, by)
    _moved(DeclaredWeapon, merge.moved.get("weapons", []), absorbed, by)
    if kept.also_known_as != merge.kept_aliases_before:
        kept.also_known_as = merge.kept_aliases_before
        fields = ["also_known_as", *person_derive(kept)]
        save_audited(kept, by, fields, f"merge {merge.pk} undone")
    absorbed.status, absorbed.merged_into = merge.absorbed_status_before, None
    save_audited(absorbed, by, ["status", "merged_into"], "merge undone")
    merge.undone_by, merge.undone_at = by, timezone.now()
    save_audited(merge, by, ["undone_by", "undone_at"])
    pair = merge.pair
    pair.status, pair.decided_by, pair.decided_at = DuplicatePair.Status.OPEN, None, None
    save_audited(pair, by, ["status", "decided_by", "decided_at"], f"merge {merge.pk} undone")
    return merge


# --- list integrity -----------------------------------------------------------------------
