"""The French catalogue is complete: no untranslated or fuzzy entry, and compiled as written."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _unquote(block: str) -> str:
    return "".join(re.findall(r'"(.*)"', block)).replace('\\"', '"').replace("\\n", "\n")


def _entries() -> list[tuple[str, list[str], bool, str | None]]:
    """(msgid, msgstrs, fuzzy, context) for every entry but the header."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block + "\n", re.M)
        if not msgid or _unquote(msgid.group(1)) == "":
            continue
        strs = [_unquote(m) for m in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)]
        context = re.search(r'^msgctxt ((?:".*"\n?)+)', block + "\n", re.M)
        entries.append(
            (
                _unquote(msgid.group(1)),
                strs,
                "#, fuzzy" in block,
                _unquote(context.group(1)) if context else None,
            )
        )
    return entries


def test_french_catalogue_has_no_untranslated_or_fuzzy_entries() -> None:
    entries = _entries()
    assert len(entries) > 100
    assert [e[0] for e in entries if e[2]] == []
    assert [e[0] for e in entries if any(s == "" for s in e[1])] == []


def test_compiled_catalogue_says_what_the_source_says() -> None:
    with open(PO.with_suffix(".mo"), "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    for msgid, strs, _, context in _entries():
        if len(strs) == 1:
            said = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
            assert said == strs[0], msgid
