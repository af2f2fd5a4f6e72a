"""The register tally's fourth grouping, "category" (category and weapon, merged records left out):
the home page reads its categories and weapons here instead of counting a million people.

The key gains two columns; the triggers of 0013 are written again with them, and the tally is
counted again from the register. On SQLite this also puts the triggers back if a later rebuild of
the people table had dropped them (see 0021). Children, never tallied, are counted through an index
of their own."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations, models

previous = importlib.import_module("ddr.migrations.0013_register_tally")

KEY = "grouping, region_id, month, status, pathway, sex, movement_id, category, has_weapon"
COLUMNS = "region_id, {month} AS month, status, pathway, sex, movement_id, category, has_weapon"
SOURCE = COLUMNS + ", {sign} AS d FROM {table} WHERE category <> 'child'"
# The four groupings of ddr.registration.models.GROUPINGS; the columns a grouping does not use hold
# "", 0 or false.
GROUPED = f"""
SELECT {KEY}, sum(d) AS n FROM (
  SELECT 'status' AS grouping, region_id, month, status, pathway, '' AS sex, 0 AS movement_id,
         '' AS category, false AS has_weapon, d FROM changes
  UNION ALL SELECT 'sex', region_id, month, '', pathway, sex, 0, '', false, d FROM changes WHERE status <> 'merged'
  UNION ALL SELECT 'movement', region_id, month, '', pathway, '', movement_id, '', false, d FROM changes
            WHERE status <> 'merged'
  UNION ALL SELECT 'category', region_id, month, '', '', '', 0, category, has_weapon, d FROM changes
            WHERE status <> 'merged'
) g GROUP BY {KEY} HAVING sum(d) <> 0
"""


def _changes(*tables: tuple[str, int], vendor: str = "postgresql") -> str:
    selects = (
        f"SELECT {SOURCE.format(month=previous._month(vendor), sign=sign, table=table)}"
        for table, sign in tables
    )
    return f"WITH changes AS ({' UNION ALL '.join(selects)})"


def _upsert(*tables: tuple[str, int]) -> str:
    # Keys in order (fewer deadlocks between concurrent writers).
    return (
        f"{_changes(*tables)} INSERT INTO ddr_registertally AS t ({KEY}, n) {GROUPED} ORDER BY {KEY} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET n = t.n + EXCLUDED.n;"
    )


# The statement triggers of 0013 call this function: replacing it is enough on PostgreSQL.
POSTGRES = f"""
CREATE OR REPLACE FUNCTION ddr_register_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_upsert(("new_rows", 1))}
  ELSIF TG_OP = 'DELETE' THEN
    {_upsert(("old_rows", -1))}
  ELSE
    {_upsert(("new_rows", 1), ("old_rows", -1))}
  END IF;
  RETURN NULL;
END $$;
"""


def _sqlite_count(row: str, step: str) -> str:
    """SQLite has row triggers only: for each grouping, make sure the row exists, then count."""
    month = f"substr({row}.registered_at, 1, 7) || '-01'"
    statements = []
    not_merged = f" AND {row}.status <> 'merged'"
    for grouping, status, pathway, sex, movement, category, weapon, condition in (
        ("status", f"{row}.status", f"{row}.pathway", "''", "0", "''", "0", ""),
        ("sex", "''", f"{row}.pathway", f"{row}.sex", "0", "''", "0", not_merged),
        ("movement", "''", f"{row}.pathway", "''", f"{row}.movement_id", "''", "0", not_merged),
        ("category", "''", "''", "''", "0", f"{row}.category", f"{row}.has_weapon", not_merged),
    ):
        values = [
            f"'{grouping}'",
            f"{row}.region_id",
            month,
            status,
            pathway,
            sex,
            movement,
            category,
            weapon,
        ]
        when = f"{row}.category <> 'child'{condition}"
        match = " AND ".join(f"{c} = {v}" for c, v in zip(KEY.split(", "), values, strict=True))
        statements.append(
            f"INSERT OR IGNORE INTO ddr_registertally ({KEY}, n) SELECT {', '.join(values)}, 0 WHERE {when};"
        )
        statements.append(f"UPDATE ddr_registertally SET n = n {step} 1 WHERE {when} AND {match};")
    return "\n".join(statements)


SQLITE = [
    f"CREATE TRIGGER ddr_register_tally_insert AFTER INSERT ON ddr_combatant BEGIN\n{_sqlite_count('NEW', '+')}\nEND",
    f"CREATE TRIGGER ddr_register_tally_delete AFTER DELETE ON ddr_combatant BEGIN\n{_sqlite_count('OLD', '-')}\nEND",
    "CREATE TRIGGER ddr_register_tally_update AFTER UPDATE OF region_id, movement_id, registered_at, "
    f"category, status, pathway, sex, has_weapon ON ddr_combatant BEGIN\n"
    f"{_sqlite_count('OLD', '-')}\n{_sqlite_count('NEW', '+')}\nEND",
]


def _drop_sqlite_triggers(schema_editor: Any) -> None:
    for name in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS ddr_register_tally_{name}")


def unhook(apps: Any, schema_editor: Any) -> None:
    """SQLite rebuilds the tally's table to add its columns, and refuses while the people table's
    triggers name it: they go first, and come back below."""
    if schema_editor.connection.vendor == "sqlite":
        _drop_sqlite_triggers(schema_editor)


def rehook_previous(apps: Any, schema_editor: Any) -> None:
    """Backwards, once the columns are gone: 0013's triggers on SQLite."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in previous.SQLITE:
            schema_editor.execute(statement)


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    else:
        _drop_sqlite_triggers(schema_editor)  # also any a later rebuild had left half in place
        for statement in SQLITE:
            schema_editor.execute(statement)
    schema_editor.execute("DELETE FROM ddr_registertally")
    schema_editor.execute(
        f"{_changes(('ddr_combatant', 1), vendor=vendor)} INSERT INTO ddr_registertally ({KEY}, n) {GROUPED}"
    )


def uninstall(apps: Any, schema_editor: Any) -> None:
    """Backwards: 0013's function (PostgreSQL), no trigger while the table is rebuilt (SQLite); the
    other groupings' rows are already counted under the old key."""
    schema_editor.execute("DELETE FROM ddr_registertally WHERE grouping = 'category'")
    if schema_editor.connection.vendor == "postgresql":
        function = previous.POSTGRES.split("CREATE FUNCTION ddr_register_tally_truncate")[0]
        schema_editor.execute(function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
    else:
        _drop_sqlite_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("ddr", "0024_appeals")]

    operations = [
        migrations.RunPython(unhook, rehook_previous),
        migrations.RemoveConstraint(model_name="registertally", name="register_tally_key"),
        migrations.AddField(
            model_name="registertally",
            name="category",
            field=models.CharField(default="", max_length=24),
        ),
        migrations.AddField(
            model_name="registertally",
            name="has_weapon",
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name="registertally",
            constraint=models.UniqueConstraint(
                fields=(
                    "grouping",
                    "region",
                    "month",
                    "status",
                    "pathway",
                    "sex",
                    "movement_id",
                    "category",
                    "has_weapon",
                ),
                name="register_tally_key",
            ),
        ),
        migrations.RunPython(install, uninstall),
        migrations.AddIndex(
            model_name="combatant",
            index=models.Index(
                condition=models.Q(("category", "child")),
                fields=["region", "status"],
                name="combatant_children",
            ),
        ),
    ]
