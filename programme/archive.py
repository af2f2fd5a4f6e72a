"""The handover archive: the whole database (every record of every app, reference data, rule
sets, audit history, users and roles) and the media files, in one ZIP file with a manifest
(schema version, row counts, SHA-256 of each part), optionally encrypted with a key kept apart.

Two formats. On PostgreSQL ("ddr-archive/2") each table is PostgreSQL's own COPY text, streamed
out of one repeatable-read snapshot (every table as of the same instant) and back in with COPY,
as pg_dump and pg_restore do: a million people hand over in seconds, not minutes. The restore
loads into tables stripped of their secondary indexes and foreign keys, rebuilds them, then
re-reads every table and must find the manifest's hashes again before it commits. Elsewhere
(SQLite, the quick start; or `portable=True`), "ddr-archive/1": JSON lines, which any database
reads, verified by exporting again and comparing.

Either way the export is deterministic (rows in primary-key order), so restoring into a freshly
migrated database and exporting again gives the same bytes, part by part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.audit import allow_history_truncate_sql

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

JSON_FORMAT = "ddr-archive/1"  # JSON lines: any database reads them
COPY_FORMAT = "ddr-archive/2"  # PostgreSQL's COPY text: PostgreSQL only, at COPY's speed
MANIFEST = "manifest.json"
ENCRYPTED_MARK = "ENCRYPTED"
BATCH = 5000
CHUNK = 1 << 20  # plaintext bytes per chunk: one Fernet token each when encrypted
# COPY's text depends on these settings: both ends fix them, whatever the servers' defaults.
COPY_SETTINGS = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
}
# Sessions and API tokens belong to the server that issued them: signing in again is required.
# The register tally is derived: the restored people rebuild it through its triggers.
SKIPPED = {"sessions.session", "knox.authtoken", "ddr.registertally"}


class ArchiveError(Exception):
    """The archive cannot be written, read or restored; the message says why."""


def archived_models() -> list[type[models.Model]]:
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.label_lower not in SKIPPED and not m._meta.proxy and m._meta.managed
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _rows(model: type[models.Model]) -> Iterator[bytes]:
    columns = [f.attname for f in model._meta.concrete_fields]
    queryset = model._base_manager.order_by("pk").values_list(*columns)
    for row in queryset.iterator(chunk_size=BATCH):
        yield (
            json.dumps(dict(zip(columns, map(_value, row), strict=True)), sort_keys=True, ensure_ascii=False)
            + "\n"
        ).encode()


def _fernet(key: bytes | None) -> Any:
    if key is None:
        return None
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.strip())
    except ValueError as exc:
        raise ArchiveError("The key is not a valid Fernet key (32 url-safe base64-encoded bytes).") from exc


def schema_version() -> dict[str, str]:
    """The last migration applied in each app: what the archive's data fits."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def export_archive(
    path: Path,
    *,
    key: bytes | None = None,
    portable: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Write the archive; return its manifest. On PostgreSQL the tables go out as COPY text unless
    `portable` asks for JSON lines (for a database of another kind, such as SQLite)."""
    fernet = _fernet(key)
    copy = connection.vendor == "postgresql" and not portable
    parts = []
    with (
        zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True
        ) as archive,
        _snapshot(),
        connection.cursor() as cursor,
    ):
        if copy:
            _copy_settings(cursor)
        for model in archived_models():
            label = model._meta.label_lower
            name = f"data/{label}.{'copy' if copy else 'jsonl'}"
            # Streamed: a table of a million people never sits in memory.
            chunks = _copy_out(cursor, model) if copy else _chunks(_rows(model))
            count, digest = _write_part(archive, name, chunks, fernet)
            part: dict[str, Any] = {"name": name, "model": label, "rows": count, "sha256": digest}
            if copy:
                part["columns"] = _columns(model)
            parts.append(part)
            if progress:
                progress(label, count)
        media = []
        root = Path(settings.MEDIA_ROOT)
        for file in sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []:
            data = file.read_bytes()
            name = f"media/{file.relative_to(root).as_posix()}"
            archive.writestr(name, fernet.encrypt(data) if fernet else data)
            media.append({"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        manifest = {
            "format": COPY_FORMAT if copy else JSON_FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "schema": schema_version(),
            "parts": parts,
            "media": media,
        }
        body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        archive.writestr(MANIFEST, fernet.encrypt(body) if fernet else body)
        if fernet:
            archive.writestr(ENCRYPTED_MARK, b"Fernet (AES-128-CBC + HMAC-SHA256); the key is kept apart.\n")
    return manifest


@contextmanager
def _snapshot() -> Iterator[None]:
    """Every table as of one instant, while the programme goes on writing: one repeatable-read,
    read-only transaction on PostgreSQL (one transaction is a snapshot on SQLite already)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _copy_settings(cursor: Any) -> None:
    settings_sql = ", ".join("set_config(%s, %s, true)" for _ in COPY_SETTINGS)
    cursor.execute(f"SELECT {settings_sql}", [v for item in COPY_SETTINGS.items() for v in item])  # noqa: S608


def _columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _copy_out(cursor: Any, model: type[models.Model]) -> Iterator[bytes]:
    """The table as COPY text, in primary-key order (the same rows give the same bytes), by chunks."""
    quote = connection.ops.quote_name
    select = (  # our own table and column names, quoted
        f"SELECT {', '.join(map(quote, _columns(model)))} FROM {quote(model._meta.db_table)} "  # noqa: S608
        f"ORDER BY {quote(model._meta.pk.column)}"
    )
    buffer = bytearray()
    with cursor.copy(f"COPY ({select}) TO STDOUT") as copy:
        for row in copy:  # one row per item: gathered into chunks
            buffer += row
            if len(buffer) >= CHUNK:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def _write_part(
    archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes], fernet: Fernet | None
) -> tuple[int, str]:
    """Write one table's rows; return how many and the SHA-256 of their plaintext."""
    digest, count = hashlib.sha256(), 0
    target: str | zipfile.ZipInfo = name
    if fernet:
        # Compressed before encryption (ciphertext does not compress), then stored as it is.
        target = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
        target.compress_type = zipfile.ZIP_STORED
    with archive.open(target, "w", force_zip64=True) as member:
        for chunk in chunks:
            digest.update(chunk)
            count += chunk.count(b"\n")  # one row a line: COPY and JSON both escape newlines within values
            member.write(fernet.encrypt(zlib.compress(chunk, 1)) + b"\n" if fernet else chunk)
    return count, digest.hexdigest()


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    rows: int
    media: int
    verified: bool  # every table read back and hashed before commit (ddr-archive/2)


def read_manifest(archive: zipfile.ZipFile, fernet: Fernet | None) -> dict[str, Any]:
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise ArchiveError("Not a DDR archive: it has no manifest.")
    if ENCRYPTED_MARK in names and fernet is None:
        raise ArchiveError("This archive is encrypted: give its key (--key-file).")
    manifest: dict[str, Any] = json.loads(_read(archive, MANIFEST, fernet))
    return manifest


def _read(archive: zipfile.ZipFile, name: str, fernet: Fernet | None) -> bytes:
    data = archive.read(name)
    if fernet is None:
        return data
    from cryptography.fernet import InvalidToken

    try:
        return fernet.decrypt(data)
    except InvalidToken as exc:
        raise ArchiveError("Wrong key, or the archive was altered.") from exc


def _coerce(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.BinaryField):
        return bytes.fromhex(value)
    return (
        field.to_python(value)
        if isinstance(field, models.DateTimeField | models.DateField | models.TimeField | models.DecimalField)
        else value
    )


def import_archive(
    path: Path, *, key: bytes | None = None, progress: Callable[[str, int], None] | None = None
) -> Restored:
    """Restore into a freshly migrated, empty database, checking every part against the manifest.

    A ddr-archive/2 is verified before it commits (every restored table read back and hashed); a
    ddr-archive/1 is verified afterwards, by `verify`."""
    from accounts.models import User
    from ddr.models import Combatant

    if User.objects.exists() or Combatant.objects.exists():
        raise ArchiveError(
            "The database already holds users or people: restore into an empty, migrated database."
        )
    fernet = _fernet(key)
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive, fernet)
        kind = manifest.get("format")
        if kind not in (JSON_FORMAT, COPY_FORMAT):
            raise ArchiveError(f"Unknown archive format: {kind}.")
        if kind == COPY_FORMAT and connection.vendor != "postgresql":
            raise ArchiveError(
                "This archive holds PostgreSQL's own COPY data: restore it into PostgreSQL "
                "(or export it again with --portable)."
            )
        if manifest["schema"] != schema_version():
            raise ArchiveError(
                "The archive was made with another version of the schema: migrate this database to it first."
            )
        by_label = {m._meta.label_lower: m for m in archived_models()}
        unknown = [p["model"] for p in manifest["parts"] if p["model"] not in by_label]
        if unknown:
            raise ArchiveError(f"The archive holds tables this version does not know: {', '.join(unknown)}.")
        if kind == COPY_FORMAT:
            total = _restore_copy(archive, manifest, fernet, by_label, progress)
        else:
            total = _restore_json(archive, manifest, fernet, by_label, progress)
        media = 0
        root = Path(settings.MEDIA_ROOT)
        for item in manifest["media"]:
            data = _read(archive, item["name"], fernet)
            if hashlib.sha256(data).hexdigest() != item["sha256"]:
                raise ArchiveError(f"{item['name']} does not match its SHA-256 in the manifest.")
            target = (root / item["name"].removeprefix("media/")).resolve()
            if not target.is_relative_to(root.resolve()):
                raise ArchiveError(f"{item['name']} points outside the media folder.")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            media += 1
    return Restored(manifest, total, media, verified=kind == COPY_FORMAT)


def _restore_json(
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    fernet: Fernet | None,
    by_label: dict[str, type[models.Model]],
    progress: Callable[[str, int], None] | None,
) -> int:
    total = 0
    with transaction.atomic():
        _empty([by_label[p["model"]] for p in manifest["parts"]])
        for part in manifest["parts"]:
            digest = hashlib.sha256()
            chunks = _read_chunks(archive, part["name"], fernet, digest)
            total += _load(by_label[part["model"]], chunks)
            if digest.hexdigest() != part["sha256"]:
                raise ArchiveError(f"{part['name']} does not match its SHA-256 in the manifest.")
            if progress:
                progress(part["model"], part["rows"])
        _reset_sequences(list(by_label.values()))
    return total


def _restore_copy(
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    fernet: Fernet | None,
    by_label: dict[str, type[models.Model]],
    progress: Callable[[str, int], None] | None,
) -> int:
    """COPY every part in, as pg_restore does: into bare tables, indexes and foreign keys rebuilt
    once at the end (each is one sort or one join, not a million single updates). Then every table
    is read back and must hash as in the manifest; until then nothing is committed."""
    import psycopg

    quote = connection.ops.quote_name
    parts = [(part, by_label[part["model"]]) for part in manifest["parts"]]
    changed = [part["name"] for part, model in parts if part.get("columns") != _columns(model)]
    if changed:
        raise ArchiveError(f"These tables have other columns here than in the archive: {', '.join(changed)}.")
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        _copy_settings(cursor)
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
        _empty([model for _, model in parts])
        rebuild = _strip_tables(cursor, [model._meta.db_table for _, model in parts])
        for part, model in parts:
            digest, rows = hashlib.sha256(), 0
            columns = ", ".join(map(quote, part["columns"]))
            try:
                with cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                    for chunk in _read_chunks(archive, part["name"], fernet, digest):
                        rows += chunk.count(b"\n")
                        copy.write(chunk)
            except (DatabaseError, psycopg.Error) as exc:  # COPY's errors are the driver's own
                raise ArchiveError(f"{part['name']} cannot be loaded, was it altered? ({exc})") from exc
            if digest.hexdigest() != part["sha256"]:
                raise ArchiveError(f"{part['name']} does not match its SHA-256 in the manifest.")
            total += rows
            if progress:
                progress(part["model"], rows)
        try:
            for sql in rebuild:
                cursor.execute(sql)
        except DatabaseError as exc:
            raise ArchiveError(
                f"The restored rows break a rule of this schema, nothing was kept ({exc})."
            ) from exc
        _reset_sequences(list(by_label.values()))
        # What the tables now hold, read back as the export read it.
        different = [
            part["name"]
            for part, model in parts
            if _table_digest(cursor, model) != (part["rows"], part["sha256"])
        ]
        if different:
            raise ArchiveError(
                f"Restored tables differ from the archive, nothing was kept: {', '.join(different)}."
            )
    return total


def _table_digest(cursor: Any, model: type[models.Model]) -> tuple[int, str]:
    digest, count = hashlib.sha256(), 0
    for chunk in _copy_out(cursor, model):
        digest.update(chunk)
        count += chunk.count(b"\n")
    return count, digest.hexdigest()


def _strip_tables(cursor: Any, tables: list[str]) -> list[str]:
    """Drop the tables' foreign keys (those pointing at them too) and their indexes, except the
    primary keys and unique constraints; return the statements that put them back, in order."""
    cursor.execute(
        "SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', c.conrelid::regclass, c.conname), "
        "format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', c.conrelid::regclass, c.conname, "
        "pg_get_constraintdef(c.oid)) "
        "FROM pg_constraint c WHERE c.contype = 'f' AND EXISTS (SELECT 1 FROM pg_class t "
        "WHERE t.oid IN (c.conrelid, c.confrelid) AND t.relname = ANY(%s) "
        "AND t.relnamespace = current_schema()::regnamespace) ORDER BY c.conname",
        [tables],
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT format('DROP INDEX %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.contype IN ('p', 'u', 'x')) ORDER BY 1",
        [tables],
    )
    indexes = cursor.fetchall()
    for drop, _ in [*keys, *indexes]:
        cursor.execute(drop)
    return [create for _, create in indexes] + [create for _, create in keys]


def _empty(tables: list[type[models.Model]]) -> None:
    """What migrate itself wrote (reference data) makes way for the archive's own copy."""
    names = [m._meta.db_table for m in tables]
    if not names:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # History tables refuse TRUNCATE; a restore (run by the owner, in one transaction) may.
            before, after = allow_history_truncate_sql(tables=names)
            for sql in before:
                cursor.execute(sql)
            cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(n) for n in names) + " CASCADE")
            for sql in after:
                cursor.execute(sql)
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")
            for name in names:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(name)}")  # noqa: S608  (our own table names)


def _chunks(lines: Iterator[bytes]) -> Iterator[bytes]:
    chunk: list[bytes] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == BATCH:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


def _read_chunks(archive: zipfile.ZipFile, name: str, fernet: Fernet | None, digest: Any) -> Iterator[bytes]:
    """The part's plaintext rows, chunk by chunk, hashed on the way."""
    with archive.open(name) as member:
        if fernet is None:
            while chunk := member.read(1 << 20):
                digest.update(chunk)
                yield chunk
            return
        for token in member:
            chunk = zlib.decompress(_decrypt(fernet, token.strip()))
            digest.update(chunk)
            yield chunk


def _decrypt(fernet: Fernet, token: bytes) -> bytes:
    from cryptography.fernet import InvalidToken

    try:
        return fernet.decrypt(token)
    except InvalidToken as exc:
        raise ArchiveError("Wrong key, or the archive was altered.") from exc


def _load(model: type[models.Model], chunks: Iterator[bytes]) -> int:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    # Restored as recorded: "created at" and "updated at" stamps are not set to now.
    stamped = [
        f for f in fields.values() if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]  # type: ignore[attr-defined]
    for f in stamped:
        f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        batch: list[models.Model] = []
        count = 0
        pending = b""
        for chunk in chunks:
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                batch.append(_instance(model, fields, line))
                if len(batch) == BATCH:
                    model._base_manager.bulk_create(batch)
                    count, batch = count + len(batch), []
        if pending.strip():
            batch.append(_instance(model, fields, pending))
        if batch:
            model._base_manager.bulk_create(batch)
            count += len(batch)
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add  # type: ignore[attr-defined]
    return count


def _instance(
    model: type[models.Model], fields: dict[str, models.Field[Any, Any]], line: bytes
) -> models.Model:
    row = json.loads(line)
    return model(**{name: _coerce(fields[name], value) for name, value in row.items()})


def _reset_sequences(tables: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), tables)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def verify(restored: Restored, path: Path) -> list[str]:
    """Export the restored database again and compare, part by part: [] when all is identical."""
    if restored.verified:
        return []  # done by import_archive before it committed
    again = export_archive(path, portable=True)  # as it was made: JSON lines
    before = {p["name"]: (p["rows"], p["sha256"]) for p in restored.manifest["parts"]}
    after = {p["name"]: (p["rows"], p["sha256"]) for p in again["parts"]}
    return [name for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]
