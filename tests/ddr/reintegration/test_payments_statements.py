"""Reconciliation of the provider's statement: all or nothing, every bad line named; paid lines
settle their entitlements (and may complete the enrolment), failed ones come back as due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from ddr.models import Combatant, Enrolment, Entitlement, PaymentLine, Statement, StatementImport
from ddr.reintegration.payments import services
from ddr.reintegration.payments.services import StatementRefused

from .payments_setup import (
    all_paid,
    approver,
    cash_only_package,
    enrolled,
    exported,
    paid_on,
    statement_csv,
    states,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English here (French is the default), in French where it says so."""
    with translation.override("en"):
        yield


def run(batch: Any, data: bytes, by: Any, eager_tasks: Any, name: str = "releve.csv") -> StatementImport:
    with eager_tasks():
        record = services.statement_import_start(batch=batch, data=data, filename=name, by=by)
    record.refresh_from_db()
    return record


def reasons(record: StatementImport) -> list[tuple[int, str, str]]:
    return [(e["line"], e["column"], e["reason"]) for e in record.errors]


@pytest.fixture
def setting(commission_officer: Any) -> dict[str, Any]:
    people = enrolled(commission_officer, 3)
    checker = approver()
    return {"people": people, "checker": checker, "batch": exported(commission_officer, checker)}


def nothing_changed(setting: dict[str, Any]) -> None:
    batch = setting["batch"]
    assert set(batch.lines.values_list("status", flat=True)) == {"waiting"}
    assert states(setting["people"]) == ["in_batch", "due", "due"] * 3
    assert not Statement.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "exported"


def test_a_good_statement_reconciles_the_batch(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch, checker = setting["batch"], setting["checker"]
    rows = all_paid(batch)
    rows[1] = (*rows[1][:3], "failed", "", "")
    rows[2] = (*rows[2][:3], "returned", "", "OM-R")
    record = run(batch, statement_csv(rows), checker, eager_tasks)
    assert record.status == "imported", record.message
    assert record.job.status == "done" and record.job.percent == 100
    statement = record.statement
    assert (statement.paid, statement.failed, statement.returned) == (1, 1, 1)
    lines = list(batch.lines.order_by("reference"))
    assert [line.status for line in lines] == ["paid", "failed", "returned"]
    assert lines[0].paid_on == paid_on() and lines[0].provider_reference == rows[0][5]
    assert all(line.statement == statement for line in lines)
    first, second, third = (list(p.entitlements.order_by("pk")) for p in setting["people"])
    assert (first[0].state, first[0].settled_on) == ("paid", paid_on())
    assert (second[0].state, second[0].settled_on) == ("due", None)
    assert third[0].state == "due"
    batch.refresh_from_db()
    assert batch.status == "reconciled"
    assert PaymentLine.history.filter(history_type="~", history_user=checker).count() == 3


def test_failed_lines_go_into_a_later_batch(
    setting: dict[str, Any], eager_tasks: Any, commission_officer: Any
) -> None:
    batch, checker = setting["batch"], setting["checker"]
    rows = [(*row[:3], "failed", "", "") for row in all_paid(batch)]
    assert run(batch, statement_csv(rows), checker, eager_tasks).status == "imported"
    later = exported(commission_officer, checker)
    assert later.line_count == 3
    assert set(later.lines.values_list("entitlement_id", flat=True)) == set(
        batch.lines.values_list("entitlement_id", flat=True)
    )


def test_lines_not_in_the_statement_stay_waiting(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch, checker = setting["batch"], setting["checker"]
    rows = all_paid(batch)
    record = run(batch, statement_csv(rows[:2]), checker, eager_tasks)
    assert record.status == "imported" and "1 lines of the batch not in the statement" in record.message
    batch.refresh_from_db()
    assert batch.status == "exported"  # a line is still waiting: the next statement gives it
    assert list(batch.lines.filter(status="waiting").values_list("reference", flat=True)) == [rows[2][0]]
    again = run(batch, statement_csv(rows[2:]), checker, eager_tasks, name="releve-2.csv")
    assert again.status == "imported"
    batch.refresh_from_db()
    assert batch.status == "reconciled"


def test_every_bad_line_is_named_and_nothing_changes(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch, checker = setting["batch"], setting["checker"]
    rows = all_paid(batch)
    bad = [
        rows[0],
        (
            "LOT-000000-XXXXXX-000001",
            75000,
            "XOF",
            "paid",
            paid_on().strftime("%d/%m/%Y"),
            "x",
        ),  # line 3: unknown
        (rows[1][0], 80000, "XOF", "paid", paid_on().strftime("%d/%m/%Y"), "y"),  # line 4: wrong amount
        rows[0],  # line 5: duplicated
        (rows[2][0], 75000, "EUR", "paid", paid_on().strftime("%d/%m/%Y"), "z"),  # line 6: other currency
    ]
    record = run(batch, statement_csv(bad), checker, eager_tasks)
    assert record.status == "refused" and record.error_count == 4
    assert reasons(record) == [
        (3, "reference", "Unknown reference 'LOT-000000-XXXXXX-000001'."),
        (4, "amount", "Amount 80 000 differs from the batch's 75 000 for this reference."),
        (5, "reference", f"Reference {rows[0][0]} is repeated: it is already on line 2."),
        (6, "currency", "Currency 'EUR': only XOF is paid."),
    ]
    assert "nothing was changed" in record.message and record.job.status == "done"
    assert not record.file  # a refused file is not kept
    nothing_changed(setting)


def test_bad_status_date_and_amount_are_named(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch, checker = setting["batch"], setting["checker"]
    rows = all_paid(batch)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    bad = [
        (rows[0][0], "75 000", "xof", "perdu", paid_on().strftime("%d/%m/%Y"), ""),
        (rows[1][0], "soixante", "XOF", "paid", "31/02/2024", ""),
        (rows[2][0], "75000.00", "XOF", "paid", future, ""),
    ]
    record = run(batch, statement_csv(bad), checker, eager_tasks)
    assert [(line, column) for line, column, _ in reasons(record)] == [
        (2, "status"),
        (3, "amount"),
        (3, "paid_on"),
        (4, "paid_on"),
    ]
    nothing_changed(setting)


def test_a_payment_dated_before_the_batch_is_refused(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch = setting["batch"]
    rows = all_paid(batch)
    rows[0] = (*rows[0][:4], "31/12/2019", "")
    record = run(batch, statement_csv(rows), setting["checker"], eager_tasks)
    prepared = timezone.localdate(batch.prepared_at).strftime("%d/%m/%Y")
    assert reasons(record) == [(2, "paid_on", f"The date is before the batch was prepared ({prepared}).")]


def test_a_paid_line_without_date_is_refused(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch = setting["batch"]
    rows = all_paid(batch)
    rows[0] = (*rows[0][:4], "", "")
    record = run(batch, statement_csv(rows), setting["checker"], eager_tasks)
    assert reasons(record) == [(2, "paid_on", "A paid line needs the date of payment.")]


def test_a_reference_of_another_batch_is_named(
    setting: dict[str, Any], eager_tasks: Any, commission_officer: Any
) -> None:
    other_people = enrolled(commission_officer, 1)
    other = exported(commission_officer, setting["checker"])
    assert other.lines.get().combatant == other_people[0]
    rows = all_paid(setting["batch"]) + all_paid(other)
    record = run(setting["batch"], statement_csv(rows), setting["checker"], eager_tasks)
    assert reasons(record) == [
        (5, "reference", f"Reference '{rows[3][0]}' belongs to another batch ({other.reference}).")
    ]
    nothing_changed(setting)


def test_missing_columns_and_empty_files_are_refused_whole(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch, checker = setting["batch"], setting["checker"]
    record = run(
        batch, statement_csv(all_paid(batch), header="reference;amount;status"), checker, eager_tasks
    )
    assert (
        record.status == "refused"
        and "Missing columns: currency, paid_on, provider_reference" in record.message
    )
    record = run(batch, statement_csv([]), checker, eager_tasks, name="vide.csv")
    assert record.status == "refused" and "no lines" in record.message
    nothing_changed(setting)


def test_french_headers_and_statuses_are_read(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch = setting["batch"]
    rows = [(*row[:3], "payé", paid_on().isoformat(), "") for row in all_paid(batch)]
    header = "Référence;Montant;Devise;Statut;Payé le;Référence du fournisseur"
    assert (
        run(batch, statement_csv(rows, header=header), setting["checker"], eager_tasks).status == "imported"
    )


def test_refusals_are_in_french(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch = setting["batch"]
    rows = all_paid(batch)
    rows[0] = (*rows[0][:2], "EUR", *rows[0][3:])
    with translation.override("fr"):
        record = run(batch, statement_csv(rows), setting["checker"], eager_tasks)
    assert reasons(record) == [(2, "currency", "Devise 'EUR' : seul le XOF est payé.")]


def test_the_same_statement_is_not_imported_twice(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch, checker = setting["batch"], setting["checker"]
    data = statement_csv(all_paid(batch)[:1])
    assert run(batch, data, checker, eager_tasks).status == "imported"
    with pytest.raises(StatementRefused, match="already imported"):
        services.statement_import_start(batch=batch, data=data, filename="releve.csv", by=checker)


def test_a_line_already_reconciled_is_refused(setting: dict[str, Any], eager_tasks: Any) -> None:
    batch, checker = setting["batch"], setting["checker"]
    rows = all_paid(batch)
    assert run(batch, statement_csv(rows[:1]), checker, eager_tasks).status == "imported"
    record = run(batch, statement_csv(rows[:2]), checker, eager_tasks, name="releve-2.csv")
    assert reasons(record) == [
        (2, "reference", "This line was already reconciled (paid) by an earlier statement.")
    ]


def test_only_an_exported_batch_takes_a_statement(commission_officer: Any) -> None:
    from .payments_setup import prepared

    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    with pytest.raises(StatementRefused, match="sent to the provider"):
        services.statement_import_start(batch=batch, data=b"x", filename="r.csv", by=approver())


def test_regional_officers_do_not_import_statements(setting: dict[str, Any], gao_officer: Any) -> None:
    with pytest.raises(StatementRefused, match="Only national staff"):
        services.statement_import_start(batch=setting["batch"], data=b"x", filename="r.csv", by=gao_officer)


def test_paying_the_last_entitlement_completes_the_enrolment_and_reinserts(
    commission_officer: Any, eager_tasks: Any
) -> None:
    package = cash_only_package()
    person = enrolled(commission_officer, 1, package=package)[0]
    assert person.status == Combatant.Status.ORIENTED
    checker = approver()
    batch = exported(commission_officer, checker)
    assert run(batch, statement_csv(all_paid(batch)), checker, eager_tasks).status == "imported"
    person.refresh_from_db()
    assert person.status == Combatant.Status.REINSERTED
    assert Enrolment.objects.get(combatant=person).status == Enrolment.Status.COMPLETED
    assert Entitlement.objects.get(combatant=person).state == "paid"


def test_reconciliation_queries_do_not_grow_with_the_statement(
    commission_officer: Any, eager_tasks: Any
) -> None:
    checker = approver()

    def queries(n: int) -> int:
        enrolled(commission_officer, n)
        batch = exported(commission_officer, checker)
        data = statement_csv(all_paid(batch))
        record = services.statement_import_start(batch=batch, data=data, filename=f"r{n}.csv", by=checker)
        with CaptureQueriesContext(connection) as captured:
            services.statement_import(import_id=record.pk)
        record.refresh_from_db()
        assert record.status == "imported"
        return len(captured)

    assert queries(2) == queries(20)
