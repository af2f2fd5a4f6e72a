"""Every write of payments and distributions: batches (prepared, approved by another person,
cancelled, exported for the provider), the provider's statements reconciled, and hand-overs in
kind. Never twice: the database's constraints (one live line per entitlement, one distribution
per entitlement, four eyes) are the guarantee; these services check first so that a refusal says
why, and turn the constraint's error into the same refusal when two people race.

Set-based: a batch of any size is a constant number of statements (INSERT ... SELECT, UPDATE ...
FROM a staged table) on PostgreSQL, each writing its audit rows in the same statement; elsewhere
(SQLite, the quick start) the ORM's bulk path writes the same rows and history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from accounts.models import Role, User
from accounts.permissions import PAYMENT_APPROVER_ROLES, has_role
from core.audit import save_audited
from core.bulk import insert_from, insert_with_history, stage, with_history
from core.errors import Refused
from core.exports import log_read, to_csv, to_xlsx
from core.models import Job, Region
from core.tasks import job_failure
from core.uploads import FileRejected, capped, megabytes, read_table
from ddr.registration.benefit import MERGED, benefit_bar, benefit_refusal
from ddr.registration.models import Combatant
from ddr.reintegration.packages.models import Component, Delivery, Enrolment, Entitlement, Package
from ddr.reintegration.packages.services import enrolments_settle
from ddr.reintegration.payments import rules, selectors
from ddr.reintegration.payments.models import (
    Channel,
    Confirmation,
    Distribution,
    PaymentBatch,
    PaymentLine,
    Statement,
    StatementImport,
)

B, L, E = PaymentBatch.Status, PaymentLine.Status, Entitlement.State
M = TypeVar("M", bound=models.Model)
CHUNK = 5000  # SQLite's limit on bound parameters
REFERENCE = re.compile(r"^[A-Z0-9-]+$")
NOT_DIGIT = re.compile(r"\D")


class PaymentRefused(Refused):
    """The batch cannot be prepared, approved, cancelled or exported; the message says why.
    Nothing was changed."""


class StatementRefused(Refused):
    """The statement cannot be imported; the message says why. Nothing was changed."""

    field = "file"


class DistributionRefused(Refused):
    """The hand-over cannot be recorded; the message says why. Nothing was changed."""


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def _update_audited(queryset: models.QuerySet[M], values: dict[str, Any], *, by: User, reason: str) -> int:
    """UPDATE the rows of `queryset` to `values`, each with its "~" history row; returns how many.
    On PostgreSQL one statement writes both; elsewhere the ORM, a chunk at a time."""
    model = queryset.model
    if connection.vendor == "postgresql":
        ids_sql, ids_params = queryset.order_by().values("pk").query.sql_with_params()
        sets, set_params = [], []
        for name, value in values.items():
            field = model._meta.get_field(name)
            sets.append(f'"{field.column}" = %s')  # type: ignore[union-attr]
            set_params.append(field.get_db_prep_save(value, connection))  # type: ignore[union-attr]
        statement = (
            f'UPDATE "{model._meta.db_table}" SET {", ".join(sets)} '  # noqa: S608 - identifiers are ours
            f'WHERE "id" IN ({ids_sql})'
        )
        sql, history = with_history(model, statement, kind="~", user=by, reason=reason)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*set_params, *ids_params, *history])
            updated: int = cursor.rowcount
            return updated
    ids = list(queryset.values_list("pk", flat=True))
    for chunk in _chunks(ids):
        model._default_manager.filter(pk__in=chunk).update(**values)
        model.history.bulk_history_create(  # type: ignore[attr-defined]
            list(model._default_manager.filter(pk__in=chunk)),
            batch_size=500,
            update=True,
            default_user=by,
            default_change_reason=reason[:100],
        )
    return len(ids)


# --- batches ------------------------------------------------------------------------------


def _batch_reference(on: dt.date) -> str:
    """LOT-yymmdd-XXXXXX: short enough for a provider's reference field with a line number."""
    return f"LOT-{on:%y%m%d}-{secrets.token_hex(3).upper()}"


def line_reference_sql(batch_reference: str, number: str) -> str:
    """The SQL of a line's reference: the batch's, a dash, the line's number on six digits or more."""
    if not REFERENCE.match(batch_reference):
        raise ValueError(batch_reference)
    return f"'{batch_reference}-' || lpad({number}::text, greatest(6, length({number}::text)), '0')"


def line_reference(batch_reference: str, number: int) -> str:
    return f"{batch_reference}-{number:06d}"


@dataclass
class _Picked:
    count: int
    total: int
    rows: list[tuple[int, int, int]]  # (entitlement, person, amount), ORM path only


PICK = "ddr_batch_pick"


def _pick(entitlements: models.QuerySet[Entitlement]) -> _Picked:
    """The entitlements the batch will pay, fixed for the rest of the transaction: on PostgreSQL
    a temporary table numbered in id order (nothing comes back to Python), elsewhere a list."""
    ordered = entitlements.order_by("pk").values_list("pk", "combatant_id", "amount_xof")
    if connection.vendor != "postgresql":
        rows = list(ordered)
        return _Picked(len(rows), sum(r[2] for r in rows), rows)
    sql, params = ordered.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{PICK}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {PICK} ON COMMIT DROP AS "  # noqa: S608 - ours
            "SELECT row_number() OVER (ORDER BY pick_id) AS n, pick_id, pick_person, pick_amount "
            f"FROM ({sql}) AS picked (pick_id, pick_person, pick_amount)",
            params,
        )
        cursor.execute(f"SELECT count(*), coalesce(sum(pick_amount), 0) FROM {PICK}")  # noqa: S608
        count, total = cursor.fetchone()
    return _Picked(int(count), int(total), [])


def _write_lines(batch: PaymentBatch, picked: _Picked, *, by: User) -> int:
    """One waiting line per picked entitlement (audited), and the entitlements "in a batch"."""
    reason = f"batch {batch.reference}"
    if connection.vendor == "postgresql":
        columns = {
            "batch_id": str(int(batch.pk)),
            "entitlement_id": "pick_id",
            "combatant_id": "pick_person",
            "reference": line_reference_sql(batch.reference, "n"),
            "amount_xof": "pick_amount",
        }
        insert_from(PaymentLine, columns, source=PICK, user=by, reason=reason)
        picked_ids = Entitlement.objects.filter(pk__in=RawSQL(f"SELECT pick_id FROM {PICK}", ()))  # noqa: S608, S611
    else:
        lines = [
            {
                "batch_id": batch.pk,
                "entitlement_id": entitlement,
                "combatant_id": person,
                "reference": line_reference(batch.reference, n),
                "amount_xof": amount,
            }
            for n, (entitlement, person, amount) in enumerate(picked.rows, start=1)
        ]
        insert_with_history(PaymentLine, lines, user=by, reason=reason)
        picked_ids = Entitlement.objects.filter(pk__in=[r[0] for r in picked.rows])
    return _update_audited(picked_ids.filter(state=E.DUE), {"state": E.IN_BATCH}, by=by, reason=reason)


RACE = gettext_lazy(
    "Some of these entitlements were put in another batch at the same moment; nothing was prepared. "
    "Prepare the batch again."
)


def batch_prepare(
    *,
    by: User,
    region: Region | None = None,
    package: Package | None = None,
    component_kind: str = "",
    due_by: dt.date,
    channel: str,
    provider: str,
) -> PaymentBatch:
    """A batch of every due cash entitlement the filters select in `by`'s scope: one waiting line
    each, under a unique reference. For mobile money, only people with a number are paid (the
    others are counted in the batch's criteria). A regional officer's batch is their region's."""
    if channel not in Channel.values:
        raise PaymentRefused(_("Unknown payment channel."), "channel")
    if not provider.strip():
        raise PaymentRefused(_("Name the payment provider."), "provider")
    if component_kind and component_kind not in Component.Kind.values:
        raise PaymentRefused(_("Unknown component type."), "component_kind")
    if by.role == Role.REGIONAL_OFFICER:
        if region is not None and region.pk != by.region_id:
            raise PaymentRefused(_("You prepare batches for your own region only."), "region")
        region = by.region
    try:
        with transaction.atomic():
            return _prepare(
                by=by,
                region=region,
                package=package,
                component_kind=component_kind,
                due_by=due_by,
                channel=channel,
                provider=provider.strip(),
            )
    except IntegrityError as exc:  # one live line per entitlement: another batch took some first
        raise PaymentRefused(str(RACE)) from exc


def _prepare(
    *,
    by: User,
    region: Region | None,
    package: Package | None,
    component_kind: str,
    due_by: dt.date,
    channel: str,
    provider: str,
) -> PaymentBatch:
    from ddr.accountability.appeals.selectors import payment_held_people

    due = selectors.due_cash(by, due_by=due_by, region=region, package=package, component_kind=component_kind)
    # A contested merge or pathway is not paid against while its appeal is open: held, and counted.
    held_by_appeal = due.filter(combatant__in=payment_held_people()).count()
    due = due.exclude(combatant__in=payment_held_people())
    payable = selectors.with_mobile_money(due) if channel == Channel.MOBILE_MONEY else due
    picked = _pick(payable)
    without_number = due.count() - picked.count if channel == Channel.MOBILE_MONEY else 0
    if not picked.count and held_by_appeal and not without_number:
        raise PaymentRefused(
            _(
                "Nothing to pay: the %(n)s entitlements due are held by open appeals "
                "(a contested merge or pathway)."
            )
            % {"n": held_by_appeal}
        )
    if not picked.count:
        if without_number:
            raise PaymentRefused(
                _(
                    "%(n)s entitlements are due, but none of their people has a mobile-money number: "
                    "record the numbers in their profiles, or pay in cash through a partner."
                )
                % {"n": without_number}
            )
        raise PaymentRefused(
            _("Nothing to pay: no cash entitlement is due by %(date)s for these filters.")
            % {"date": due_by.strftime("%d/%m/%Y")}
        )
    criteria = {
        "region": region.name if region else "",
        "package": str(package) if package else "",
        "component_kind": component_kind,
        "due_by": due_by.isoformat(),
        "without_number": without_number,
        "held_by_appeal": held_by_appeal,
    }
    batch = PaymentBatch(
        reference=_batch_reference(timezone.localdate()),
        channel=channel,
        provider=provider[:200],
        criteria=criteria,
        region=region,
        line_count=picked.count,
        total_xof=picked.total,
        prepared_by=by,
    )
    batch._history_user = by  # type: ignore[attr-defined]
    batch.save()
    if _write_lines(batch, picked, by=by) != picked.count:
        raise PaymentRefused(str(RACE))  # an entitlement changed state meanwhile: all or nothing
    return batch


def batch_approve(*, batch: PaymentBatch, by: User) -> PaymentBatch:
    """Approved by national staff who did not prepare it (four eyes, also a database constraint)."""
    if not has_role(by, PAYMENT_APPROVER_ROLES):
        raise PaymentRefused(_("Only national staff approve payment batches."))
    try:
        with transaction.atomic():
            batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.status != B.PREPARED:
                raise PaymentRefused(_("Only a batch waiting for approval can be approved."))
            if refusal := rules.four_eyes_refusal(prepared_by_id=batch.prepared_by_id, approver_id=by.pk):
                raise PaymentRefused(refusal)
            batch.status, batch.approved_by, batch.approved_at = B.APPROVED, by, timezone.now()
            save_audited(batch, by, ["status", "approved_by", "approved_at"])
            return batch
    except IntegrityError as exc:  # payment_batch_four_eyes
        raise PaymentRefused(rules.four_eyes_refusal(prepared_by_id=by.pk, approver_id=by.pk)) from exc


@transaction.atomic
def batch_cancel(*, batch: PaymentBatch, by: User) -> PaymentBatch:
    """A batch not yet sent to the provider is cancelled: its lines withdrawn, their entitlements
    due again (a later batch may pay them). By its preparer or national staff."""
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (B.PREPARED, B.APPROVED):
        raise PaymentRefused(
            _(
                "A batch sent to the provider cannot be cancelled: import the provider's statement; "
                "lines not paid come back as failed or returned."
            )
        )
    if batch.prepared_by_id != by.pk and not has_role(by, PAYMENT_APPROVER_ROLES):
        raise PaymentRefused(_("Only the preparer or national staff may cancel a batch."))
    reason = f"batch {batch.reference} cancelled"
    waiting = PaymentLine.objects.filter(batch=batch, status=L.WAITING)
    entitlements = Entitlement.objects.filter(pk__in=waiting.values("entitlement_id"), state=E.IN_BATCH)
    _update_audited(entitlements, {"state": E.DUE}, by=by, reason=reason)
    _update_audited(waiting, {"status": L.WITHDRAWN}, by=by, reason=reason)
    batch.status = B.CANCELLED
    save_audited(batch, by, ["status"], reason)
    return batch


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    filename: str
    content_type: str


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@transaction.atomic
def batch_export(*, batch: PaymentBatch, fmt: str, by: User) -> ExportFile:
    """The provider's file: one row per line (reference, amount, XOF, mobile-money number or
    registration number, name). An approved batch is then "sent to the provider"; it can be
    downloaded again until its statement comes back. Logged as a bulk read of identifying data."""
    if fmt not in ("csv", "xlsx"):
        raise PaymentRefused(_("Export as CSV or XLSX."))
    if not has_role(by, PAYMENT_APPROVER_ROLES):
        raise PaymentRefused(_("Only national staff send payment batches to the provider."))
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (B.APPROVED, B.EXPORTED):
        raise PaymentRefused(_("Only an approved batch can be sent to the provider."))
    mobile = batch.channel == Channel.MOBILE_MONEY
    lines = (
        PaymentLine.objects.filter(batch=batch)
        .exclude(status=L.WITHDRAWN)
        .order_by("reference")
        .values_list(
            "reference",
            "amount_xof",
            "combatant__profile__mobile_money" if mobile else "combatant__registration_number",
            "combatant__family_name",
            "combatant__given_name",
        )
    )
    header = ["reference", "amount", "currency", "mobile_money" if mobile else "registration_number", "name"]
    # A number is written as its digits (country code first, no "+"): what providers read, and
    # nothing a spreadsheet would take for a formula.
    rows = [
        [
            ref,
            amount,
            rules.CURRENCY,
            NOT_DIGIT.sub("", account or "") if mobile else account,
            f"{family} {given}",
        ]
        for ref, amount, account, family, given in lines
    ]
    sheet = (batch.reference if fmt == "xlsx" else "", header, rows)
    data = to_xlsx([sheet]) if fmt == "xlsx" else to_csv([sheet])
    purpose = _("Payment batch %(batch)s sent to %(provider)s") % {
        "batch": batch.reference,
        "provider": batch.provider,
    }
    log_read(
        by,
        f"payment-batch:{batch.reference}",
        fmt,
        f"batch={batch.reference}",
        purpose,
        True,
        len(rows),
        data,
    )
    if batch.status == B.APPROVED:
        batch.status, batch.exported_at = B.EXPORTED, timezone.now()
        save_audited(batch, by, ["status", "exported_at"])
    return ExportFile(
        data, f"{batch.reference}.{fmt}", XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    )


# --- statements -----------------------------------------------------------------------------


def statement_check(
    *, batch: PaymentBatch, data: bytes, filename: str
) -> tuple[rules.StatementCheck, dict[str, rules.LineFacts]]:
    """Every line of a statement against the batch (and the other batches, for references that
    are not this one's): the errors, each with its line, and the good rows. Reads only.
    Raises FileRejected when the file as a whole cannot be read."""
    rows = read_table(data, filename, max_bytes=settings.DDR_IMPORT_MAX_BYTES)
    lines = {
        reference: rules.LineFacts(pk, entitlement, enrolment, amount, status)
        for reference, pk, entitlement, enrolment, amount, status in PaymentLine.objects.filter(
            batch=batch
        ).values_list(
            "reference", "pk", "entitlement_id", "entitlement__enrolment_id", "amount_xof", "status"
        )
    }
    prepared_on = timezone.localdate(batch.prepared_at)
    check = rules.check_statement(rows, lines, prepared_on=prepared_on, today=timezone.localdate())
    if check.unknown:
        elsewhere: dict[str, str] = {}
        for chunk in _chunks(list(check.unknown)):
            elsewhere.update(
                PaymentLine.objects.filter(reference__in=chunk)
                .exclude(batch=batch)
                .values_list("reference", "batch__reference")
            )
        check.errors += rules.foreign_reference_errors(check.unknown, elsewhere)
        check.errors.sort(key=lambda e: (e["line"], e["column"]))
    if not check.total:
        raise FileRejected(_("The statement has no lines."))
    return check, lines


def statement_import_start(*, batch: PaymentBatch, data: bytes, filename: str, by: User) -> StatementImport:
    """Keep the statement and queue its check and reconciliation on the worker."""
    if not has_role(by, PAYMENT_APPROVER_ROLES):
        raise StatementRefused(_("Only national staff import the provider's statements."))
    batch = PaymentBatch.objects.get(pk=batch.pk)
    if batch.status != B.EXPORTED:
        raise StatementRefused(_("Only a batch sent to the provider, not yet reconciled, takes a statement."))
    if len(data) > settings.DDR_IMPORT_MAX_BYTES:
        raise StatementRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": megabytes(settings.DDR_IMPORT_MAX_BYTES)}
        )
    if not data.strip():
        raise StatementRefused(_("The file is empty."))
    sha = hashlib.sha256(data).hexdigest()
    if Statement.objects.filter(batch=batch, sha256=sha).exists():
        raise StatementRefused(_("This statement was already imported for this batch; nothing new."))
    from ddr.reintegration.payments import tasks

    with transaction.atomic():
        job = Job.objects.create(kind="payment_statement", created_by=by)
        record = StatementImport.objects.create(
            batch=batch,
            job=job,
            file=ContentFile(data, name=filename),
            file_name=filename[:200],
            sha256=sha,
            created_by=by,
        )
        transaction.on_commit(lambda: tasks.statement_import.delay(record.pk))
    return record


def _discard_file(record: StatementImport) -> None:
    if record.file:
        record.file.delete(save=False)
    StatementImport.objects.filter(pk=record.pk).update(file="")


def _statement_failed(record: StatementImport, message: str) -> None:
    StatementImport.objects.filter(pk=record.pk).update(status=StatementImport.Status.FAILED, message=message)
    _discard_file(record)


def _refuse(
    record: StatementImport, job: Job, message: str, errors: list[dict[str, Any]] | None = None
) -> StatementImport:
    record.status, record.message = StatementImport.Status.REFUSED, message
    record.errors, record.error_count = capped(errors or [])
    record.save(update_fields=["status", "message", "errors", "error_count", "total_rows"])
    _discard_file(record)
    job.finish(message, done=record.total_rows, total=record.total_rows)
    return record


def statement_import(*, import_id: int) -> StatementImport:
    """Check every line of the statement, then reconcile it, all or nothing: a single bad line
    refuses the file (every bad line named with its line number), and nothing changes.
    A task delivered twice does nothing the second time."""
    record = StatementImport.objects.select_related("job", "batch", "created_by").get(pk=import_id)
    if record.status != StatementImport.Status.CHECKING:
        return record
    job = record.job
    if not job.start(message=_("Checking the statement")):
        return record
    with job_failure(job.pk, lambda message: _statement_failed(record, message)):
        return _statement_run(record, job)
    raise AssertionError("unreachable")  # job_failure re-raises


def _statement_run(record: StatementImport, job: Job) -> StatementImport:
    with record.file.open("rb") as f:
        data = f.read()
    try:
        check, lines = statement_check(batch=record.batch, data=data, filename=record.file_name)
    except FileRejected as exc:
        return _refuse(record, job, str(exc))
    record.total_rows = check.total
    if check.errors:
        message = _(
            "%(n)s errors in the statement: nothing was changed. Correct them and import it again."
        ) % {"n": len(check.errors)}
        return _refuse(record, job, message, check.errors)
    job.advance(check.total // 2, total=check.total, message=_("Reconciling"))
    try:
        with transaction.atomic():
            statement = _reconcile(record, check)
    except Refused as exc:
        return _refuse(record, job, str(exc))
    missing = len(rules.missing_lines(lines, check))
    counts = check.counts()
    message = _(
        "%(paid)s paid, %(failed)s failed, %(returned)s returned; "
        "%(missing)s lines of the batch not in the statement."
    ) % {
        "paid": counts[rules.PAID],
        "failed": counts[rules.FAILED],
        "returned": counts[rules.RETURNED],
        "missing": missing,
    }
    record.status, record.statement, record.message = StatementImport.Status.IMPORTED, statement, message
    record.save(update_fields=["status", "statement", "message", "total_rows"])
    job.finish(message, done=check.total, total=check.total)
    return record


def _reconcile(record: StatementImport, check: rules.StatementCheck) -> Statement:
    by = record.created_by
    batch = PaymentBatch.objects.select_for_update().get(pk=record.batch_id)
    if batch.status != B.EXPORTED:
        raise StatementRefused(_("Only a batch sent to the provider, not yet reconciled, takes a statement."))
    if Statement.objects.filter(batch=batch, sha256=record.sha256).exists():
        raise StatementRefused(_("This statement was already imported for this batch; nothing new."))
    counts = check.counts()
    statement = Statement(
        batch=batch,
        file_name=record.file_name,
        sha256=record.sha256,
        paid=counts[rules.PAID],
        failed=counts[rules.FAILED],
        returned=counts[rules.RETURNED],
        imported_by=by,
        job=record.job,
    )
    statement._history_user = by  # type: ignore[attr-defined]
    statement.save()
    reason = f"statement {statement.pk} of batch {batch.reference}"
    if _settle(statement, check.rows, by=by, reason=reason) != len(check.rows):
        raise StatementRefused(
            _("The batch changed while the statement was checked; nothing was changed. Import it again.")
        )
    if not PaymentLine.objects.filter(batch=batch, status=L.WAITING).exists():
        batch.status = B.RECONCILED
        save_audited(batch, by, ["status"], reason)
    enrolments_settle(enrolment_ids=_completed_enrolments(check.rows), by=by, reason=reason)
    return statement


def _completed_enrolments(rows: list[rules.StatementRow]) -> list[int]:
    """The enrolments a paid line may have completed: nothing of theirs is left due or in a
    batch. Usually none (a tranche is paid, others follow), so the settling that follows reads
    only those; on PostgreSQL, from the staged statement in one query."""
    if connection.vendor != "postgresql":
        return sorted({row.enrolment_id for row in rows if row.status == rules.PAID})
    paid = Entitlement.objects.filter(
        pk__in=RawSQL("SELECT ent_id FROM ddr_statement_row WHERE new_status = %s", (rules.PAID,))
    )
    still_open = Entitlement.objects.filter(enrolment=OuterRef("pk"), state__in=[E.DUE, E.IN_BATCH])
    completed = Enrolment.objects.filter(pk__in=paid.values("enrolment_id"), status=Enrolment.Status.ACTIVE)
    return list(completed.exclude(Exists(still_open)).values_list("pk", flat=True))


STAGED = (
    ("line_id", "bigint"),
    ("ent_id", "bigint"),
    ("new_status", "text"),
    ("new_paid_on", "date"),
    ("new_reference", "text"),
)


def _settle(statement: Statement, rows: list[rules.StatementRow], *, by: User, reason: str) -> int:
    """The statement's lines paid, failed or returned, and their entitlements paid or due again,
    every row audited. Returns how many lines and entitlements were written (the smaller: both
    must be every row, or the batch changed meanwhile)."""
    if connection.vendor != "postgresql":
        return _settle_orm(statement, rows, by=by, reason=reason)
    stage(
        "ddr_statement_row",
        STAGED,
        ((r.line_id, r.entitlement_id, r.status, r.paid_on, r.provider_reference) for r in rows),
    )
    lines_sql, lines_history = with_history(
        PaymentLine,
        'UPDATE "ddr_paymentline" SET "status" = s.new_status, "paid_on" = s.new_paid_on, '
        '"provider_reference" = s.new_reference, "statement_id" = %s FROM ddr_statement_row s '
        'WHERE "ddr_paymentline"."id" = s.line_id AND "ddr_paymentline"."status" = \'waiting\'',
        kind="~",
        user=by,
        reason=reason,
    )
    entitlements_sql, entitlements_history = with_history(
        Entitlement,
        'UPDATE "ddr_entitlement" SET "state" = CASE WHEN s.new_status = %s THEN %s ELSE %s END, '
        '"settled_on" = s.new_paid_on FROM ddr_statement_row s '
        'WHERE "ddr_entitlement"."id" = s.ent_id AND "ddr_entitlement"."state" = %s',
        kind="~",
        user=by,
        reason=reason,
    )
    with connection.cursor() as cursor:
        cursor.execute(lines_sql, [statement.pk, *lines_history])
        lines: int = cursor.rowcount
        cursor.execute(entitlements_sql, [rules.PAID, E.PAID, E.DUE, E.IN_BATCH, *entitlements_history])
        entitlements: int = cursor.rowcount
    return min(lines, entitlements)


def _settle_orm(statement: Statement, rows: list[rules.StatementRow], *, by: User, reason: str) -> int:
    by_line = {r.line_id: r for r in rows}
    by_entitlement = {r.entitlement_id: r for r in rows}
    lines: list[PaymentLine] = []
    entitlements: list[Entitlement] = []
    for chunk in _chunks(list(by_line)):
        lines += PaymentLine.objects.filter(pk__in=chunk, status=L.WAITING)
    for chunk in _chunks(list(by_entitlement)):
        entitlements += Entitlement.objects.filter(pk__in=chunk, state=E.IN_BATCH)
    for line in lines:
        row = by_line[line.pk]
        line.status, line.paid_on, line.provider_reference = row.status, row.paid_on, row.provider_reference
        line.statement = statement
    for entitlement in entitlements:
        row = by_entitlement[entitlement.pk]
        entitlement.state = E.PAID if row.status == rules.PAID else E.DUE
        entitlement.settled_on = row.paid_on
    fields = ["status", "paid_on", "provider_reference", "statement"]
    options: dict[str, Any] = {"batch_size": 500, "default_user": by, "default_change_reason": reason[:100]}
    bulk_update_with_history(lines, PaymentLine, fields, **options)
    bulk_update_with_history(entitlements, Entitlement, ["state", "settled_on"], **options)
    return min(len(lines), len(entitlements))


# --- distributions in kind ------------------------------------------------------------------


def _distribution_checks(entitlement: Entitlement, person_id: int, on: dt.date) -> str:
    """Why this entitlement cannot be handed over to this person on `on` ('' when it can)."""
    if entitlement.combatant_id != person_id:
        return _("This entitlement is not the card holder's.")
    if entitlement.component.delivery != Delivery.IN_KIND:
        return _("This entitlement is not given in kind: it is paid or delivered as a service.")
    if entitlement.state == E.DELIVERED:
        return _("Already handed over on %(date)s: an entitlement is handed over once.") % {
            "date": entitlement.settled_on.strftime("%d/%m/%Y") if entitlement.settled_on else "?"
        }
    if entitlement.state != E.DUE:
        return _("This entitlement is not due (%(state)s).") % {"state": entitlement.get_state_display()}
    if entitlement.enrolment.status != Enrolment.Status.ACTIVE:
        return _("The enrolment is no longer active (%(status)s).") % {
            "status": entitlement.enrolment.get_status_display()
        }
    if on < entitlement.enrolment.enrolled_on:
        return _("A hand-over cannot be dated before the enrolment (%(date)s).") % {
            "date": entitlement.enrolment.enrolled_on.strftime("%d/%m/%Y")
        }
    if on > timezone.localdate():
        return _("A hand-over cannot be dated in the future.")
    return ""


def card_refusal(token: str, by: User) -> tuple[Combatant | None, str]:
    """The person whose card holds `token` in `by`'s scope, and why nothing may be handed over to
    them ('' when it may). No person found is a refusal too."""
    person = selectors.person_for_token(token, by)
    if person is None:
        return None, _("No card with this token among the people with an entitlement in kind in your scope.")
    from ddr.accountability.appeals.selectors import payment_held

    refusal, kept = benefit_refusal(person), person.merged_into
    if refusal and kept is not None and benefit_bar(person) == MERGED:
        refusal += " " + _("Hand over on the card of %(kept)s.") % {"kept": kept.registration_number}
    if not refusal and payment_held(person.pk):
        refusal = _(
            "An open appeal (a contested merge or pathway) holds this person's entitlements: nothing is "
            "handed over until it is decided."
        )
    return person, refusal


def distribution_record(
    *,
    token: str,
    entitlement: Entitlement,
    place: str,
    confirmation: str,
    on: dt.date,
    by: User,
) -> Distribution:
    """Hand over an entitlement in kind to the holder of the card whose QR code holds `token`,
    with their confirmation; the entitlement is delivered (once: a database constraint), and
    the enrolment completed when nothing else is left."""
    person, refusal = card_refusal(token, by)
    if person is None or refusal:
        raise DistributionRefused(refusal, "token")
    if not place.strip():
        raise DistributionRefused(_("Name the site or event of the hand-over."), "place")
    if confirmation not in Confirmation.values:
        raise DistributionRefused(_("Say how the recipient confirmed."), "confirmation")
    try:
        with transaction.atomic():
            locked = (
                Entitlement.objects.select_for_update(of=("self",))
                .select_related("component", "enrolment")
                .get(pk=entitlement.pk)
            )
            if refusal := _distribution_checks(locked, person.pk, on):
                raise DistributionRefused(refusal, "entitlement")
            distribution = Distribution(
                entitlement=locked,
                combatant_id=person.pk,
                handed_over_on=on,
                place=place.strip()[:200],
                confirmation=confirmation,
                handed_over_by=by,
            )
            distribution._history_user = by  # type: ignore[attr-defined]
            distribution.save()
            locked.state, locked.settled_on = E.DELIVERED, on
            save_audited(locked, by, ["state", "settled_on"], "handed over")
            enrolments_settle(enrolment_ids=[locked.enrolment_id], by=by, reason="handed over")
            return distribution
    except IntegrityError as exc:  # one distribution per entitlement: someone recorded it first
        raise DistributionRefused(
            _("Already handed over: an entitlement is handed over once."), "entitlement"
        ) from exc
