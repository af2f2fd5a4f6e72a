"""The handover archive: export, restore into a fresh database by the commands a successor
would type, and compare: counts, hashes, a sample of records, the audit history. On PostgreSQL in
CI (and on SQLite for the quick start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from cantonment.sites import services as stays
from ddr.models import Combatant

from .factories import CombatantFactory, SiteFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_database(tmp_path: Path) -> Any:
    """An empty database of the same kind as the test database, for the successor; dropped after."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"ddr_restore_{uuid.uuid4().hex[:8]}"
    server = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"

    def run(sql: str) -> None:
        with psycopg.connect(server + "/postgres", autocommit=True) as conn:  # closed on leaving
            conn.execute(sql)

    run(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(url: str, var: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DDR_VAR_DIR": str(var), "DJANGO_DEBUG": "1"}
    return subprocess.run(  # noqa: S603  (our own manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_export_restore_into_a_fresh_database_and_compare(
    transactional_db: Any, reference_data: None, commission_officer: Any, tmp_path: Path, fresh_database: str
) -> None:
    person = CombatantFactory.create(family_name="Maïga", given_name="Aïssata", status=Combatant.Status.ORIENTED)
    site = SiteFactory.create(name="Kati")
    stays.check_in(person=person, site=site, on=timezone.localdate(), by=commission_officer)
    key_file = tmp_path / "key"
    key_file.write_bytes(Fernet.generate_key())
    archive = tmp_path / "ddr.zip"
    call_command("export_archive", str(archive), "--key-file", str(key_file))
    with zipfile.ZipFile(archive) as z:
        assert "ENCRYPTED" in z.namelist() and b"Ma\xc3\xafga" not in z.read("data/ddr.combatant.jsonl")

    url, var = fresh_database, tmp_path / "successor"
    assert _manage(url, var, "migrate", "--noinput").returncode == 0
    refused = _manage(url, var, "import_archive", str(archive))
    assert refused.returncode != 0 and "encrypted" in refused.stderr
    restored = _manage(url, var, "import_archive", str(archive), "--key-file", str(key_file))
    assert restored.returncode == 0, restored.stderr
    assert "restored and verified" in restored.stdout

    # Export the successor's database in clear and compare with ours: counts and hashes, part by part.
    ours, theirs = tmp_path / "ours.zip", tmp_path / "theirs.zip"
    call_command("export_archive", str(ours))
    assert _manage(url, var, "export_archive", str(theirs)).returncode == 0
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        mine, yours = json.loads(a.read("manifest.json")), json.loads(b.read("manifest.json"))
        assert [(p["name"], p["rows"], p["sha256"]) for p in mine["parts"]] == [
            (p["name"], p["rows"], p["sha256"]) for p in yours["parts"]
        ]
        assert mine["schema"] == yours["schema"]
        # A sample record, and its audit history, as the successor holds them.
        people = [json.loads(line) for line in b.read("data/ddr.combatant.jsonl").splitlines()]
        assert {(p["family_name"], p["given_name"], p["status"]) for p in people} == {
            ("Maïga", "Aïssata", "cantoned")
        }
        history = [json.loads(line) for line in b.read("data/ddr.historicalcombatant.jsonl").splitlines()]
        assert [h["history_type"] for h in history] == ["+", "~"] and history[1][
            "history_user_id"
        ] == commission_officer.pk
    assert Combatant.objects.get().status == Combatant.Status.CANTONED
    # The dashboard's tally is not in the archive: the successor's triggers counted the restored people.
    tally = (
        "from ddr.models import RegisterTally as T; print(list(T.objects.filter(grouping='status', n__gt=0)"
    )
    counted = _manage(url, var, "shell", "-c", tally + ".values_list('status', 'n')))")
    assert counted.stdout.strip().splitlines()[-1] == "[('cantoned', 1)]", counted.stderr

    # Restoring twice is refused: the successor's database is no longer empty.
    again = _manage(url, var, "import_archive", str(archive), "--key-file", str(key_file))
    assert again.returncode != 0 and "already holds" in again.stderr


def test_a_wrong_key_or_an_altered_archive_is_refused(
    transactional_db: Any, reference_data: None, tmp_path: Path
) -> None:
    key = tmp_path / "key"
    key.write_bytes(Fernet.generate_key())
    archive = tmp_path / "ddr.zip"
    call_command("export_archive", str(archive), "--key-file", str(key))
    other = tmp_path / "other"
    other.write_bytes(Fernet.generate_key())
    with pytest.raises(CommandError, match="Wrong key"):
        call_command("import_archive", str(archive), "--key-file", str(other))
