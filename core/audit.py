"""The audit trail: django-simple-history tables, read as diffs and protected from edits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.text import capfirst
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


def allow_history_truncate_sql(tables: Iterable[str] | None = None) -> tuple[list[str], list[str]]:
    """Statements that let the tables' owner empty history tables within one transaction.

    For restoring a handover archive into a freshly migrated database, and for the test suite's
    flush; both run as the owner. Returns (before, after): the TRUNCATE triggers disabled, then
    enabled again, on every history table, or on those among `tables` (TRUNCATE ... CASCADE
    reaches those that reference a truncated table: name them too). Table-level DDL: it holds each
    table's exclusive lock until the transaction ends, and rolls back with it.
    """
    chosen = history_tables() if tables is None else sorted(set(history_tables()) & set(tables))
    wanted = {_trigger(t, "no_truncate"): t for t in chosen}
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


# Reasons are written in English with their figures ("list import 12"); each kind registers its
# template (`reason_template`), so that a history table reads it in the reader's language.
_REASONS: dict[str, re.Pattern[str]] = {}


def reason_template(template: str) -> str:
    """Register a reason's template (a `gettext_noop` msgid with %(name)s fields) and return it:
    `reason = LIST_IMPORT % {"n": 12}` is stored, and shown translated, figures kept."""
    fields = re.split(r"%\((\w+)\)s", template)
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(fields))
    _REASONS[template] = re.compile(f"^{pattern}$")
    return template


# Codes stored without choices (their words live with the rules that write them, like a
# pathway's reason): each registers how to word them, so that a history table shows the words.
_CODE_LABELS: dict[tuple[str, str], Callable[[Any, str], Any]] = {}


def code_labels(model: str, field: str, label: Callable[[Any, str], Any]) -> None:
    """Register how a field's codes read (`"ddr.Combatant"`, `"pathway_reason"`): `label` takes
    the history row (for the codes' kind, when another field gives it) and the code."""
    _CODE_LABELS[(model, field)] = label


def _values(value: Any) -> list[str]:
    """The values of a JSON document, without its keys (machine words): what a reader can use."""
    if isinstance(value, dict):
        return [shown for inner in value.values() for shown in _values(inner)]
    if isinstance(value, list):
        return [shown for inner in value for shown in _values(inner)]
    return [] if value in (None, "", 0, False) else [str(value)]


def reason_label(reason: str) -> str:
    """A stored reason in the reader's language: a plain msgid, or a registered template's."""
    if not reason:
        return ""
    translated = gettext(reason)
    if translated != reason:
        return translated
    # The longest template first: "list import 12: child separated" is not "list import …".
    for template, pattern in sorted(_REASONS.items(), key=lambda t: -len(t[0])):
        if match := pattern.match(reason):
            found = match.groupdict()
            if "reason" in found:  # a reason wrapped in another (an offline operation's) reads translated too
                found["reason"] = reason_label(found["reason"])
            return gettext(template) % found
    return reason


def _display(record: Any, field: Any, linked: dict[tuple[Any, Any], str]) -> str:
    """A value as people read it: labels of choices, Oui/Non, dates in their language, the
    linked record's name rather than its id, nothing for an empty list."""
    value = getattr(record, field.attname)
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    label = _CODE_LABELS.get((record.instance_type._meta.label, field.name))
    if label is not None and isinstance(value, str):
        return str(label(record, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if field.is_relation:
        return linked.get((field.related_model, value), str(value))
    if isinstance(value, dict | list):
        return ", ".join(_values(value)) or "—"
    return str(value)


def _linked_names(records: list[Any], fields: list[Any]) -> dict[tuple[Any, Any], str]:
    """The names of every record the history points to, one query per kind of record. Only
    records everyone may read (regions, movements, users, rule sets...): what is read through a
    scope (`for_user`: people, a region's sites...) keeps its id, since the history of a record one
    may see can point to a person or a place one may not (a merge across regions, a child)."""
    wanted: dict[Any, set[Any]] = {}
    for field in fields:
        model = field.related_model if field.is_relation else None
        if model is not None and not hasattr(model._default_manager, "for_user"):
            ids = {getattr(r, field.attname) for r in records} - {None}
            if ids:
                wanted.setdefault(model, set()).update(ids)
    names: dict[tuple[Any, Any], str] = {}
    for model, ids in wanted.items():
        for obj in model._base_manager.filter(pk__in=ids):
            full_name = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
            names[(model, obj.pk)] = full_name or str(obj)
    return names


def history_of(obj: Any, limit: int = 200) -> list[HistoryEntry]:
    """The record's history, newest first, each entry with its field-by-field before/after.

    One query for the history rows with their users, one per kind of record they point to;
    diffs are computed in memory.
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
    linked = _linked_names(records, tracked)
    entries: list[HistoryEntry] = []
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = tuple(
            Change(
                capfirst(str(f.verbose_name)),
                _display(previous, f, linked) if previous else "—",
                _display(record, f, linked),
                f.name,
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
                reason=reason_label(record.history_change_reason or ""),
                changes=changes if record.history_type != "-" else (),
            )
        )
    return entries
