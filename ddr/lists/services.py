"""Every write of the register: list imports and registration. Audited, atomic, set-based."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import save_audited
from core.errors import Refused
from core.masterdata import record_save, refuse_on
from core.models import Decision, Job, Region
from core.tasks import failure_message, job_failure
from core.uploads import FileRejected, error, megabytes
from ddr.lists import commit
from ddr.lists.models import ArmedGroup, Coalition, CoalitionMembership, ListEntry, ListImport, SubmittedList
from ddr.lists.parse import ParsedRow, RowError, check_list_file
from ddr.lists.rules import membership_problem, split_problem
from ddr.lists.selectors import version_diff
from ddr.registration.models import Combatant
from ddr.registration.rules import name_key
from ddr.registration.services import reserve_registration_sequence
from ddr.screening import services as screening

log = logging.getLogger(__name__)


class ImportRejected(Refused):
    """The import cannot go ahead; the message says why. Nothing was saved."""

    field = "file"


class ListRefused(Refused):
    """A list's change cannot be made; the message says why. Nothing was changed."""


# --- lists --------------------------------------------------------------------------------


@transaction.atomic
def list_status_change(
    *, submitted: SubmittedList, status: str, by: User, decision: Decision | None = None
) -> SubmittedList:
    """A list received, accepted or disputed, by the decision of the register that endorsed it
    when one is given. A list held for review is accepted only once its duplicate pairs are decided."""
    from ddr.accountability.appeals.selectors import open_appeal_on
    from ddr.duplicates.selectors import list_acceptance_problem

    submitted = SubmittedList.objects.select_for_update().get(pk=submitted.pk)
    if open_appeal_on(submitted_list=submitted) is not None:  # an overturn closes it first
        raise ListRefused(
            _("The movement appealed against this list's status: it changes only by the appeal's decision."),
            "status",
        )
    if status not in SubmittedList.Status.values:
        raise ListRefused(_("Unknown status."), "status")
    if status == SubmittedList.Status.ACCEPTED and (problem := list_acceptance_problem(submitted)):
        raise ListRefused(problem, "status")
    submitted.status = status
    fields = ["status"]
    if decision is not None:
        submitted.decision = decision
        fields.append("decision")
    save_audited(submitted, by, fields)
    return submitted


# --- list imports -----------------------------------------------------------------------


def list_import_start(
    *,
    data: bytes,
    filename: str,
    title: str,
    movement: ArmedGroup,
    submitted_to: str,
    submitted_on: dt.date,
    certified_by: str,
    previous: SubmittedList | None,
    by: User,
) -> ListImport:
    """Keep the file and queue its check on the worker. Refuses a file already imported."""
    if len(data) > settings.DDR_IMPORT_MAX_BYTES:
        raise ImportRejected(
            _("The file is larger than %(mb)s MB; split it into several lists.")
            % {"mb": megabytes(settings.DDR_IMPORT_MAX_BYTES)}
        )
    if not data.strip():
        raise ImportRejected(_("The file is empty."))
    sha = hashlib.sha256(data).hexdigest()
    already = SubmittedList.objects.filter(sha256=sha).first()
    if already:
        raise ImportRejected(
            _("This file was already imported as list “%(list)s”; nothing new.") % {"list": already}
        )

    with transaction.atomic():
        job = Job.objects.create(kind="list_import", created_by=by)
        record = ListImport.objects.create(
            job=job,
            file=ContentFile(data, name=filename),
            filename=filename,
            sha256=sha,
            title=title,
            movement=movement,
            submitted_to=submitted_to,
            submitted_on=submitted_on,
            certified_by=certified_by,
            previous=previous,
            created_by=by,
        )
        from ddr.lists import tasks

        transaction.on_commit(lambda: tasks.list_import_validate.delay(record.pk))
    return record


def _progress(job: Job, phase: str) -> Callable[[int], None]:
    """Reports `done` at most once a second: the page polls no faster, and each report is a
    committed write (a thousand of them for a million rows)."""
    last = 0.0

    def report(done: int) -> None:
        nonlocal last
        if (now := time.monotonic()) - last >= 1:
            last = now
            job.advance(done, message=phase)

    return report


def _checked(
    record: ListImport, progress: Callable[[int], None], headers: dict[str, str] | None = None
) -> Iterator[ParsedRow]:
    """Each row of the file, checked, then what needs the database (regions and movements): one
    row at a time, with its errors. Raises FileRejected at the first row asked for. `headers`:
    filled with the file's own header of each column (`check_list_file`)."""
    with record.file.open("rb") as f:
        data = f.read()
    rows = check_list_file(
        data,
        record.filename,
        today=timezone.localdate(),
        max_bytes=settings.DDR_IMPORT_MAX_BYTES,
        headers=headers,
    )
    regions: dict[str, Region] = {}
    for known in Region.objects.all():
        regions[name_key(known.name)] = known
        regions[known.code.lower()] = known
    movements: dict[str, ArmedGroup] = {}
    for group in ArmedGroup.objects.all():
        movements[name_key(group.code)] = group
        movements[name_key(group.name)] = group
    # Each spelling is folded once: a list repeats the same few.
    region_of: dict[str, Region | None] = {}
    movement_of: dict[str, ArmedGroup | None] = {"": record.movement}
    for total, row in enumerate(rows, start=1):
        written = row.values["region"]
        if written not in region_of:
            region_of[written] = regions.get(name_key(written))
        region = region_of[written]
        written = row.values["movement"]
        if written not in movement_of:
            movement_of[written] = movements.get(name_key(written))
        movement = movement_of[written]
        if region is None and row.values["region"]:
            row.errors.append(
                RowError(row.line, "region", _("Unknown region %(value)r.") % {"value": row.values["region"]})
            )
        if movement is None:
            row.errors.append(
                RowError(
                    row.line, "movement", _("Unknown movement %(value)r.") % {"value": row.values["movement"]}
                )
            )
        if not row.errors:
            if region is None or movement is None:  # unreachable: both are reported as errors above
                raise AssertionError(row.line)
            row.values.update(region_id=region.pk, region_code=region.code, movement_id=movement.pk)
        if total % 1000 == 0:
            progress(total)
        yield row


@dataclass
class _Check:
    """What checking a file found: its rows, the first errors (DDR_IMPORT_MAX_ERRORS, in line and
    column order) and how many there were in all."""

    total: int = 0
    valid: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)
    error_count: int = 0
    # Not errors, but the preview says so before anything is written: the lines of people under 18
    # (they become children's records) and the weapon serials declared on more than one line.
    children: list[int] = field(default_factory=list)
    serials: dict[str, list[int]] = field(default_factory=dict)

    def notices(self) -> dict[str, object]:
        twice = {serial: lines for serial, lines in self.serials.items() if len(lines) > 1}
        return {
            "children": len(self.children),
            "children_lines": self.children[:NOTICE_LINES],
            "serials_twice": [[serial, lines[:NOTICE_LINES]] for serial, lines in list(twice.items())[:20]],
            "serials_twice_count": len(twice),
        }


NOTICE_LINES = 20  # lines named in the preview for each notice; the count says how many in all


def _check(
    record: ListImport, progress: Callable[[int], None], staged: IO[bytes], kept: list[ParsedRow] | None
) -> _Check:
    """Check the file, writing its rows as phase 2 reads them (`commit.STAGED`) into `staged`
    until the first error, and keeping them in `kept` if given. Raises FileRejected."""
    today = timezone.localdate()
    text = io.TextIOWrapper(staged, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    limit = settings.DDR_IMPORT_MAX_ERRORS
    found = _Check()
    headers: dict[str, str] = {}  # an error names the column as the file does ("Né le", not "birth")
    try:
        for row in _checked(record, progress, headers):
            found.total += 1
            if row.errors:
                found.error_count += len(row.errors)
                for e in sorted(row.errors, key=lambda e: e.column)[: limit - len(found.errors)]:
                    found.errors.append(error(e.line, headers.get(e.column, e.column), e.reason))
                continue
            found.valid += 1
            if commit.is_child_row(row.values, today=today):
                found.children.append(row.line)
            if serial := row.values.get("weapon_serial", "").strip().upper():
                found.serials.setdefault(serial, []).append(row.line)
            if not found.error_count:  # a file with errors is not kept
                writer.writerow(commit.staged_row(row, today=today))
            if kept is not None:
                kept.append(row)
    finally:
        text.flush()
        text.detach()  # `staged` stays open, for its caller
    return found


def _discard_files(record: ListImport) -> None:
    """A refused or failed import keeps no copy of the file: the page says nothing was kept."""
    for stored in (record.file, record.checked_rows):
        if stored:
            stored.delete(save=False)
    ListImport.objects.filter(pk=record.pk).update(file="", checked_rows="")


def _failed(record: ListImport, message: str) -> None:
    ListImport.objects.filter(pk=record.pk).update(status=ListImport.Status.FAILED, message=message)
    _discard_files(record)


def list_import_validate(*, import_id: int) -> ListImport:
    """Phase 1: check every row and prepare the preview. Writes nothing to the register."""
    record = ListImport.objects.select_related("job", "previous", "created_by").get(pk=import_id)
    if record.status != ListImport.Status.VALIDATING:
        return record  # a task delivered twice does nothing the second time
    job = record.job
    if not job.start(message=_("Checking the file")):
        return record  # its job has finished meanwhile (failed): nothing left to do
    with job_failure(job.pk, lambda message: _failed(record, message)):
        return _validate(record, job)
    raise AssertionError("unreachable")  # job_failure re-raises


def _validate(record: ListImport, job: Job) -> ListImport:
    # The preview compares the rows with the previous version: only then are they kept.
    kept: list[ParsedRow] | None = [] if record.previous else None
    with tempfile.TemporaryFile() as staged:
        try:
            found = _check(record, _progress(job, _("Checking the file")), staged, kept)
        except FileRejected as exc:
            record.status, record.message = ListImport.Status.INVALID, str(exc)
            record.save(update_fields=["status", "message"])
            _discard_files(record)
            job.finish(str(exc))
            return record
        record.total_rows, record.valid_rows = found.total, found.valid
        record.errors, record.error_count = found.errors, found.error_count
        if not found.error_count:
            # Kept for phase 2, so the commit does not parse and check the same file again.
            staged.seek(0)
            record.checked_rows.save(f"{record.pk}.csv", File(staged), save=False)
    # Only those who may import see the preview, and it is prepared as the importer may see it.
    record.diff = {}
    if record.previous and kept is not None:
        record.diff = version_diff(record.previous, kept, user=record.created_by)
    record.diff["notices"] = found.notices()
    record.status = ListImport.Status.INVALID if found.error_count else ListImport.Status.READY
    record.message = ""
    record.save(
        update_fields=[
            "total_rows",
            "valid_rows",
            "errors",
            "error_count",
            "diff",
            "status",
            "message",
            "checked_rows",
        ]
    )
    if found.error_count:
        _discard_files(record)
    job.finish(done=found.total, total=found.total)
    return record


def list_import_queue_commit(*, record: ListImport, by: User) -> ListImport:
    if record.status != ListImport.Status.READY:
        raise ImportRejected(_("Only a checked file without errors can be imported."))
    from ddr.lists import tasks

    with transaction.atomic():
        job = Job.objects.create(kind="list_import_commit", created_by=by, total=record.total_rows)
        ListImport.objects.filter(pk=record.pk).update(status=ListImport.Status.COMMITTING, job=job)
        transaction.on_commit(lambda: tasks.list_import_commit.delay(record.pk))
    record.refresh_from_db()
    return record


def list_import_commit(*, import_id: int) -> ListImport:
    """Phase 2: write the list, its people, documents and weapons: all rows or none."""
    record = ListImport.objects.select_related("job", "previous", "created_by").get(pk=import_id)
    if record.status == ListImport.Status.COMMITTED:
        return record  # a task delivered twice does nothing the second time
    job = record.job
    if not job.start(total=record.total_rows):
        return record  # its job has finished meanwhile (failed): nothing left to do
    try:
        with tempfile.TemporaryFile() as checked:
            if record.checked_rows:
                with record.checked_rows.open("rb") as f:
                    for chunk in f.chunks():
                        checked.write(chunk)
            else:  # checked before the rows were kept: check again
                found = _check(record, _progress(job, _("Checking the file")), checked, None)
                if found.error_count:
                    raise ImportRejected(
                        _("The file has %(n)s errors; nothing was imported.") % {"n": found.error_count}
                    )
            checked.seek(0)
            total = record.total_rows
            job.advance(total // 2, message=_("Writing to the register"))
            with transaction.atomic():
                submitted = _write_list(record, checked)
                record.result, record.status, record.message = submitted, ListImport.Status.COMMITTED, ""
                record.save(update_fields=["result", "status", "message"])
    except Refused as exc:  # the file, or what it would write, is refused: nothing was imported
        _failed(record, str(exc))
        job.fail(str(exc))
        record.refresh_from_db()
        return record
    except OperationalError:
        raise  # the task retries it (core.tasks.JobTask); the import stays as it was
    except Exception as exc:
        log.exception("list import %s failed", record.pk)
        message = failure_message(
            exc, _("Unexpected error; nothing was imported. The administrators have the details.")
        )
        _failed(record, message)
        job.fail(message)
        raise
    job.finish(done=total, total=total)
    from ddr.duplicates.services import duplicates_queue

    duplicates_queue(by=record.created_by, submitted=record.result)  # every new list is checked
    return record


def _write_list(record: ListImport, checked: IO[bytes]) -> SubmittedList:
    by = record.created_by
    if SubmittedList.objects.filter(sha256=record.sha256).exists():
        raise ImportRejected(_("This file was already imported; nothing new."))
    staged = commit.stage_rows(checked)
    submitted = SubmittedList(
        title=record.title,
        movement=record.movement,
        submitted_to=record.submitted_to,
        submitted_on=record.submitted_on,
        certified_by=record.certified_by,
        version=(record.previous.version + 1) if record.previous else 1,
        previous=record.previous,
        status=SubmittedList.Status.RECEIVED,
        original_file=record.file.name,
        sha256=record.sha256,
        row_count=staged.count,
        created_by=by,
    )
    submitted._history_user = by  # type: ignore[attr-defined]
    submitted.save()
    # People already known (same registration number, or on the previous version) are linked, not re-created.
    commit.decide(staged, previous=record.previous, reserve=reserve_registration_sequence)
    commit.write(staged, submitted=submitted, by=by, today=timezone.localdate())
    if lines := commit.child_lines(staged):
        # The same separation as an age assessment: referral, 48-hour deadline, minimised record.
        on_list = ListEntry.objects.filter(submitted_list=submitted, line__in=lines)
        screening.children_separate(
            people=Combatant.objects.filter(pk__in=on_list.values("combatant_id")),
            by=by,
            reason=f"list import {submitted.pk}: child separated",
        )
    return submitted


# --- registration by hand -----------------------------------------------------------------


# --- armed groups and coalitions (master data kept in the browser) ---------------------------


@transaction.atomic
def armed_group_save(*, group: ArmedGroup | None, by: User, **values: Any) -> ArmedGroup:
    """A movement created or corrected: its dates, its UN listing, the group it split from."""
    group = group or ArmedGroup()
    split_from = values.get("split_from")
    refuse_on(split_problem(group.pk, split_from.pk if split_from else None), ListRefused)
    return record_save(group, by=by, values=values)


@transaction.atomic
def coalition_save(*, coalition: Coalition | None, by: User, **values: Any) -> Coalition:
    return record_save(coalition or Coalition(), by=by, values=values)


@transaction.atomic
def membership_save(
    *,
    membership: CoalitionMembership | None,
    group: ArmedGroup,
    coalition: Coalition,
    start: dt.date,
    by: User,
    end: dt.date | None = None,
    note: str = "",
) -> CoalitionMembership:
    """A group joins a coalition, or its membership is corrected or ended (never deleted: the
    lists of its past are read against it). One coalition at a time: the group's row is locked so
    two saves cannot both pass the overlap check."""
    ArmedGroup.objects.select_for_update().get(pk=group.pk)
    others = CoalitionMembership.objects.filter(group=group).select_related("coalition")
    if membership is not None:
        others = others.exclude(pk=membership.pk)
    periods = [(m.start, m.end, m.coalition.code) for m in others]
    refuse_on(membership_problem(start, end, periods), ListRefused)
    values = {"group": group, "coalition": coalition, "start": start, "end": end, "note": note}
    return record_save(membership or CoalitionMembership(), by=by, values=values)
