"""manage.py export_archive ARCHIVE [--key-file KEY] [--portable]: the whole database and media in
one file (on PostgreSQL as COPY text; --portable: JSON lines, for a database of another kind)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from programme.archive import ArchiveError, export_archive


class Command(BaseCommand):
    help = "Write the handover archive: every record, audit history, users and roles, media, a manifest."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--key-file", type=Path, help="Fernet key (kept apart from the archive) to encrypt with."
        )
        parser.add_argument(
            "--portable",
            action="store_true",
            help="JSON lines instead of PostgreSQL's COPY text: slower, but any database (SQLite) reads it.",
        )

    def handle(
        self, *args: Any, archive: Path, key_file: Path | None, portable: bool, **options: Any
    ) -> None:
        start = time.perf_counter()
        try:
            key = key_file.read_bytes() if key_file else None
            manifest = export_archive(archive, key=key, portable=portable)
        except (ArchiveError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(p["rows"] for p in manifest["parts"])
        self.stdout.write(
            f"{archive}: {len(manifest['parts'])} tables, {rows:,} rows, {len(manifest['media'])} media files"
            f"{', encrypted' if key else ''} in {time.perf_counter() - start:.1f} s."
        )
