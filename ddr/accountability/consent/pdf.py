"""The consent part's printed documents: the declaration to sign (in the language chosen) and the
subject-access file. Every download is logged like an export (`core.exports.log_read`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.exports import log_read
from ddr.accountability.consent.models import ConsentKind, ConsentText
from ddr.registration.models import Combatant

# The interface language the printed labels use for each language of the texts: the Malian
# languages' forms are read from the French labels, as the paper forms are.
LABEL_LANGUAGE = {"en": "en", "ar": "fr", "bm": "fr", "ses": "fr", "tmh": "fr", "ff": "fr", "fr": "fr"}


def declaration_html(request: HttpRequest, person: Combatant, texts: list[ConsentText], language: str) -> str:
    declaration = next((t for t in texts if t.kind == ConsentKind.DECLARATION), None)
    notice = next((t for t in texts if t.kind == ConsentKind.DATA_NOTICE), None)
    context = {"person": person, "declaration": declaration, "notice": notice, "today": timezone.localdate()}
    with translation.override(LABEL_LANGUAGE.get(language, "fr")):
        return render_to_string("ddr/accountability/consent_declaration_print.html", context, request=request)


def logged_download(
    user: User, data: bytes, *, what: str, filename: str, content_type: str, filters: str
) -> HttpResponse:
    """A file about one person, and its line in the export log (identifying: one row)."""
    log_read(user, what, filename.rsplit(".", 1)[-1], filters, "", True, 1, data)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):  # a history entry's changes
        return "; ".join(
            f"{c.get('field', '')}: {c.get('before', '')} → {c.get('after', '')}"
            if isinstance(c, dict)
            else str(c)
            for c in value
        )
    return str(value)


def printable(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sections as the PDF prints them: per record, (label, value) lines, a choice by its label."""
    shown = []
    for s in sections:
        labels = s.get("labels") or {}
        rows = []
        for row in s.get("items", []):
            lines = []
            for name, value in row.items():
                if name.endswith("_label"):
                    continue
                lines.append((labels.get(name, name), _shown(row.get(f"{name}_label", value))))
            rows.append(lines)
        shown.append({"title": s["title"], "rows": rows})
    return shown


def subject_access_html(request: HttpRequest, data: dict[str, Any]) -> str:
    context = {"data": data, "sections": printable(data["sections"])}
    return render_to_string("ddr/accountability/subject_access_print.html", context, request=request)
