"""Every write of the register: list imports and registration. Audited, atomic, set-based."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import save_audited
from core.errors import Refused
from core.models import Job, Region
from core.tasks import failure_message, job_failure
from core.uploads import FileRejected, capped, megabytes
from ddr.lists import commit
from ddr.lists.models import ArmedGroup, ListEntry, ListImport, SubmittedList
from ddr.lists.parse import ParsedRow, RowError, parse_list_file
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
def list_status_change(*, submitted: SubmittedList, status: str, by: User) -> SubmittedList:
    """A list received, accepted or disputed. A list held for review is accepted only once its
    duplicate pairs are decided."""
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
    save_audited(submitted, by, ["status"])
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
    def report(done: int) -> None:
        job.advance(done, message=phase)

    return report


def _resolve(
    record: ListImport, progress: Callable[[int], None]
) -> tuple[list[ParsedRow], list[RowError], int]:
    """Parse the file, then check what needs the database: regions and movements."""
    with record.file.open("rb") as f:
        data = f.read()
    parsed = parse_list_file(
        data,
        record.filename,
        today=timezone.localdate(),
        progress=progress,
        max_bytes=settings.DDR_IMPORT_MAX_BYTES,
    )
    regions: dict[str, Region] = {}
    for known in Region.objects.all():
        regions[name_key(known.name)] = known
        regions[known.code.lower()] = known
    movements: dict[str, ArmedGroup] = {}
    for group in ArmedGroup.objects.all():
        movements[name_key(group.code)] = group
        movements[name_key(group.name)] = group
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for row in parsed.rows:
        region = regions.get(name_key(row.values["region"]))
        movement = (
            movements.get(name_key(row.values["movement"])) if row.values["movement"] else record.movement
        )
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
        if row.errors:
            errors.extend(row.errors)
        else:
            if region is None or movement is None:  # unreachable: both are reported as errors above
                raise AssertionError(row.line)
            row.values.update(region_id=region.pk, region_code=region.code, movement_id=movement.pk)
            rows.append(row)
    errors.sort(key=lambda e: (e.line, e.column))
    return rows, errors, parsed.total


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
    try:
        rows, errors, total = _resolve(record, _progress(job, _("Checking the file")))
    except FileRejected as exc:
        record.status, record.message = ListImport.Status.INVALID, str(exc)
        record.save(update_fields=["status", "message"])
        _discard_files(record)
        job.finish(str(exc))
        return record
    record.total_rows, record.valid_rows = total, len(rows)
    record.errors, record.error_count = capped(asdict(e) for e in errors)
    if not errors:
        # Kept for phase 2, so the commit does not parse and check the same file again.
        today = timezone.localdate()
        staged = commit.dump(commit.staged_row(r, today=today) for r in rows)
        record.checked_rows.save(f"{record.pk}.csv", ContentFile(staged), save=False)
    # Only those who may import see the preview, and it is prepared as the importer may see it.
    record.diff = version_diff(record.previous, rows, user=record.created_by) if record.previous else {}
    record.status = ListImport.Status.INVALID if errors else ListImport.Status.READY
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
    if errors:
        _discard_files(record)
    job.finish(done=total, total=total)
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
        errors: list[RowError] = []
        if record.checked_rows:
            with record.checked_rows.open("rb") as f:
                rows, total = commit.load(f.read()), record.total_rows
        else:  # checked before the rows were kept: check again
            parsed, errors, total = _resolve(record, _progress(job, _("Checking the file")))
            today = timezone.localdate()
            rows = [commit.staged_row(r, today=today) for r in parsed]
        if errors:
            raise ImportRejected(_("The file has %(n)s errors; nothing was imported.") % {"n": len(errors)})
        job.advance(total // 2, message=_("Writing to the register"))
        with transaction.atomic():
            submitted = _write_list(record, rows)
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


def _write_list(record: ListImport, rows: list[list[Any]]) -> SubmittedList:
    by = record.created_by
    if SubmittedList.objects.filter(sha256=record.sha256).exists():
        raise ImportRejected(_("This file was already imported; nothing new."))
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
        row_count=len(rows),
        created_by=by,
    )
    submitted._history_user = by  # type: ignore[attr-defined]
    submitted.save()
    # People already known (same registration number, or on the previous version) are linked, not re-created.
    commit.decide(rows, previous=record.previous, reserve=reserve_registration_sequence)
    commit.write(rows, submitted=submitted, by=by, today=timezone.localdate())
    if lines := commit.child_lines(rows):
        # The same separation as an age assessment: referral, 48-hour deadline, minimised record.
        on_list = ListEntry.objects.filter(submitted_list=submitted, line__in=lines)
        screening.children_separate(
            people=Combatant.objects.filter(pk__in=on_list.values("combatant_id")),
            by=by,
            reason=f"list import {submitted.pk}: child separated",
        )
    return submitted


# --- registration by hand -----------------------------------------------------------------
