"""manage.py import_archive ARCHIVE [--key-file KEY]: restore into an empty, migrated database and
verify it (every table read back must hash as in the manifest)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from programme.archive import ArchiveError, import_archive, verify


class Command(BaseCommand):
    help = "Restore a handover archive into an empty, migrated database, then verify it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--key-file", type=Path, help="The key the archive was encrypted with.")

    def handle(self, *args: Any, archive: Path, key_file: Path | None, **options: Any) -> None:
        start = time.perf_counter()
        try:
            key = key_file.read_bytes() if key_file else None
            restored = import_archive(archive, key=key)
            with tempfile.TemporaryDirectory() as tmp:
                different = verify(restored, Path(tmp) / "check.zip")
        except (ArchiveError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if different:
            raise CommandError(f"Restored, but these parts differ from the archive: {', '.join(different)}")
        self.stdout.write(
            f"{archive}: {restored.rows:,} rows and {restored.media} media files restored and verified "
            f"in {time.perf_counter() - start:.1f} s."
        )
