"""The handover archive: the whole database (every record of every app, reference data, rule
sets, audit history, users and roles) and the media files, in one ZIP file with a manifest
(schema version, row counts, SHA-256 of each part), optionally encrypted with a key kept apart.

Export is deterministic: rows in primary-key order, JSON with sorted keys. Restoring into a
freshly migrated database and exporting again gives the same bytes, so verification compares
the two manifests' hashes, part by part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.audit import allow_history_truncate_sql

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

FORMAT = "ddr-archive/1"
MANIFEST = "manifest.json"
ENCRYPTED_MARK = "ENCRYPTED"
BATCH = 5000
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
    path: Path, *, key: bytes | None = None, progress: Callable[[str, int], None] | None = None
) -> dict[str, Any]:
    """Write the archive; return its manifest."""
    fernet = _fernet(key)
    parts = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for model in archived_models():
            name = f"data/{model._meta.label_lower}.jsonl"
            digest, count = hashlib.sha256(), 0
            # Streamed: a table of a million people never sits in memory. Encrypted, each chunk of
            # rows is one Fernet token on its own line.
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in _chunks(_rows(model)):
                    digest.update(chunk)
                    count += chunk.count(b"\n")
                    # Compressed before encryption: ciphertext does not compress.
                    member.write(fernet.encrypt(zlib.compress(chunk)) + b"\n" if fernet else chunk)
            parts.append(
                {"name": name, "model": model._meta.label_lower, "rows": count, "sha256": digest.hexdigest()}
            )
            if progress:
                progress(model._meta.label_lower, count)
        media = []
        root = Path(settings.MEDIA_ROOT)
        for file in sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []:
            data = file.read_bytes()
            name = f"media/{file.relative_to(root).as_posix()}"
            archive.writestr(name, fernet.encrypt(data) if fernet else data)
            media.append({"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        manifest = {
            "format": FORMAT,
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


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    rows: int
    media: int


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
    """Restore into a freshly migrated, empty database, then verify every part against the manifest."""
    from accounts.models import User
    from ddr.models import Combatant

    if User.objects.exists() or Combatant.objects.exists():
        raise ArchiveError(
            "The database already holds users or people: restore into an empty, migrated database."
        )
    fernet = _fernet(key)
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive, fernet)
        if manifest.get("format") != FORMAT:
            raise ArchiveError(f"Unknown archive format: {manifest.get('format')}.")
        if manifest["schema"] != schema_version():
            raise ArchiveError(
                "The archive was made with another version of the schema: migrate this database to it first."
            )
        by_label = {m._meta.label_lower: m for m in archived_models()}
        unknown = [p["model"] for p in manifest["parts"] if p["model"] not in by_label]
        if unknown:
            raise ArchiveError(f"The archive holds tables this version does not know: {', '.join(unknown)}.")
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
    return Restored(manifest, total, media)


def _empty(tables: list[type[models.Model]]) -> None:
    """What migrate itself wrote (reference data) makes way for the archive's own copy."""
    names = [m._meta.db_table for m in tables]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # History tables refuse TRUNCATE; a restore (run by the owner, in one transaction) may.
            before, after = allow_history_truncate_sql()
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
    again = export_archive(path)
    before = {p["name"]: (p["rows"], p["sha256"]) for p in restored.manifest["parts"]}
    after = {p["name"]: (p["rows"], p["sha256"]) for p in again["parts"]}
    return [name for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]
