"""SQLite: removing a person from the register's tally only lowers a row that exists; it never
creates one at -1. Django empties SQLite tables one by one in no fixed order (`flush`, and every
transactional test): when the tally went first, deleting the people left negative counts, and the
dashboard drew a bar of negative width. PostgreSQL empties with TRUNCATE, which its own trigger
follows (0013): nothing to do there."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations

tally = importlib.import_module("ddr.migrations.0025_register_tally_category")


def _count(row: str, step: str) -> str:
    statements = tally._sqlite_count(row, step).split("\n")
    if step == "-":  # a decrement never makes the row it lowers
        statements = [s for s in statements if not s.startswith("INSERT OR IGNORE")]
    return "\n".join(statements)


ON = "ON ddr_combatant BEGIN"
SQLITE = [
    f"CREATE TRIGGER ddr_register_tally_insert AFTER INSERT {ON}\n{_count('NEW', '+')}\nEND",
    f"CREATE TRIGGER ddr_register_tally_delete AFTER DELETE {ON}\n{_count('OLD', '-')}\nEND",
    "CREATE TRIGGER ddr_register_tally_update AFTER UPDATE OF region_id, movement_id, registered_at, "
    f"category, status, pathway, sex, has_weapon ON ddr_combatant BEGIN\n"
    f"{_count('OLD', '-')}\n{_count('NEW', '+')}\nEND",
]


def _install(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        tally._drop_sqlite_triggers(schema_editor)
        for statement in statements:
            schema_editor.execute(statement)
        schema_editor.execute("DELETE FROM ddr_registertally WHERE n < 0")

    return run


class Migration(migrations.Migration):
    dependencies = [("ddr", "0025_register_tally_category")]

    operations = [migrations.RunPython(_install(SQLITE), _install(tally.SQLITE))]
