"""Uploaded tables, read one way for every import: size, encoding, CSV or XLSX, each cell checked.

Every problem becomes `FileRejected` (the whole file) or a row error (line, column, reason);
nothing here raises anything else, so an import never stays "checking" on a reader's surprise.
Errors are stored capped (`DDR_IMPORT_MAX_ERRORS`) with their total, shown a page at a time and
downloadable as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.errors import Refused
from core.exports import to_csv

ERRORS_PER_PAGE = 50
# A stored reason never grows with what the file holds: quoted values are cut too.
MAX_REASON = 300
MAX_QUOTED = 60
# Control characters have no place in a name or a number; a tab is harmless and common.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
FIRST_LINE = re.compile(r"[^\r\n]*")


class FileRejected(Refused):
    """The whole file is unusable (encoding, format, size, missing columns): one clear reason."""

    field = "file"


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:g}"


def check_size(size: int, max_bytes: int, message: str | None = None) -> None:
    if size > max_bytes:
        raise FileRejected(
            (message or _("The file is larger than %(mb)s MB; split it into several files."))
            % {"mb": megabytes(max_bytes)}
        )


TABLE_EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm")


def clean_table_upload(upload: Any, *, max_bytes: int, too_large: str | None = None) -> Any:
    """A form's check of an uploaded table: its type and its size, before anything reads it."""
    from django import forms

    if not upload.name.lower().endswith(TABLE_EXTENSIONS):
        raise forms.ValidationError(_("Only CSV and XLSX files are accepted."))
    try:
        check_size(upload.size or 0, max_bytes, too_large)
    except FileRejected as exc:
        raise forms.ValidationError(str(exc)) from exc
    return upload


def max_length(model: Any, field: str) -> int:
    """The longest value `model.field` stores: a cell is checked against it before the preview."""
    return int(getattr(model._meta.get_field(field), "max_length", None) or 0)


def quoted(value: str) -> str:
    """A cell's value as a reason quotes it: at most MAX_QUOTED characters."""
    return repr(value if len(value) <= MAX_QUOTED else value[:MAX_QUOTED] + "…")


# Spreadsheet formulas (and DDE payloads) start with these, or with a minus not before a number.
FORMULA_START = ("=", "+", "@", "\t", "\r")


def is_formula(value: str) -> bool:
    """A cell a spreadsheet would evaluate (CSV injection): refused by the imports, never stored."""
    if value.startswith(FORMULA_START):
        return True
    return value.startswith("-") and len(value) > 1 and not value[1:].replace(".", "").isdigit()


def cell_problem(value: str, max_length: int, *, refuse_formulas: bool = False) -> str:
    """Why a cell cannot be stored as it is ('' when it can): a formula (where refused: said first,
    however long or odd the formula), control characters, length. One reason a cell."""
    if refuse_formulas and is_formula(value):
        return _("Looks like a spreadsheet formula; formulas are refused.")
    if m := CONTROL.search(value):
        return _("Contains a control character (U+%(code)s); only printable text is accepted.") % {
            "code": f"{ord(m[0]):04X}"
        }
    if len(value) > max_length:
        return _("Too long: %(n)s characters, at most %(max)s.") % {"n": len(value), "max": max_length}
    return ""


# --- reading --------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    # A NUL in the header or in many places is a binary file (or UTF-16); a stray NUL in a
    # row is that row's error, reported with its line.
    sample = data[:4096]
    header = sample.split(b"\n", 1)[0].split(b"\r", 1)[0]
    if b"\x00" in header or sample.count(b"\x00") > max(1, len(sample) // 100):
        raise FileRejected(_("This is not a text file (it contains binary data)."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(_("Unknown text encoding: save the file as UTF-8 or Windows-1252 (cp1252)."))


def read_csv(data: bytes, delimiter: str = "") -> Iterator[list[str]]:
    """Rows of a CSV file (`;` or `,`, any line ending). A row csv cannot read rejects the file."""
    text = decode(data)
    if not delimiter:
        first_line = FIRST_LINE.match(text)[0]  # type: ignore[index]
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        line = reader.line_num
        if "field limit" in str(exc):
            raise FileRejected(
                _("Line %(line)s: a cell is longer than %(max)s characters; the file is refused.")
                % {"line": line, "max": f"{csv.field_size_limit():,}"}
            ) from exc
        raise FileRejected(
            _("Line %(line)s cannot be read (%(reason)s); check the quotes and separators.")
            % {"line": line, "reason": str(exc)[:MAX_QUOTED]}
        ) from exc


def _xlsx_unreadable(exc: Exception) -> FileRejected:
    from defusedxml import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return FileRejected(
                _("This XLSX file contains XML entities (a possible XML bomb); it is refused.")
            )
        cause = cause.__cause__ or cause.__context__
    return FileRejected(_("This XLSX file cannot be read: %(reason)s") % {"reason": type(exc).__name__})


def read_xlsx(data: bytes) -> Iterator[list[str]]:
    # openpyxl parses through defusedxml when it is installed: entity bombs are refused.
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRejected(_("This XLSX file is damaged or is not an Excel file."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(_("This XLSX file is damaged or is not an Excel file.")) from exc
    if unpacked > 20 * len(data) + 50_000_000:
        raise FileRejected(_("This XLSX file expands to an unreasonable size; it is refused."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        # read_only parses lazily: errors can surface while iterating, so the loop is guarded too.
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield [
                ""
                if v is None
                else (v.strftime("%d/%m/%Y") if isinstance(v, dt.datetime | dt.date) else str(v))
                for v in row
            ]
        book.close()
    except FileRejected:
        raise
    except Exception as exc:  # openpyxl and defusedxml raise many kinds; all mean "unreadable"
        raise _xlsx_unreadable(exc) from exc


def read_table(
    data: bytes, filename: str, *, max_bytes: int, too_large: str | None = None, delimiter: str = ""
) -> Iterator[list[str]]:
    """The rows of an uploaded CSV or XLSX file, header first. Raises FileRejected (also while
    iterating) for anything that makes the file unusable."""
    check_size(len(data), max_bytes, too_large)
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    return read_csv(data, delimiter)


# --- errors: capped, paged, downloadable ----------------------------------------------------


def error(line: int, column: str, reason: Any) -> dict[str, Any]:
    text = str(reason)
    return {
        "line": line,
        "column": column,
        "reason": text if len(text) <= MAX_REASON else text[:MAX_REASON] + "…",
    }


def capped(errors: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The first DDR_IMPORT_MAX_ERRORS errors (reasons cut to MAX_REASON) and how many there were."""
    limit = settings.DDR_IMPORT_MAX_ERRORS
    kept: list[dict[str, Any]] = []
    total = 0
    for e in errors:
        total += 1
        if total <= limit:
            kept.append(error(e["line"], e["column"], e["reason"]))
    return kept, total


def errors_page(request: HttpRequest, errors: list[dict[str, Any]]) -> Page[dict[str, Any]]:
    return Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))


def errors_csv(filename: str, errors: list[dict[str, Any]], *, total: int, message: str = "") -> HttpResponse:
    """The stored errors as CSV, written like every export (`;`, BOM, formula cells neutralised:
    a reason may quote what the file held)."""
    rows: list[list[Any]] = [["", "", message]] if message else []
    rows += [[e["line"], e["column"], e["reason"]] for e in errors]
    if total > len(errors):
        more = _("… and %(n)s more errors, not stored: correct these and check the file again.")
        rows.append(["", "", more % {"n": total - len(errors)}])
    data = to_csv([("", [_("Line"), _("Column"), _("Reason")], rows)])
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A scanned document (a consent form, a decision's minutes) is a PDF or a photo of the paper; its
# name and its first bytes must agree.
DOCUMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".webp": (b"RIFF",),  # and "WEBP" at offset 8
}
DOCUMENT_HEAD = 16  # bytes read to check the signature
DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,application/pdf,image/jpeg,image/png,image/webp"


def document_is_accepted(name: str, head: bytes) -> bool:
    """A PDF or an image (JPEG, PNG, WebP) by its extension AND its content: a renamed
    executable or a Word document named .pdf is refused."""
    lowered = name.lower()
    extension = lowered[lowered.rfind(".") :] if "." in lowered else ""
    signatures = DOCUMENT_SIGNATURES.get(extension)
    if not signatures or not head.startswith(signatures):
        return False
    return extension != ".webp" or head[8:12] == b"WEBP"


def document_file_is_accepted(file: Any) -> bool:
    """`document_is_accepted` for an uploaded file: its name and its first bytes, read and rewound."""
    file.seek(0)
    head = file.read(DOCUMENT_HEAD)
    file.seek(0)
    return document_is_accepted(getattr(file, "name", "") or "", head)
