"""Payments at scale on PostgreSQL, each beside a hand-written SQL statement doing the same writes.

    make bench-reintegration                                # 100,000 people enrolled
    make bench-reintegration BENCH_ARGS="--people 10000"    # CI's size

Recreates the `ddr_bench` database, COPYs a register of people oriented to reinsertion (COPY's
rows/s is printed as the machine's baseline), gives each a mobile-money number and enrols them
all (`cohort_enrol`) in a package of two cash tranches and a toolkit, enrolled ten days ago: the
first tranche of each is due. Then, first for a tenth of them (a package of their own) and then
for everyone:

- prepare a batch of every due cash entitlement: the hand-written limit is one
  `INSERT ... SELECT` of the lines with their audit rows and the entitlements' `UPDATE` with
  theirs (a CTE, in a transaction rolled back; then VACUUM); the service is `batch_prepare`;
- reconcile the provider's statement of that batch (90% paid, 7% failed, 3% returned): the limit
  COPYs the file into a temporary table and UPDATEs lines and entitlements from it with their
  audit rows; the service is `statement_import` as the worker runs it (read and check every
  line, then write), shown whole and without its check.

Each service prints its number of queries: the same at both sizes (set-based). Not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import time
from typing import Any

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddr_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from benchmarks.register import (  # noqa: E402
    GIVEN_F,
    GIVEN_M,
    PEOPLE_COLUMNS,
    copy_from,
    ensure_database,
    family_name,
    person_line,
)

ENROLLED_AGO = (
    10  # days: the first tranche (day 0) is due, the toolkit (day 30) and second tranche (day 90) not
)

# The batch the service prepares, written by hand: the due cash entitlements of people who may
# benefit and have a number, numbered in id order; their lines and the lines' audit rows; the
# entitlements "in a batch" and their audit rows. One statement.
HAND_PREPARE = """
WITH picked AS (
    SELECT e.id, e.combatant_id, e.amount_xof, row_number() OVER (ORDER BY e.id) AS n
    FROM ddr_entitlement e
    JOIN ddr_component k ON k.id = e.component_id
    JOIN ddr_enrolment r ON r.id = e.enrolment_id
    JOIN ddr_combatant c ON c.id = e.combatant_id
    JOIN ddr_profile p ON p.combatant_id = c.id
    WHERE e.state = 'due' AND k.delivery = 'cash' AND e.due_on <= %(due_by)s AND r.status = 'active'
      AND c.category <> 'child' AND c.status NOT IN ('referred', 'merged', 'excluded', 'deceased')
      AND c.merged_into_id IS NULL AND c.vetting_status <> 'confirmed' AND c.pathway <> 'excluded'
      AND p.mobile_money > ''
), lines AS (
    INSERT INTO ddr_paymentline (batch_id, entitlement_id, combatant_id, reference, amount_xof, status,
                                 paid_on, provider_reference, statement_id)
    SELECT %(batch)s, id, combatant_id, 'HAND-' || lpad(n::text, 6, '0'), amount_xof, 'waiting', NULL, '', NULL
    FROM picked
    RETURNING *
), line_history AS (
    INSERT INTO ddr_historicalpaymentline (id, batch_id, entitlement_id, combatant_id, reference, amount_xof,
        status, paid_on, provider_reference, statement_id, history_date, history_change_reason, history_type,
        history_user_id)
    SELECT id, batch_id, entitlement_id, combatant_id, reference, amount_xof, status, paid_on,
           provider_reference, statement_id, now(), 'batch', '+', %(user)s
    FROM lines
), entitlements AS (
    UPDATE ddr_entitlement e SET state = 'in_batch' FROM picked WHERE e.id = picked.id RETURNING e.*
)
INSERT INTO ddr_historicalentitlement (id, enrolment_id, combatant_id, component_id, amount_xof, due_on, state,
    settled_on, history_date, history_change_reason, history_type, history_user_id)
SELECT id, enrolment_id, combatant_id, component_id, amount_xof, due_on, state, settled_on, now(), 'batch', '~',
       %(user)s
FROM entitlements
"""

# The statement reconciled by hand: the file COPYd as it is, then lines and entitlements updated
# from it by reference, each with its audit rows. One COPY and one statement.
HAND_STAGE = (
    "CREATE TEMPORARY TABLE hand_statement (reference text, amount bigint, currency text, status text, "
    "paid_on date, provider_reference text) ON COMMIT DROP"
)
HAND_RECONCILE = """
WITH lines AS (
    UPDATE ddr_paymentline l SET status = s.status, paid_on = CASE WHEN s.status = 'paid' THEN s.paid_on END,
        provider_reference = s.provider_reference, statement_id = NULL
    FROM hand_statement s
    WHERE l.reference = s.reference AND l.batch_id = %(batch)s AND l.status = 'waiting'
    RETURNING l.*
), line_history AS (
    INSERT INTO ddr_historicalpaymentline (id, batch_id, entitlement_id, combatant_id, reference, amount_xof,
        status, paid_on, provider_reference, statement_id, history_date, history_change_reason, history_type,
        history_user_id)
    SELECT id, batch_id, entitlement_id, combatant_id, reference, amount_xof, status, paid_on,
           provider_reference, statement_id, now(), 'statement', '~', %(user)s
    FROM lines
), entitlements AS (
    UPDATE ddr_entitlement e SET state = CASE WHEN lines.status = 'paid' THEN 'paid' ELSE 'due' END,
        settled_on = lines.paid_on
    FROM lines WHERE e.id = lines.entitlement_id
    RETURNING e.*
)
INSERT INTO ddr_historicalentitlement (id, enrolment_id, combatant_id, component_id, amount_xof, due_on, state,
    settled_on, history_date, history_change_reason, history_type, history_user_id)
SELECT id, enrolment_id, combatant_id, component_id, amount_xof, due_on, state, settled_on, now(), 'statement',
       '~', %(user)s
FROM entitlements
"""


def register(people: int, regions: list[int], groups: list[int]) -> io.StringIO:
    """People screened and oriented to socio-economic reinsertion."""
    rng = random.Random(18)
    rows = io.StringIO()
    for i in range(people):
        woman = rng.random() < 0.12
        category = "woman_associated" if woman else rng.choice(["combatant_armed", "combatant_unarmed"])
        rows.write(
            person_line(
                f"R-{i:09d}",
                rng.choice(GIVEN_F if woman else GIVEN_M),
                family_name(rng),
                "F" if woman else "M",
                rng.randint(1965, 2000),
                rng.choice(regions),
                rng.choice(groups),
                category,
                "oriented",
                category == "combatant_armed",
                f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                age_verified=True,
                medical="unfit" if category == "combatant_armed" else "",
                vetting="clear",
                pathway="reinsertion",
            )
        )
    rows.seek(0)
    return rows


def statement(lines: list[tuple[str, int]], paid_on: dt.date) -> bytes:
    """The provider's statement of a batch: 90% paid, 7% failed, 3% returned."""
    rng = random.Random(7)
    out = io.StringIO()
    out.write("reference;amount;currency;status;paid_on;provider_reference\n")
    for reference, amount in lines:
        status = rng.choices(["paid", "failed", "returned"], [90, 7, 3])[0]
        day = paid_on.isoformat() if status == "paid" else ""
        out.write(f"{reference};{amount};XOF;{status};{day};OM{rng.randrange(10**9):09d}\n")
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from core.bulk import insert_with_history
    from core.models import Region
    from ddr.models import (
        ArmedGroup,
        Combatant,
        Component,
        Delivery,
        FundingSource,
        Package,
        PaymentBatch,
        PaymentLine,
        Profile,
    )
    from ddr.reintegration.packages.services import cohort_enrol
    from ddr.reintegration.payments import services, tasks

    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=0, stdout=io.StringIO())  # users and reference data
    preparer, approver = User.objects.get(username="commission"), User.objects.get(username="admin")
    regions = list(Region.objects.values_list("id", flat=True))
    groups = list(ArmedGroup.objects.values_list("id", flat=True))

    rows = register(args.people, regions, groups)
    start = time.perf_counter()
    with connection.cursor() as cur:
        copy_from(cur, f"COPY ddr_combatant ({PEOPLE_COLUMNS}) FROM STDIN", rows)
    copy_s = time.perf_counter() - start
    print(f"people: {args.people:,} oriented to reinsertion  (PostgreSQL {connection.pg_version // 10000})")
    print(f"{'baseline  raw COPY into ddr_combatant':<62} {args.people / copy_s:>10,.0f} rows/s")

    today = timezone.localdate()
    enrolled_on = today - dt.timedelta(days=ENROLLED_AGO)
    ids = list(Combatant.objects.order_by("pk").values_list("pk", flat=True))
    start = time.perf_counter()
    with transaction.atomic():
        insert_with_history(
            Profile,
            [
                {
                    "combatant_id": pk,
                    "mobile_money": f"+2237{pk:07d}",
                    "profiled_on": enrolled_on,
                    "profiled_by_id": preparer.pk,
                }
                for pk in ids
            ],
            user=preparer,
        )
    fund = FundingSource.objects.create(code="bench-world-bank", name="Banque mondiale", envelope_xof=10**12)

    def package(code: str) -> Package:
        made = Package.objects.create(
            code=code,
            name="Filet de sécurité et kit",
            funding_source=fund,
            effective_from=enrolled_on - dt.timedelta(days=365),
        )
        for position, (kind, delivery, amount, days) in enumerate(
            [
                ("allowance", Delivery.CASH, 75_000, 0),
                ("allowance", Delivery.CASH, 75_000, 90),
                ("toolkit", Delivery.IN_KIND, 250_000, 30),
            ],
            start=1,
        ):
            Component.objects.create(
                package=made,
                kind=kind,
                delivery=delivery,
                amount_xof=amount,
                due_after_days=days,
                position=position,
                label=f"{kind} {position}",
            )
        return made

    small, everyone = package("bench-small"), package("bench-everyone")
    enrolled = cohort_enrol(people=Combatant.objects.all(), package=everyone, on=enrolled_on, by=preparer)[0]
    tenth = Combatant.objects.filter(pk__in=ids[: max(1, args.people // 10)])
    cohort_enrol(people=tenth, package=small, on=enrolled_on, by=preparer)
    print(
        f"{'setup  profiles, and enrolment of everyone (cohort_enrol)':<62} {time.perf_counter() - start:>8.1f} s   {enrolled:,} enrolled"
    )

    def vacuum() -> None:
        with connection.cursor() as cur:
            for table in (
                "ddr_entitlement",
                "ddr_paymentline",
                "ddr_historicalentitlement",
                "ddr_historicalpaymentline",
            ):
                cur.execute(f"VACUUM ANALYZE {table}")

    vacuum()

    def hand_prepare() -> tuple[float, int]:
        with transaction.atomic():
            batch = PaymentBatch.objects.create(reference="HAND", provider="hand", prepared_by=preparer)
            start = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked inside the timing
                cur.execute(HAND_PREPARE, {"due_by": today, "batch": batch.pk, "user": preparer.pk})
                written = cur.rowcount
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)
        vacuum()
        return seconds, written

    def hand_reconcile(batch: PaymentBatch, data: bytes) -> tuple[float, int]:
        with transaction.atomic():
            start = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute(HAND_STAGE)
                with cur.copy(
                    "COPY hand_statement FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
                ) as copy:
                    copy.write(data)
                cur.execute(HAND_RECONCILE, {"batch": batch.pk, "user": approver.pk})
                written = cur.rowcount
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)
        vacuum()
        return seconds, written

    # The check's share of the statement's import, timed apart.
    check, check_s = services.statement_check, [0.0]

    def timed_check(**kwargs: Any) -> Any:
        start = time.perf_counter()
        result = check(**kwargs)
        check_s[0] = time.perf_counter() - start
        return result

    services.statement_check = timed_check  # type: ignore[assignment]
    # The worker's task is called here, in this process, to be timed and counted: nothing is queued.
    tasks.statement_import.delay = lambda *args, **kwargs: None

    queries: dict[str, list[int]] = {"prepare": [], "reconcile": []}

    def run(label: str, filters: dict[str, Any]) -> None:
        print(f"{label}")
        limit_s, hand_lines = hand_prepare() if not filters else (0.0, 0)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            batch = services.batch_prepare(
                by=preparer, due_by=today, channel="mobile_money", provider="Orange Money", **filters
            )
            ours_s = time.perf_counter() - start
        queries["prepare"].append(len(captured))
        lines = batch.lines.count()
        history = PaymentLine.history.filter(batch_id=batch.pk).count()
        if filters:
            print(
                f"  {'prepare: service batch_prepare':<60} {ours_s:>8.1f} s   {lines:,} lines; {len(captured)} queries"
            )
        else:
            same = "yes" if hand_lines == lines else f"NO ({hand_lines:,})"
            print(
                f"  {'prepare: hand-written INSERT ... SELECT + UPDATE, audited':<60} {limit_s:>8.1f} s   {hand_lines:,} lines"
            )
            print(
                f"  {'prepare: service batch_prepare':<60} {ours_s:>8.1f} s   = {ours_s / limit_s:.2f}x the limit; "
                f"{lines:,} lines, {history:,} audit rows; same lines: {same}; {len(captured)} queries"
            )
            if hand_lines != lines:  # a limit that pays otherwise measures nothing: a red build
                raise SystemExit("the hand-written batch no longer pays the lines the service pays: update it")
        vacuum()
        services.batch_approve(batch=batch, by=approver)
        start = time.perf_counter()
        exported = services.batch_export(batch=batch, fmt="csv", by=approver)
        print(
            f"  {'export: the provider CSV file (logged)':<60} {time.perf_counter() - start:>8.1f} s   {len(exported.data) / 1e6:.1f} MB"
        )
        data = statement(list(batch.lines.order_by("pk").values_list("reference", "amount_xof")), today)
        if not filters:
            limit_s, hand_written = hand_reconcile(batch, data)
            print(
                f"  {'reconcile: hand-written COPY + UPDATE ... FROM, audited':<60} {limit_s:>8.1f} s   {hand_written:,} entitlements"
            )
        record = services.statement_import_start(batch=batch, data=data, filename="releve.csv", by=approver)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            record = services.statement_import(import_id=record.pk)
            ours_s = time.perf_counter() - start
        queries["reconcile"].append(len(captured))
        assert record.status == "imported", (record.message, record.errors[:3])
        batch.refresh_from_db()
        write_s = ours_s - check_s[0]
        note = f"{record.total_rows:,} lines; batch {batch.get_status_display().lower()}; {len(captured)} queries"
        if filters:
            print(f"  {'reconcile: service statement_import':<60} {ours_s:>8.1f} s   {note}")
        else:
            print(
                f"  {'reconcile: service statement_import (check + write)':<60} {ours_s:>8.1f} s   = {ours_s / limit_s:.2f}x the limit; {note}"
            )
            print(f"  {'  of which reading and checking every line':<60} {check_s[0]:>8.1f} s")
            print(
                f"  {'  of which the writes (staged, UPDATE ... FROM, audited)':<60} {write_s:>8.1f} s   = {write_s / limit_s:.2f}x the limit"
            )
        vacuum()

    run(f"a tenth ({tenth.count():,} people, their own package):", {"package": small})
    run(f"everyone: every due entitlement ({args.people:,} people):", {})
    print(
        f"queries at {max(1, args.people // 10):,} and {args.people:,} lines: prepare {queries['prepare'][0]} and "
        f"{queries['prepare'][1]}, reconcile {queries['reconcile'][0]} and {queries['reconcile'][1]}"
    )


if __name__ == "__main__":
    main()
