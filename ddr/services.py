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

from core.models import Job, Region
from core.tasks import failure_message, job_failure
from core.uploads import capped, megabytes

from . import list_commit, screening
from .imports import FileRejected, ParsedRow, RowError, parse_list_file
from .models import (
    ArmedGroup,
    Combatant,
    DeclaredWeapon,
    IdentityDocument,
    ListEntry,
    ListImport,
    RegistrationCounter,
    SubmittedList,
)
from .names import person_derive
from .rules import name_key, registration_number

log = logging.getLogger(__name__)


class ImportRejected(Exception):
    """The import cannot go ahead; the message says why. Nothing was saved."""


def reserve_registration_sequence(count: int) -> int:
    """Reserve `count` consecutive sequence numbers; returns the first. Safe under concurrency."""
    with transaction.atomic():
        RegistrationCounter.objects.get_or_create(name="registration")
        counter = RegistrationCounter.objects.select_for_update().get(name="registration")
        first = counter.value + 1
        counter.value += count
        counter.save(update_fields=["value"])
    return first


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
    by: Any,
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
    from . import tasks

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


def _snapshot(values: dict[str, Any]) -> dict[str, str]:
    return {
        "family_name": values["family_name"],
        "given_name": values["given_name"],
        "sex": values["sex"],
        "birth": str(values.get("birth_date") or values.get("birth_year") or ""),
        "region": values["region_code"],
        "category": values.get("category") or "",
        "rank": values.get("rank") or "",
    }


def version_diff(
    previous: SubmittedList, rows: list[ParsedRow], *, user: Any, sample: int = 100
) -> dict[str, Any]:
    """What a new version changes against the previous one: added, removed and changed people,
    as `user` may see them. A person of the previous version the user may not see (a child, for
    anyone but child protection) is never described: not removed, not changed, no name, sex, birth
    or region. A row that finds such a person is only counted, with its line in the user's own
    file, because it will be linked to that record at commit (never re-registered as somebody new,
    which would process a child as an adult)."""
    on_previous = list_commit.people_on(previous)
    visible = set(
        Combatant.objects.for_user(user)
        .filter(pk__in=[c.pk for c in on_previous.values()])
        .values_list("pk", flat=True)
    )
    old: dict[str, dict[str, Any]] = {}
    hidden: set[str] = set()
    for key, c in on_previous.items():
        if c.pk not in visible:
            hidden.add(key)
            continue
        old[key] = _snapshot(
            {
                "family_name": c.family_name,
                "given_name": c.given_name,
                "sex": c.sex,
                "birth_date": c.birth_date,
                "birth_year": c.birth_year,
                "region_code": c.region.code,
                "category": c.category,
                "rank": c.rank_in_movement,
            }
        ) | {"person": c.pk}
    new = {r.key: _snapshot(r.values) for r in rows}
    lines = {r.key: r.line for r in rows}
    # A row that becomes a child's record is counted, never named: the preview stays readable by
    # every importer (and after the commit) while the child's record is child protection's only.
    today = timezone.localdate()
    unnamed = {r.key for r in rows if list_commit.is_child_row(r.values, today=today)}
    hidden_lines = sorted(lines[k] for k in new if k in hidden)
    added = [k for k in new if k not in old and k not in hidden]
    removed = [k for k in old if k not in new]
    changed: list[dict[str, Any]] = []
    for key in new.keys() & old.keys():
        fields = {
            f: [old[key][f], new[key][f]] for f in new[key] if old[key][f] != new[key][f] and new[key][f]
        }
        if fields:
            changed.append(
                {
                    "key": key,
                    "person": old[key]["person"],
                    "name": f"{new[key]['family_name']} {new[key]['given_name']}",
                    "fields": fields,
                }
            )
    return {
        "previous": str(previous),
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed),
        "not_visible": len(hidden_lines),
        "not_visible_lines": hidden_lines[:sample],
        "added_sample": [new[k] for k in added if k not in unnamed][:sample],
        "removed_sample": [old[k] for k in removed[:sample]],
        "changed_sample": sorted(
            (c for c in changed if c["key"] not in unnamed), key=lambda c: str(c["name"])
        )[:sample],
    }


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
        staged = list_commit.dump(list_commit.staged_row(r, today=today) for r in rows)
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


def list_import_queue_commit(*, record: ListImport, by: Any) -> ListImport:
    if record.status != ListImport.Status.READY:
        raise ImportRejected(_("Only a checked file without errors can be imported."))
    from . import tasks

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
                rows, total = list_commit.load(f.read()), record.total_rows
        else:  # checked before the rows were kept: check again
            parsed, errors, total = _resolve(record, _progress(job, _("Checking the file")))
            today = timezone.localdate()
            rows = [list_commit.staged_row(r, today=today) for r in parsed]
        if errors:
            raise ImportRejected(_("The file has %(n)s errors; nothing was imported.") % {"n": len(errors)})
        job.advance(total // 2, message=_("Writing to the register"))
        with transaction.atomic():
            submitted = _write_list(record, rows)
            record.result, record.status, record.message = submitted, ListImport.Status.COMMITTED, ""
            record.save(update_fields=["result", "status", "message"])
    except (ImportRejected, FileRejected) as exc:
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
    from .dedup import duplicates_queue

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
    list_commit.decide(rows, previous=record.previous, reserve=reserve_registration_sequence)
    list_commit.write(rows, submitted=submitted, by=by, today=timezone.localdate())
    if lines := list_commit.child_lines(rows):
        # The same separation as an age assessment: referral, 48-hour deadline, minimised record.
        on_list = ListEntry.objects.filter(submitted_list=submitted, line__in=lines)
        screening.children_separate(
            people=Combatant.objects.filter(pk__in=on_list.values("combatant_id")),
            by=by,
            reason=f"list import {submitted.pk}: child separated",
        )
    return submitted


# --- registration by hand -----------------------------------------------------------------


@transaction.atomic
def combatant_register(
    *, person: Combatant, documents: list[IdentityDocument], weapons: list[DeclaredWeapon], by: Any
) -> Combatant:
    """Register one person with their documents and weapons (from the registration form)."""
    first = reserve_registration_sequence(1)
    person.registration_number = registration_number(person.region.code, first)
    person.registered_by = by
    person.has_weapon = person.has_weapon or bool(weapons)
    person_derive(person)
    person.full_clean()
    person._history_user = by  # type: ignore[attr-defined]
    person.save()
    items: list[IdentityDocument | DeclaredWeapon] = [*documents, *weapons]
    for item in items:
        item.combatant = person
        item._history_user = by  # type: ignore[union-attr]
        item.save()
    if screening.is_child_on_record(person):
        screening.children_separate(people=Combatant.objects.filter(pk=person.pk), by=by)
        person.refresh_from_db()
    return person
