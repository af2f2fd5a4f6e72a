"""The audit trail: django-simple-history tables, read as diffs and protected from edits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION ddr_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit history is append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def save_audited(record: Any, by: Any, fields: list[str], reason: str = "") -> None:
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


def protect_history_tables(**kwargs: Any) -> None:
    """On PostgreSQL, forbid UPDATE and DELETE on every history table (post_migrate, idempotent)."""
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_FUNCTION)
        for table in history_tables():
            if table not in existing:
                continue
            trigger = f"{table}_append_only"[:63]
            cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{trigger}" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION ddr_audit_append_only()"
            )


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
                reason=record.history_change_reason or "",
                changes=changes if record.history_type != "-" else (),
            )
        )
    return entries
