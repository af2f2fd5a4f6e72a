"""Bulk inserts for imports: PostgreSQL COPY when available, the ORM's bulk_create elsewhere.

Rows are plain dicts keyed by column (attname), so no model instance is built per row on the
fast path; each row gets its audit (history) row in the same transaction either way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

if TYPE_CHECKING:
    from accounts.models import User

BATCH = 2000


TEXT_TYPES = {"CharField", "TextField", "FileField", "ImageField", "SlugField", "EmailField"}


def _copy(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """COPY in CSV format: the C csv writer does the quoting, so no Python work per value.

    Empty text stays '' (FORCE_NOT_NULL on text columns); None elsewhere is NULL.
    """
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, models.AutoField) and f.attname not in rows[0])
    ]
    names = [f.attname for f in fields]
    defaults = [f.get_default() for f in fields]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [row.get(name, default) for name, default in zip(names, defaults, strict=True)] for row in rows
    )
    columns = ", ".join(f'"{f.column}"' for f in fields)
    text = ", ".join(f'"{f.column}"' for f in fields if f.get_internal_type() in TEXT_TYPES)
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({text})" if text else "")
    copy_in(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN WITH ({options})', buffer.getvalue())


def copy_in(sql: str, data: str) -> None:
    """Run `COPY ... FROM STDIN` fed with `data` (psycopg sends it in chunks).

    Through Django's cursor and its error wrapper, so a failing COPY raises Django's
    IntegrityError or OperationalError like any other statement.
    """
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.copy(sql) as copy:
        copy.write(data)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_with_history(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    user: User,
    reason: str = "",
    audited: bool = True,
) -> list[int]:
    """Insert rows (and their "+" history rows) and return their ids, in order. Call inside atomic."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        if audited:
            created = bulk_create_with_history(
                objs, model, batch_size=BATCH, default_user=user, default_change_reason=reason
            )
        else:
            created = model.objects.bulk_create(objs, batch_size=BATCH)  # type: ignore[attr-defined]
        return [obj.pk for obj in created]
    ids = _reserve_ids(model, len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
    _copy(model, rows)
    if audited:
        now = timezone.now()
        history = model.history.model  # type: ignore[attr-defined]
        _copy(
            history,
            [
                {
                    **row,
                    "history_date": now,
                    "history_type": "+",
                    "history_user_id": user.pk,
                    "history_change_reason": reason,
                }
                for row in rows
            ],
        )
    return ids


# --- set-based writes from a staging table (PostgreSQL) ----------------------------------


def stage(
    table: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]], extra: str = ""
) -> int:
    """COPY rows into a new temporary table, dropped at commit. Call inside atomic. Returns the rows.

    `extra` declares more columns, filled by their defaults (e.g. ids drawn from a sequence).

    A temporary table has no index and writes no WAL: this is the cheap part of an import.
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return stage_csv(table, columns, [buffer.getvalue()], extra)


def stage_csv(
    table: str, columns: Sequence[tuple[str, str]], chunks: Iterable[str | bytes], extra: str = ""
) -> int:
    """`stage` from CSV already written (csv.writer's output, in `columns`' order), sent as it
    comes: a file read a piece at a time is never held whole. Returns the rows."""
    text = [name for name, kind in columns if kind == "text"]
    names = ", ".join(name for name, _ in columns)
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text)})" if text else "")
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # Session-local; dropped at commit, and here too when two imports share one transaction.
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {table} ({', '.join(f'{n} {k}' for n, k in columns)}{extra}) "
            "ON COMMIT DROP"
        )
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN WITH ({options})") as copy:
            for chunk in chunks:
                copy.write(chunk)
        staged: int = cursor.rowcount
        return staged


def with_history(
    model: type[models.Model], statement: str, *, kind: str, user: User | int | None, reason: str = ""
) -> tuple[str, list[Any]]:
    """`statement` (an INSERT or UPDATE of `model`'s table, without RETURNING) and the history
    rows of the rows it writes, as one statement; returns it with the parameters to append.
    `user` is who acts, or their id (a job run on behalf of its starter)."""
    history = model.history.model  # type: ignore[attr-defined]
    every = ", ".join(f'"{f.column}"' for f in model._meta.concrete_fields)
    sql = (
        f"WITH written AS ({statement} RETURNING *) "  # noqa: S608 - identifiers from model metadata
        f'INSERT INTO "{history._meta.db_table}" ({every}, history_date, history_change_reason, '
        f"history_type, history_user_id) SELECT {every}, %s, %s, %s, %s FROM written"
    )
    return sql, [timezone.now(), reason[:100], kind, getattr(user, "pk", user)]


def insert_from(
    model: type[models.Model],
    select: dict[str, str],
    *,
    source: str,
    user: User,
    reason: str = "",
    audited: bool = True,
) -> int:
    """INSERT INTO the model's table SELECT from `source`, and its "+" history rows, in one statement.

    `select` maps attnames to SQL expressions over `source`; every other column gets its
    Python default, so the rows are what the ORM would have written. Returns the rows inserted.
    """
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.attname in select:
            expressions.append(select[field.attname])
        elif isinstance(field, models.AutoField):
            continue
        else:
            expressions.append("%s")
            params.append(field.get_default())
        columns.append(f'"{field.column}"')
    # Identifiers come from model metadata and our own code, never from input; values are params.
    insert = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '  # noqa: S608
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    if audited:
        insert, history_params = with_history(model, insert, kind="+", user=user, reason=reason)
        params += history_params
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        inserted: int = cursor.rowcount
        return inserted
