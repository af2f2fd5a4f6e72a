"""Tabular exports (CSV for French Excel, XLSX), safe against formula injection, and logged."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from .models import ExportLog

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell that a spreadsheet would run as a formula is prefixed with ' and shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise("" if v is None else str(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: French Excel reads UTF-8 then


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_response(
    *,
    user: Any,
    what: str,
    file_format: str,
    filters: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> HttpResponse:
    data = to_xlsx(header, rows) if file_format == "xlsx" else to_csv(header, rows)
    ExportLog.objects.create(
        user=user,
        what=what,
        file_format=file_format,
        filters=filters[:1000],
        row_count=len(rows),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{what}.{file_format}"'
    return response
