"""Screening services: age verification and child separation, medical examinations, vetting.

Each step is recorded and audited, and its outcome is written onto the person
(`age_verified`, `medical_status`, `vetting_status`) where the eligibility rules read it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from core.audit import save_audited
from core.dates import shown_date
from core.errors import Refused
from core.uploads import FileRejected, capped, cell_problem, error, max_length, read_table
from ddr.lists.models import ArmedGroup
from ddr.registration.models import (
    Category,
    Combatant,
    IdentityDocument,
    MedicalStatus,
    Pathway,
    VettingStatus,
)
from ddr.registration.names import canonical
from ddr.screening.models import (
    CHILD_HANDOVER_DELAY,
    AgeAssessment,
    ChildReferral,
    MedicalExam,
    VettingMatch,
    WatchlistEntry,
)

# A watch-list name this close to a person's (0-100, on canonical spellings) goes to review.
VETTING_THRESHOLD = 88


class ScreeningRefused(Refused):
    """A screening entry contradicts what is recorded; the message says why. Nothing was saved."""


# --- age and children ---------------------------------------------------------------------


@transaction.atomic
def age_assess(
    *, person: Combatant, assessed_on: dt.date, evidence: str, assessed_age: int, by: User
) -> AgeAssessment:
    """Record an age assessment. Under 18: the person is separated and referred at once."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    decision = AgeAssessment.Decision.CHILD if assessed_age < 18 else AgeAssessment.Decision.ADULT
    assessment = AgeAssessment(
        combatant=person,
        assessed_on=assessed_on,
        evidence=evidence,
        assessed_age=assessed_age,
        decision=decision,
        assessed_by=by,
    )
    assessment._history_user = by  # type: ignore[attr-defined]
    assessment.save()
    person.age_verified = True
    save_audited(person, by, ["age_verified"], "age assessment")
    if decision == AgeAssessment.Decision.CHILD:
        child_separate(person=person, by=by)
    return assessment


def is_child_on_record(person: Combatant) -> bool:
    """Whether a person's own record makes them a child: their category, or a birth year under 18
    (registration by hand and an edit in the admin both ask; a list import decides by every source)."""
    return person.category == Category.CHILD or bool(
        person.birth_year and timezone.localdate().year - person.birth_year < 18
    )


@transaction.atomic
def child_separate(*, person: Combatant, by: User, partner: str = "") -> ChildReferral:
    """Never processed as an adult: separated, referred with a 48-hour hand-over deadline, and
    the record minimised (the movement rank and biometric reference are dropped)."""
    children_separate(people=Combatant.objects.filter(pk=person.pk), by=by, partner=partner)
    person.refresh_from_db()
    return ChildReferral.objects.get(combatant=person)


# What a child's record keeps of the armed group: nothing of its command or biometrics.
SEPARATED = {
    "category": Category.CHILD,
    "status": Combatant.Status.REFERRED,
    "pathway": Pathway.CHILD_REFERRAL,
    "pathway_reason": "under_age",
    "rank_in_movement": "",
    "biometric_ref": "",
}


# What a child's record merged away into another keeps: its status (merged), not its command.
MINIMISED = ["category", "rank_in_movement", "biometric_ref"]


def _same_people(ids: set[int]) -> set[int]:
    """These records and every record one of them was merged into or absorbed, to the end of the chain."""
    group = set(ids)
    while True:
        into = Combatant.objects.filter(pk__in=group, merged_into__isnull=False).values("merged_into")
        linked = Combatant.objects.filter(Q(merged_into__in=group) | Q(pk__in=into))
        more = set(linked.values_list("pk", flat=True)) - group
        if not more:
            return group
        group |= more


@transaction.atomic
def children_separate(
    *, people: QuerySet[Combatant], by: User, partner: str = "", reason: str = "child separated"
) -> int:
    """The one way a child is separated, for one person (age assessment, registration) or a whole
    list (import): each is referred, minimised and given a referral with the 48-hour hand-over
    deadline. Set-based: one batched update with its audit rows, one bulk insert of referrals.
    Safe to run twice (a child already separated keeps their referral). Returns the children.

    A child's other records (merged into theirs, or theirs merged into one) are the same child
    under another spelling: they become a child's records too. One still open is separated and
    referred; one merged away stays merged, minimised and seen by child protection only."""
    named = set(people.values_list("pk", flat=True))
    records = Combatant.objects.select_for_update().filter(pk__in=_same_people(named)).order_by("pk")
    children = [c for c in records if c.pk in named or c.status != Combatant.Status.MERGED]
    merged_away = [c for c in records if c.pk not in named and c.status == Combatant.Status.MERGED]
    changed = [c for c in children if any(getattr(c, f) != v for f, v in SEPARATED.items())]
    for child in changed:
        for field, value in SEPARATED.items():
            setattr(child, field, value)
    for record in merged_away:
        for field in MINIMISED:
            setattr(record, field, SEPARATED[field])
    bulk_update_with_history(
        changed, Combatant, list(SEPARATED), batch_size=2000, default_user=by, default_change_reason=reason
    )
    bulk_update_with_history(
        merged_away, Combatant, MINIMISED, batch_size=2000, default_user=by, default_change_reason=reason
    )
    referred = set(
        ChildReferral.objects.filter(combatant__in=[c.pk for c in children]).values_list(
            "combatant_id", flat=True
        )
    )
    now = timezone.now()
    referrals = [
        ChildReferral(
            combatant=child,
            identified_at=now,
            handover_deadline=now + CHILD_HANDOVER_DELAY,
            partner=partner,
            referred_by=by,
        )
        for child in children
        if child.pk not in referred
    ]
    bulk_create_with_history(
        referrals, ChildReferral, batch_size=2000, default_user=by, default_change_reason=reason
    )
    return len(children)


@transaction.atomic
def referral_hand_over(*, referral: ChildReferral, partner: str, at: dt.datetime, by: User) -> ChildReferral:
    if at < referral.identified_at:
        raise ScreeningRefused(_("The hand-over cannot come before the child was identified."))
    referral.partner, referral.handed_over_at = partner, at
    referral._history_user = by  # type: ignore[attr-defined]
    referral.save(update_fields=["partner", "handed_over_at"])
    return referral


def documents_issued_just_before_registration(days: int) -> QuerySet[IdentityDocument]:
    """Documents issued within `days` before registration: a known pattern of papers made to
    "prove" adult age. Flagged for age review, never decided on automatically."""
    return IdentityDocument.objects.filter(
        issued_on__isnull=False,
        issued_on__lte=F("combatant__registered_at"),
        issued_on__gte=F("combatant__registered_at") - dt.timedelta(days=days),
    )


# --- medical ------------------------------------------------------------------------------


@transaction.atomic
def medical_record(
    *,
    person: Combatant,
    examined_on: dt.date,
    examiner: str,
    result: str,
    final: bool,
    by: User,
    disputed: bool = False,
    note: str = "",
) -> MedicalExam:
    """Record an examination; the latest final decision becomes the person's fitness."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    if examined_on > timezone.localdate():
        raise ScreeningRefused(_("An examination cannot be dated in the future."))
    contradicts = person.medical_exams.filter(examined_on=examined_on, final=True).exclude(result=result)
    if final and contradicts.exists():
        raise ScreeningRefused(
            _("A different final result is already recorded on %(day)s; record a re-examination instead.")
            % {"day": shown_date(examined_on)}
        )
    exam = MedicalExam(
        combatant=person,
        examined_on=examined_on,
        examiner=examiner,
        result=result,
        final=final,
        disputed=disputed,
        note=note,
        recorded_by=by,
    )
    exam._history_user = by  # type: ignore[attr-defined]
    exam.save()
    latest = person.medical_exams.filter(final=True).order_by("-examined_on", "-id").first()
    status = latest.result if latest else MedicalStatus.NOT_EXAMINED
    if status != person.medical_status:
        person.medical_status = status
        save_audited(person, by, ["medical_status"], "medical examination")
    return exam


# --- vetting ------------------------------------------------------------------------------


def vetting_candidates(
    entry: WatchlistEntry, people: QuerySet[Combatant]
) -> list[tuple[Combatant, float, str]]:
    """People whose name is close to one of the entry's names (accent-free, alias-aware,
    spelling variants unified), with the score and the name that matched."""
    words = {w for name in entry.names() for w in canonical(name).split() if len(w) >= 4 and w != "ag"}
    if not words:
        return []
    blocking = Q()
    for word in words:  # the folded name contains a word of the entry, or its first letters
        blocking |= Q(name_key__contains=word[:4])
    found = []
    for person in people.filter(blocking).only(
        "pk", "family_name", "given_name", "also_known_as", "birth_year"
    ):
        names = [canonical(person.family_name, person.given_name)]
        if person.also_known_as:
            names.append(canonical(person.also_known_as))
        best, matched = name_match(entry, names)
        if entry.birth_year and person.birth_year and abs(entry.birth_year - person.birth_year) > 3:
            best -= 15  # same name, clearly another generation
        if best >= VETTING_THRESHOLD:
            found.append((person, round(best, 1), matched))
    return found


def name_match(entry: WatchlistEntry, names: list[str]) -> tuple[float, str]:
    """The best score of the entry's names (and aliases) against `names` (already `canonical`),
    and the entry's name that gave it. Anyone matched against the watch-list is scored here."""
    best, matched = 0.0, ""
    for candidate in entry.names():
        for mine in names:
            score = fuzz.token_sort_ratio(canonical(candidate), mine)
            if score > best:
                best, matched = score, candidate
    return best, matched


def blocking_words(name: str) -> set[str]:
    """The first letters of a name's significant words: two names can match only if they share one."""
    return {w[:4] for w in canonical(name).split() if len(w) >= 4 and w != "ag"}


@transaction.atomic
def vetting_screen(*, people: QuerySet[Combatant], by: User) -> int:
    """Match people against the active watch-list. Possible matches go to review (`pending`);
    the others are cleared. Decided matches are never proposed again. Returns new matches."""
    new = 0
    matched: set[int] = set()
    for entry in WatchlistEntry.objects.filter(active=True):
        for person, score, name in vetting_candidates(entry, people):
            matched.add(person.pk)
            _match, created = VettingMatch.objects.get_or_create(
                combatant=person, entry=entry, defaults={"score": score, "matched_name": name}
            )
            new += created
    _refresh_vetting_status(people.filter(pk__in=matched), by)
    unmatched = people.exclude(pk__in=matched).filter(vetting_status=VettingStatus.NOT_VETTED)
    for person in unmatched:
        if not person.vetting_matches.exists():
            person.vetting_status = VettingStatus.CLEAR
            save_audited(person, by, ["vetting_status"], "vetting: no match")
    return new


@transaction.atomic
def vetting_review(*, match: VettingMatch, status: str, reason: str, by: User) -> VettingMatch:
    if status not in (VettingMatch.Status.CLEARED, VettingMatch.Status.CONFIRMED):
        raise ScreeningRefused(_("A match is either cleared or confirmed."))
    if not reason.strip():
        raise ScreeningRefused(_("Give the reason for the decision."))
    match.status, match.reason = status, reason
    match.reviewed_by, match.reviewed_at = by, timezone.now()
    match._history_user = by  # type: ignore[attr-defined]
    match.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
    _refresh_vetting_status(Combatant.objects.filter(pk=match.combatant_id), by)
    return match


def _refresh_vetting_status(people: QuerySet[Combatant], by: User) -> None:
    for person in people.prefetch_related("vetting_matches"):
        statuses = {m.status for m in person.vetting_matches.all()}
        status = (
            VettingStatus.CONFIRMED
            if VettingMatch.Status.CONFIRMED in statuses
            else VettingStatus.PENDING
            if VettingMatch.Status.PENDING in statuses
            else VettingStatus.CLEAR
        )
        if status != person.vetting_status:
            person.vetting_status = status
            save_audited(person, by, ["vetting_status"], "vetting review")


# --- the watch-list -----------------------------------------------------------------------

WATCHLIST_COLUMNS = ("name", "aliases", "birth_year", "movement", "reason")


# The refusal names this many bad lines; the others are counted.
WATCHLIST_ERRORS_SHOWN = 20


class WatchlistRejected(Refused):
    """The file imports nothing; `errors` are the first DDR_IMPORT_MAX_ERRORS, `total` all of them.
    The message names the first WATCHLIST_ERRORS_SHOWN bad lines and counts the others."""

    field = "file"

    def __init__(self, errors: list[dict[str, Any]], total: int) -> None:
        lines = [e["reason"] for e in errors[:WATCHLIST_ERRORS_SHOWN]]
        if total > len(lines):
            lines.append(_("%(n)s more errors") % {"n": total - len(lines)})
        super().__init__(_("Nothing imported. ") + "; ".join(lines))
        self.errors, self.total = errors, total


def watchlist_import(*, data: bytes, filename: str, by: User) -> int:
    """CSV (name;aliases;birth_year;movement;reason) read by the shared reader: every line or
    none, each bad line reported. Returns how many entries were imported."""
    limits = {c: max_length(WatchlistEntry, c) for c in ("name", "aliases", "reason")}
    movements = {g.code.upper(): g for g in ArmedGroup.objects.all()}
    entries: list[WatchlistEntry] = []
    errors: list[dict[str, Any]] = []
    try:
        rows = read_table(data, filename, max_bytes=settings.DDR_WATCHLIST_IMPORT_MAX_BYTES, delimiter=";")
        for line, row in enumerate(rows, start=1):
            if line == 1 or not any(cell.strip() for cell in row):
                continue
            values = dict(zip(WATCHLIST_COLUMNS, (c.strip() for c in row), strict=False))
            entry, problems = _watchlist_entry(line, values, limits, movements)
            errors += problems
            if entry is not None:
                entries.append(entry)
    except FileRejected as exc:
        raise WatchlistRejected([error(0, "", str(exc))], 1) from exc
    if errors:
        raise WatchlistRejected(*capped(errors))
    bulk_create_with_history(entries, WatchlistEntry, batch_size=2000, default_user=by)
    return len(entries)


def _watchlist_entry(
    line: int, values: dict[str, str], limits: dict[str, int], movements: dict[str, ArmedGroup]
) -> tuple[WatchlistEntry | None, list[dict[str, Any]]]:
    """One line of the watch-list: its entry, or what is wrong with it."""
    # Each reason names its line: the refusal is one message listing them.
    problems = [
        error(line, column, _("line %(line)s: %(reason)s") % {"line": line, "reason": problem})
        for column, value in values.items()
        if (problem := cell_problem(value, limits.get(column, 40)))
    ]
    name, year = values.get("name", ""), values.get("birth_year", "")
    movement = values.get("movement", "")
    if problems:
        return None, problems
    if not name or not values.get("reason"):
        return None, [
            error(line, "name", _("line %(line)s: the name and the reason are required") % {"line": line})
        ]
    if year and not (year.isdecimal() and 1900 < int(year) < 2020):
        return None, [
            error(
                line,
                "birth_year",
                _("line %(line)s: impossible birth year %(year)s") % {"line": line, "year": year},
            )
        ]
    if movement and movement.upper() not in movements:
        return None, [
            error(
                line, "movement", _("line %(line)s: unknown movement %(m)s") % {"line": line, "m": movement}
            )
        ]
    entry = WatchlistEntry(
        name=name,
        aliases=values.get("aliases", ""),
        birth_year=int(year) if year else None,
        movement=movements.get(movement.upper()) if movement else None,
        reason=values["reason"],
    )
    return entry, []
