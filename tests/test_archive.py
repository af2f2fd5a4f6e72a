"""The handover archive: export, restore into a fresh database by the commands a successor
would type, and compare: counts, hashes, a sample of records, the audit history. On PostgreSQL in
CI (COPY text, ddr-archive/2) and on SQLite for the quick start (JSON lines, ddr-archive/1)."""

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
from programme import archive as handover

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


def _part(manifest: dict[str, Any], label: str) -> dict[str, Any]:
    return next(p for p in manifest["parts"] if p["model"] == label)


def _records(z: zipfile.ZipFile, manifest: dict[str, Any], label: str) -> list[dict[str, Any]]:
    """A clear part's rows as dicts, whichever the format (COPY text: strings, \\N for NULL)."""
    part = _part(manifest, label)
    lines = z.read(part["name"]).decode().splitlines()
    if manifest["format"] == handover.JSON_FORMAT:
        return [json.loads(line) for line in lines]
    return [
        {c: None if v == "\\N" else v for c, v in zip(part["columns"], line.split("\t"), strict=True)}
        for line in lines
    ]


def _manage(url: str, var: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DDR_VAR_DIR": str(var), "DJANGO_DEBUG": "1"}
    return subprocess.run(  # noqa: S603  (our own manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_export_restore_into_a_fresh_database_and_compare(
    transactional_db: Any, reference_data: None, commission_officer: Any, tmp_path: Path, fresh_database: str
) -> None:
    person = CombatantFactory.create(
        family_name="Maïga", given_name="Aïssata", status=Combatant.Status.ORIENTED
    )
    site = SiteFactory.create(name="Kati")
    stays.check_in(person=person, site=site, on=timezone.localdate(), by=commission_officer)
    key_file = tmp_path / "key"
    key_file.write_bytes(Fernet.generate_key())
    archive = tmp_path / "ddr.zip"
    call_command("export_archive", str(archive), "--key-file", str(key_file))
    part = "data/ddr.combatant." + ("copy" if connection.vendor == "postgresql" else "jsonl")
    with zipfile.ZipFile(archive) as z:
        assert "ENCRYPTED" in z.namelist() and b"Ma\xc3\xafga" not in z.read(part)

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
        assert mine["schema"] == yours["schema"] and mine["format"] == yours["format"]
        assert mine["format"] == (
            handover.COPY_FORMAT if connection.vendor == "postgresql" else handover.JSON_FORMAT
        )
        # A sample record, and its audit history, as the successor holds them.
        people = _records(b, yours, "ddr.combatant")
        assert {(p["family_name"], p["given_name"], p["status"]) for p in people} == {
            ("Maïga", "Aïssata", "cantoned")
        }
        history = _records(b, yours, "ddr.historicalcombatant")
        assert [h["history_type"] for h in history] == ["+", "~"]
        assert str(history[1]["history_user_id"]) == str(commission_officer.pk)
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


def _altered(source: Path, target: Path, name: str, change: Any) -> None:
    """A copy of the archive with one member's bytes changed, the manifest left as it was."""
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(target, "w") as b:
        for item in a.namelist():
            data = a.read(item)
            b.writestr(item, change(data) if item == name else data)


def test_an_altered_part_is_refused_and_nothing_is_kept(
    transactional_db: Any, reference_data: None, commission_officer: Any, tmp_path: Path, fresh_database: str
) -> None:
    CombatantFactory.create(family_name="Maïga", given_name="Aïssata")
    archive, forged = tmp_path / "ddr.zip", tmp_path / "forged.zip"
    call_command("export_archive", str(archive))
    with zipfile.ZipFile(archive) as z:
        name = _part(json.loads(z.read("manifest.json")), "ddr.combatant")["name"]
    _altered(archive, forged, name, lambda data: data.replace("Aïssata".encode(), b"Aminata"))

    url, var = fresh_database, tmp_path / "successor"
    assert _manage(url, var, "migrate", "--noinput").returncode == 0
    refused = _manage(url, var, "import_archive", str(forged))
    assert refused.returncode != 0 and f"{name} does not match its SHA-256" in refused.stderr
    # Nothing of it stayed: the same database takes the genuine archive afterwards.
    restored = _manage(url, var, "import_archive", str(archive))
    assert restored.returncode == 0 and "restored and verified" in restored.stdout, restored.stderr


def test_a_portable_archive_restores_and_verifies_on_any_database(
    transactional_db: Any, reference_data: None, commission_officer: Any, tmp_path: Path, fresh_database: str
) -> None:
    """ddr-archive/1 (JSON lines): what SQLite writes, and what PostgreSQL writes when asked, for a
    successor on another kind of database; archives of that format made before keep restoring."""
    CombatantFactory.create(family_name="Touré", given_name="Oumar")
    archive = tmp_path / "ddr.zip"
    call_command("export_archive", str(archive), "--portable")
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["format"] == handover.JSON_FORMAT
        assert [p["given_name"] for p in _records(z, manifest, "ddr.combatant")] == ["Oumar"]
    url, var = fresh_database, tmp_path / "successor"
    assert _manage(url, var, "migrate", "--noinput").returncode == 0
    restored = _manage(url, var, "import_archive", str(archive))
    assert restored.returncode == 0 and "restored and verified" in restored.stdout, restored.stderr


def _manifest_only(path: Path, manifest: dict[str, Any]) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))


def test_an_unknown_format_and_copy_data_outside_postgresql_are_refused(
    transactional_db: Any, reference_data: None, tmp_path: Path
) -> None:
    base = {"schema": handover.schema_version(), "parts": [], "media": []}
    unknown = tmp_path / "unknown.zip"
    _manifest_only(unknown, {**base, "format": "ddr-archive/9"})
    with pytest.raises(CommandError, match="Unknown archive format: ddr-archive/9"):
        call_command("import_archive", str(unknown))
    copy = tmp_path / "copy.zip"
    _manifest_only(copy, {**base, "format": handover.COPY_FORMAT})
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="restore it into PostgreSQL"):
            call_command("import_archive", str(copy))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and its read-back are PostgreSQL's")
def test_a_table_that_reads_back_differently_is_refused_and_rolled_back(
    transactional_db: Any, reference_data: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.models import Region

    regions = Region.objects.count()
    archive = tmp_path / "ddr.zip"
    manifest = handover.export_archive(archive)
    # Restored in place (no user, no person: an empty register), then every read-back differs.
    monkeypatch.setattr(handover, "_table_digest", lambda cursor, model: (0, "not the archive's"))
    with pytest.raises(handover.ArchiveError, match="differ from the archive, nothing was kept"):
        handover.import_archive(archive)
    assert Region.objects.count() == regions > 0
    monkeypatch.undo()
    restored = handover.import_archive(archive)
    assert restored.verified and restored.rows == sum(p["rows"] for p in manifest["parts"])
    assert Region.objects.count() == regions


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_part_copy_cannot_read_is_refused_and_rolled_back(
    transactional_db: Any, reference_data: None, tmp_path: Path
) -> None:
    from core.models import Region

    regions = Region.objects.count()
    archive, forged = tmp_path / "ddr.zip", tmp_path / "forged.zip"
    handover.export_archive(archive)
    _altered(archive, forged, "data/core.region.copy", lambda data: b"not\ta row\n" + data)
    with pytest.raises(handover.ArchiveError, match="data/core.region.copy cannot be loaded, was it altered"):
        handover.import_archive(forged)
    assert Region.objects.count() == regions > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the concurrent writer is PostgreSQL's case")
def test_every_table_is_read_as_of_one_instant(
    transactional_db: Any, reference_data: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person registered while the export runs (after its first table, before the people's) is in
    no table of the archive: neither the people nor their history, which stay consistent."""
    import threading

    from django.db import connections

    CombatantFactory.create(given_name="Before")
    write_part = handover._write_part
    written: list[str] = []

    def register_meanwhile() -> None:
        try:
            CombatantFactory.create(given_name="Meanwhile")  # this thread's own connection: committed
        finally:
            connections.close_all()

    def write_then_register(*args: Any) -> tuple[int, str]:
        result = write_part(*args)
        if not written:
            thread = threading.Thread(target=register_meanwhile)
            thread.start()
            thread.join()
        written.append(args[1])
        return result

    monkeypatch.setattr(handover, "_write_part", write_then_register)
    archive = tmp_path / "ddr.zip"
    manifest = handover.export_archive(archive)
    assert Combatant.objects.filter(given_name="Meanwhile").exists()
    assert written[0] < "data/ddr.combatant.copy"
    with zipfile.ZipFile(archive) as z:
        assert [p["given_name"] for p in _records(z, manifest, "ddr.combatant")] == ["Before"]
        assert [h["given_name"] for h in _records(z, manifest, "ddr.historicalcombatant")] == ["Before"]
