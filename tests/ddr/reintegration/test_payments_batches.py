"""Payment batches: prepared set-based from what is due, approved by another person, cancelled,
exported for the provider."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.models import ExportLog
from ddr.models import Combatant, Component, Entitlement, PaymentBatch, PaymentLine
from ddr.reintegration.payments import services
from ddr.reintegration.payments.services import PaymentRefused

from ...factories import CombatantFactory, PackageFactory, UserFactory, region
from .payments_setup import DUE_BY, approver, enrolled, prepared, states

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English here (French is the default), in French where it says so."""
    with translation.override("en"):
        yield


def test_prepare_puts_every_due_cash_entitlement_in_one_batch(commission_officer: Any) -> None:
    people = enrolled(commission_officer, 3)
    batch = prepared(commission_officer)
    lines = list(batch.lines.order_by("reference"))
    assert (batch.status, batch.line_count, batch.total_xof) == ("prepared", 3, 225_000)
    assert [line.reference for line in lines] == [f"{batch.reference}-{n:06d}" for n in (1, 2, 3)]
    assert {line.combatant_id for line in lines} == {p.pk for p in people}
    assert all(line.status == "waiting" and line.amount_xof == 75_000 for line in lines)
    # The first tranche is in the batch; the toolkit (in kind) and the second tranche (not yet due) are not.
    assert states(people) == ["in_batch", "due", "due"] * 3
    assert PaymentLine.history.filter(history_type="+", history_user=commission_officer).count() == 3
    assert (
        Entitlement.history.filter(history_type="~", history_change_reason=f"batch {batch.reference}").count()
        == 3
    )
    assert batch.criteria["due_by"] == DUE_BY.isoformat()


def test_prepare_filters_by_region_package_and_component(commission_officer: Any) -> None:
    package = PackageFactory.create()
    enrolled(commission_officer, 2, package=package, region=region("GAO"))
    enrolled(commission_officer, 1, package=package, region=region("KID"))
    enrolled(commission_officer, 1)  # another package
    batch = prepared(commission_officer, region=region("GAO"), package=package, component_kind="allowance")
    assert batch.line_count == 2 and batch.region == region("GAO")
    with pytest.raises(PaymentRefused, match="Nothing to pay"):
        prepared(commission_officer, component_kind=Component.Kind.GRANT)


def test_prepare_leaves_out_who_may_no_longer_benefit_and_inactive_enrolments(
    commission_officer: Any,
) -> None:
    kept, excluded, merged, dropped = enrolled(commission_officer, 4)
    Combatant.objects.filter(pk=excluded.pk).update(status=Combatant.Status.EXCLUDED)
    Combatant.objects.filter(pk=merged.pk).update(merged_into=kept, status=Combatant.Status.MERGED)
    dropped.enrolments.update(status="dropped")
    batch = prepared(commission_officer)
    assert list(batch.lines.values_list("combatant_id", flat=True)) == [kept.pk]


def test_empty_selection_is_refused_and_nothing_is_created(commission_officer: Any) -> None:
    with pytest.raises(PaymentRefused, match="Nothing to pay"):
        prepared(commission_officer)
    with translation.override("fr"), pytest.raises(PaymentRefused, match="Rien à payer"):
        prepared(commission_officer)
    assert not PaymentBatch.objects.exists()


def test_mobile_money_pays_only_people_with_a_number(commission_officer: Any) -> None:
    with_number = enrolled(commission_officer, 2)
    enrolled(commission_officer, 1, mobile=False)
    batch = prepared(commission_officer)
    assert set(batch.lines.values_list("combatant_id", flat=True)) == {p.pk for p in with_number}
    assert batch.criteria["without_number"] == 1
    cash = prepared(commission_officer, channel="cash_partner", provider="Caritas")
    assert cash.line_count == 1


def test_mobile_money_without_any_number_says_so(commission_officer: Any) -> None:
    enrolled(commission_officer, 2, mobile=False)
    with pytest.raises(PaymentRefused, match="mobile-money number"):
        prepared(commission_officer)


def test_an_entitlement_in_an_open_batch_is_not_taken_again(commission_officer: Any) -> None:
    enrolled(commission_officer, 2)
    prepared(commission_officer)
    with pytest.raises(PaymentRefused, match="Nothing to pay"):
        prepared(commission_officer)


def test_the_database_refuses_a_second_live_line(commission_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    line = batch.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=batch, entitlement=line.entitlement, combatant=line.combatant, reference="X-1", amount_xof=1
        )


def test_regional_officer_prepares_for_their_region_only(gao_officer: Any, commission_officer: Any) -> None:
    enrolled(commission_officer, 2, region=region("GAO"))
    enrolled(commission_officer, 1, region=region("KID"))
    batch = prepared(gao_officer)
    assert batch.region == region("GAO") and batch.line_count == 2
    with pytest.raises(PaymentRefused, match="your own region"):
        prepared(gao_officer, region=region("KID"))


def test_prepare_queries_do_not_grow_with_the_batch(commission_officer: Any) -> None:
    from django.db import connection

    def queries(n: int) -> int:
        enrolled(commission_officer, n)
        with CaptureQueriesContext(connection) as captured:
            prepared(commission_officer)
        return len(captured)

    assert queries(2) == queries(25)


# --- four eyes ----------------------------------------------------------------------------------


def test_the_preparer_cannot_approve(commission_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    with pytest.raises(PaymentRefused, match="another person must approve"):
        services.batch_approve(batch=batch, by=commission_officer)
    with translation.override("fr"), pytest.raises(PaymentRefused, match="une autre personne doit"):
        services.batch_approve(batch=batch, by=commission_officer)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == ("prepared", None)


def test_another_national_officer_approves(commission_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    checker = approver()
    services.batch_approve(batch=batch, by=checker)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == ("approved", checker)
    with pytest.raises(PaymentRefused, match="waiting for approval"):
        services.batch_approve(batch=batch, by=approver("troisieme"))


def test_the_database_refuses_the_preparer_as_approver(commission_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.filter(pk=batch.pk).update(approved_by=commission_officer)


def test_regional_officers_and_analysts_do_not_approve(
    gao_officer: Any, analyst: Any, commission_officer: Any
) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    for user in (gao_officer, analyst):
        with pytest.raises(PaymentRefused, match="Only national staff"):
            services.batch_approve(batch=batch, by=user)


def test_cancel_withdraws_lines_and_entitlements_are_due_again(commission_officer: Any) -> None:
    people = enrolled(commission_officer, 2)
    batch = prepared(commission_officer)
    services.batch_cancel(batch=batch, by=commission_officer)
    assert set(batch.lines.values_list("status", flat=True)) == {"withdrawn"}
    assert states(people) == ["due", "due", "due"] * 2
    again = prepared(commission_officer)  # the withdrawn lines free their entitlements
    assert again.line_count == 2


def test_a_batch_sent_to_the_provider_cannot_be_cancelled(commission_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    services.batch_approve(batch=batch, by=approver())
    services.batch_export(batch=batch, fmt="csv", by=approver("exportateur"))
    with pytest.raises(PaymentRefused, match="cannot be cancelled"):
        services.batch_cancel(batch=batch, by=commission_officer)


def test_someone_else_in_a_region_cannot_cancel(commission_officer: Any, gao_officer: Any) -> None:
    enrolled(commission_officer, 1, region=region("GAO"))
    batch = prepared(commission_officer)
    with pytest.raises(PaymentRefused, match="Only the preparer"):
        services.batch_cancel(batch=batch, by=gao_officer)


# --- export ------------------------------------------------------------------------------------


def test_export_is_refused_before_approval(commission_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    with pytest.raises(PaymentRefused, match="approved batch"):
        services.batch_export(batch=batch, fmt="csv", by=approver())


def test_csv_export_gives_one_line_per_payment_and_is_logged(commission_officer: Any) -> None:
    people = enrolled(commission_officer, 2)
    batch = prepared(commission_officer)
    checker = approver()
    services.batch_approve(batch=batch, by=checker)
    exported = services.batch_export(batch=batch, fmt="csv", by=checker)
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["reference", "amount", "currency", "mobile_money", "name"]
    first = people[0]
    assert rows[1] == [
        f"{batch.reference}-000001",
        "75000",
        "XOF",
        first.profile.mobile_money.lstrip("+"),
        f"{first.family_name} {first.given_name}",
    ]
    assert len(rows) == 3 and exported.filename == f"{batch.reference}.csv"
    batch.refresh_from_db()
    assert batch.status == "exported" and batch.exported_at is not None
    log = ExportLog.objects.get()
    assert (log.user, log.identity, log.row_count, log.file_format) == (checker, True, 2, "csv")
    services.batch_export(batch=batch, fmt="csv", by=checker)  # downloaded again: logged again
    assert ExportLog.objects.count() == 2


def test_xlsx_export_for_cash_gives_the_registration_number(commission_officer: Any) -> None:
    people = enrolled(commission_officer, 1, mobile=False)
    batch = prepared(commission_officer, channel="cash_partner", provider="Caritas Gao")
    checker = approver()
    services.batch_approve(batch=batch, by=checker)
    exported = services.batch_export(batch=batch, fmt="xlsx", by=checker)
    sheet = openpyxl.load_workbook(io.BytesIO(exported.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][3] == "registration_number"
    assert rows[1][:4] == [f"{batch.reference}-000001", 75000, "XOF", people[0].registration_number]


def test_only_national_staff_export(commission_officer: Any, gao_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    services.batch_approve(batch=batch, by=approver())
    with pytest.raises(PaymentRefused, match="Only national staff"):
        services.batch_export(batch=batch, fmt="csv", by=gao_officer)


def test_a_child_is_never_in_a_batch(commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    Combatant.objects.filter(pk=person.pk).update(category="child")
    with pytest.raises(PaymentRefused, match="Nothing to pay"):
        prepared(commission_officer)
    UserFactory.create()
    CombatantFactory.create()
