"""The French catalogue is complete: no untranslated or fuzzy entry, and compiled as written."""

from __future__ import annotations

import datetime as dt
import gettext
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

from core.dates import shown_date

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


def test_dates_in_messages_are_the_readers_never_iso_or_us_order() -> None:
    day = dt.date(2026, 11, 30)
    with translation.override("fr"):
        assert shown_date(day) == "30/11/2026"
    with translation.override("en"):
        assert shown_date(day) == "30 Nov 2026"  # the month in letters: 11/30 is never read wrong
        shown = Template('{{ d|date:"SHORT_DATE_FORMAT" }} {{ d|date:"DATE_FORMAT" }}').render(
            Context({"d": day})
        )
        assert shown == "30 Nov 2026 30 November 2026"
