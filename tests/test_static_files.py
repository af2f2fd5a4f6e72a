"""Production's static storage refuses a file that points at a missing one: every page would be a 500."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
# What ManifestStaticFilesStorage follows: CSS url(...) and @import, source map comments in CSS and JS.
REFERENCES = {
    ".css": [
        re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)"""),
        re.compile(r"""@import\s*['"]([^'"]+)['"]"""),
        re.compile(r"/\*# sourceMappingURL=(\S+)\s*\*/"),
    ],
    ".js": [re.compile(r"(?m)^//# sourceMappingURL=(\S+)")],
}


def _missing_references() -> list[str]:
    missing = []
    for path in sorted(STATIC.rglob("*")):
        for pattern in REFERENCES.get(path.suffix, []):
            for target in pattern.findall(path.read_text(errors="replace")):
                if target.startswith(("data:", "#", "http:", "https:", "//", "/")):
                    continue
                if not (path.parent / target.split("?")[0].split("#")[0]).exists():
                    missing.append(f"{path.relative_to(ROOT)} -> {target}")
    return missing


def test_no_vendored_file_points_at_a_missing_file() -> None:
    assert _missing_references() == []


def test_collectstatic_with_the_manifest_storage_succeeds(tmp_path: Path, settings: Any) -> None:
    """What the Dockerfile runs, every installed app's files included, less the compression."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/leaflet/leaflet.*.js"))
