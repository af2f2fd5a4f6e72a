"""PostgreSQL only: a trigram index so partial, accent-free name search stays fast at national scale.

pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
On SQLite nothing is done; the plain index on name_key serves there.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ddr_combatant_name_key_trgm "
        "ON ddr_combatant USING gin (name_key gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ddr_combatant_name_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("ddr", "0004_weapon_condition")]
    operations = [migrations.RunPython(forwards, backwards)]
