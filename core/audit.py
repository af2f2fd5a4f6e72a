"""The audit trail: django-simple-history tables, read as diffs and protected from edits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION ddr_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit history is append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def save_audited(record: Any, by: User, fields: list[str], reason: str = "") -> None:
    """Save `fields` of a record with its history row naming who did it, and why."""
    record._history_user = by
    if reason:
        record._change_reason = reason
    record.save(update_fields=fields)


def history_tables() -> list[str]:
    """Every history table, those of many-to-many fields (a partner's regions...) included."""
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, HistoricalChanges))


def _trigger(table: str, kind: str) -> str:
    return f"{table}_{kind}"[:63]


def protect_history_tables(**kwargs: Any) -> None:
    """On PostgreSQL, forbid UPDATE, DELETE and TRUNCATE on every history table (post_migrate, idempotent).

    The triggers guard against mistakes of whoever owns the tables (an owner may drop a trigger);
    against the application itself, run it as a role that holds no such privilege (grant_app_role).
    """
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_FUNCTION)
        for table in history_tables():
            if table not in existing:
                continue
            rows, truncate = _trigger(table, "append_only"), _trigger(table, "no_truncate")
            cursor.execute(f'DROP TRIGGER IF EXISTS "{rows}" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{rows}" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION ddr_audit_append_only()"
            )
            # TRUNCATE fires no row trigger: it needs its own, per statement.
            cursor.execute(f'DROP TRIGGER IF EXISTS "{truncate}" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{truncate}" BEFORE TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION ddr_audit_append_only()"
            )


def allow_history_truncate_sql() -> tuple[list[str], list[str]]:
    """Statements that let the tables' owner empty history tables within one transaction.

    For restoring a handover archive into a freshly migrated database, and for the test suite's
    flush; both run as the owner. Returns (before, after): the TRUNCATE triggers disabled, then
    enabled again, on every history table (TRUNCATE ... CASCADE reaches those that reference a
    truncated table). Table-level DDL: it holds each table's exclusive lock until the transaction
    ends, and rolls back with it.
    """
    wanted = {_trigger(t, "no_truncate"): t for t in history_tables()}
    with connection.cursor() as cursor:  # only the triggers in place (none before the first migrate)
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = ANY(%s)",
            [list(wanted)],
        )
        present = sorted((table, name) for table, name in cursor.fetchall() if wanted.get(name) == table)
    before = [f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"' for table, name in present]
    after = [f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"' for table, name in present]
    return before, after


ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class RoleError(Exception):
    """The application's database role cannot be given its privileges; the message says why."""


def grant_app_role(role: str) -> tuple[int, int]:
    """Give the application's database role what it needs and no more (PostgreSQL; run as the owner).

    Every other table: SELECT, INSERT, UPDATE, DELETE (django_migrations: SELECT). History tables:
    SELECT and INSERT only, so the application cannot rewrite, empty or unprotect its own audit trail
    (it owns nothing, so it cannot drop a trigger either). Sequences: USAGE. Everything the role held
    before is revoked first: run it again after every migrate. Returns (tables, history tables).
    """
    if connection.vendor != "postgresql":
        raise RoleError(f"Database roles are a PostgreSQL feature; this database is {connection.vendor}.")
    if not ROLE_NAME.fullmatch(role):
        raise RoleError(f"{role!r} is not a plain role name (letters, digits, underscore).")
    quoted = connection.ops.quote_name(role)
    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    history = set(history_tables())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise RoleError(f"Role {role} does not exist: CREATE ROLE {role} LOGIN PASSWORD '...' first.")
        if row[0]:
            raise RoleError(f"Role {role} is a superuser: no privilege can be withheld from it.")
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        tables = sorted(connection.introspection.table_names(cursor))
        cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {quoted}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}")
        for table in tables:
            if table in history:
                privileges = "SELECT, INSERT"
            elif table == "django_migrations":
                privileges = "SELECT"
            else:
                privileges = "SELECT, INSERT, UPDATE, DELETE"
            cursor.execute(f"GRANT {privileges} ON {connection.ops.quote_name(table)} TO {quoted}")
        cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}")
        # What the role may do, not what we granted: ownership, membership of the owner's role or a
        # grant to PUBLIC would still let it rewrite history.
        cursor.execute(
            "SELECT t FROM unnest(%s::text[]) AS t WHERE has_table_privilege(%s, quote_ident(t), "
            "'UPDATE, DELETE, TRUNCATE, TRIGGER')",
            [sorted(history & set(tables)), role],
        )
        loose = [t for (t,) in cursor.fetchall()]
        if loose:
            raise RoleError(
                f"Role {role} can still change history tables ({', '.join(loose[:3])}...): "
                "is it the owner, a member of the owner's role, or granted through PUBLIC?"
            )
    return len(tables), len(history & set(tables))


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    name: str = ""  # the model field's name, for code; `field` is its label


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    action: str
    reason: str
    changes: tuple[Change, ...]


ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def _display(record: Any, field: Any) -> str:
    value = getattr(record, field.attname)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def history_of(obj: Any, limit: int = 200) -> list[HistoryEntry]:
    """The record's history, newest first, each entry with its field-by-field before/after.

    One query: history rows with their users; diffs are computed in memory.
    """
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    tracked = [
        f
        for f in obj.history.model._meta.fields
        if f.name
        not in {"history_id", "history_date", "history_change_reason", "history_type", "history_user", "id"}
    ]
    entries: list[HistoryEntry] = []
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = tuple(
            Change(
                str(f.verbose_name), _display(previous, f) if previous else "—", _display(record, f), f.name
            )
            for f in tracked
            if previous is None or getattr(previous, f.attname) != getattr(record, f.attname)
        )
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else str(_("system")),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                # Services write their reasons in English (gettext_noop): read in the reader's language.
                reason=gettext(record.history_change_reason) if record.history_change_reason else "",
                changes=changes if record.history_type != "-" else (),
            )
        )
    return entries
