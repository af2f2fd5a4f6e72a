"""SQLite rebuilds a table to add a column (0018 added `Combatant.choice`), and the rebuild drops the
table's triggers: put the register tally's triggers back and count the register again.
PostgreSQL adds the column in place and keeps its triggers: nothing to do there."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations

tally = importlib.import_module("ddr.migrations.0013_register_tally")


def reinstall(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS ddr_register_tally_{name}")
    for statement in tally.SQLITE:
        schema_editor.execute(statement)
    schema_editor.execute("DELETE FROM ddr_registertally")
    schema_editor.execute(
        f"{tally._changes(('ddr_combatant', 1), vendor='sqlite')} "
        f"INSERT INTO ddr_registertally ({tally.KEY}, n) {tally.GROUPED}"
    )


class Migration(migrations.Migration):
    dependencies = [("ddr", "0020_statement_import")]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
