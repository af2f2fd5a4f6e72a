"""Tabular exports (CSV for French Excel, XLSX), safe against formula injection, and logged."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from core.models import ExportLog

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest
    from accounts.models import User

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell that a spreadsheet would run as a formula is prefixed with ' and shown as text;
    a moment is written in Bamako's time, which spreadsheets cannot hold with its zone."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if not isinstance(value, str | int | float | Decimal | dt.date | None):
        value = str(value)  # translated labels, model instances
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]  # title, header, rows


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(neutralise(v)) for v in row])
    return buffer.getvalue()


def to_csv(sheets: Sequence[Sheet]) -> bytes:
    """The tables one after the other, each under its title if it has one, with a blank line
    between. With a BOM, so French Excel reads UTF-8."""
    text = "\r\n".join(
        (_csv_text([title], []) if title else "") + _csv_text(header, rows) for title, header, rows in sheets
    )
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """One sheet per table; Excel allows 31 characters of title."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31] or None)
        sheet.append([str(h) for h in header])  # headers may be lazy
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def log_read(
    user: User,
    what: str,
    file_format: str,
    filters: str,
    purpose: str,
    identity: bool,
    rows: int,
    data: bytes,
) -> None:
    """One entry of the export log: a file exported, or a list of people read through the API."""
    ExportLog.objects.create(
        user=user,
        what=what[:64],
        file_format=file_format,
        filters=filters[:1000],
        purpose=purpose[:500],
        identity=identity,
        row_count=rows,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _logged_file(
    request: AuthenticatedHttpRequest,
    what: str,
    sheets: Sequence[Sheet],
    *,
    purpose: str = "",
    identity: bool = False,
) -> HttpResponse:
    """The file asked for (`?export=`), and its entry in the export log."""
    file_format = request.GET["export"]
    data = to_xlsx(sheets) if file_format == "xlsx" else to_csv(sheets)
    rows = sum(len(rows) for _title, _header, rows in sheets)
    log_read(request.user, what, file_format, _filters(request), purpose, identity, rows, data)
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{what}.{file_format}"'
    return response


@dataclass(frozen=True)
class Column:
    """One column of an exported table: its header, and the row's value as an attribute path
    ("region.name", "get_status_display") or a function of the row."""

    header: Any
    value: str | Callable[[Any], Any]

    def of(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        for name in self.value.split("."):
            row = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
            if callable(row):
                row = row()
            if row is None:
                return None
        return row


FORMATS = ("csv", "xlsx")
MIN_PURPOSE = 10  # "test" is not a purpose; "Paiement des filets sociaux, Gao" is


def table_export(
    request: AuthenticatedHttpRequest,
    what: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    *,
    identity: bool = False,
    table: str = "",
) -> HttpResponse | None:
    """The table of a page as a file, when the page is asked for one (`?export=csv|xlsx`): every
    row the page's filters select, not only the page shown, and only what the user may read.
    A table with names or other identifying data is exported only with a stated purpose. Where a
    page shows several tables, `table` names the one asked for (`?table=`)."""
    file_format = request.GET.get("export")
    if file_format not in FORMATS or request.GET.get("table", "") != table:
        return None
    purpose = request.GET.get("purpose", "").strip()
    if identity and len(purpose) < MIN_PURPOSE:
        message = _(
            "This table identifies people: state the purpose of the export (at least %(n)d characters)."
        )
        context = {"message": message % {"n": MIN_PURPOSE}, "back": _filters(request)}
        return render(request, "core/export_refused.html", context, status=400)
    rows = [[c.of(row) for c in columns] for row in rows]
    sheet = ("", [str(c.header) for c in columns], rows)
    return _logged_file(request, what, [sheet], purpose=purpose, identity=identity)


def sections_export(
    request: AuthenticatedHttpRequest,
    what: str,
    sections: Sequence[tuple[str, str, list[str], Sequence[Sequence[Any]]]],
) -> HttpResponse:
    """Several tables of one page (key, title, header, rows) in one file, a sheet each in XLSX;
    or the one named by `?table=`. Only aggregate tables: no purpose is asked."""
    chosen = [s for s in sections if s[0] == request.GET.get("table")] or list(sections)
    name = f"{what}-{chosen[0][0]}" if len(chosen) == 1 else what
    return _logged_file(request, name, [(title, header, rows) for _key, title, header, rows in chosen])


def _filters(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in ("export", "purpose", "page", "table"):
        query.pop(name, None)
    return query.urlencode()


# --- bulk reads of identifying data through the API ---------------------------------------
#
# The API's lists of people are exports by other means: a client paging /api/people/ with
# page_size=500 reads the register with names in a few requests. So every list response that
# identifies people is logged like an export (what="api:...", format "api"); a bulk read (a page
# beyond the first, a page larger than the default, or more than API_FREE_ROWS identifying rows
# within an hour) needs a stated purpose; and such reads are throttled (rate "identity").

API_FREE_ROWS = 500  # identifying rows a user may read in a rolling hour without a purpose
PURPOSE_HEADER = "X-Purpose"
API_PURPOSE_PARAMETERS = [
    OpenApiParameter(
        "purpose",
        OpenApiTypes.STR,
        description="Why these people are read (at least 10 characters): needed for a page beyond the "
        f"first, a page larger than the default, or more than {API_FREE_ROWS} identifying rows within an "
        f"hour. The `{PURPOSE_HEADER}` header may carry it instead. Every response is logged with it.",
    ),
    OpenApiParameter(
        PURPOSE_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, description="Same as `purpose`."
    ),
]


def api_purpose(request: Any) -> str:
    return (request.headers.get(PURPOSE_HEADER) or request.query_params.get("purpose") or "").strip()


def _rows_read_within_the_hour(user: User) -> int:
    since = timezone.now() - dt.timedelta(hours=1)
    logged = ExportLog.objects.filter(user=user, file_format="api", identity=True, created_at__gte=since)
    return logged.aggregate(n=Sum("row_count"))["n"] or 0


def _bulk(request: Any) -> bool:
    params = request.query_params
    page, size = params.get("page", "1"), params.get("page_size", "")
    beyond_first = page not in ("", "1") or bool(params.get("cursor"))  # a cursor points past page 1
    larger = size.isdigit() and int(size) > (api_settings.PAGE_SIZE or 0)
    return beyond_first or larger or _rows_read_within_the_hour(request.user) >= API_FREE_ROWS


class IdentityReadThrottle(UserRateThrottle):
    """Lists that identify people, per user: the rate `identity` of DEFAULT_THROTTLE_RATES."""

    scope = "identity"

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # read live: settings may change
        return str(rate) if rate else None

    def allow_request(self, request: Any, view: Any) -> bool:
        if getattr(view, "action", None) != "list":
            return True
        return super().allow_request(request, view)


class IdentifyingListMixin:
    """For a DRF list endpoint whose rows identify people (names, registration or document
    numbers) for some readers: logged, throttled, and a bulk read needs a purpose (above)."""

    export_name: str = ""  # the export log's `what`, e.g. "api:people"
    # The API's default per-user rate (settings.REST_FRAMEWORK), and this one on top.
    throttle_classes: Sequence[type[BaseThrottle]] = [UserRateThrottle, IdentityReadThrottle]

    @extend_schema(parameters=API_PURPOSE_PARAMETERS)
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # Analysts never get here (403 before the throttle): every reader of these lists sees names.
        purpose = api_purpose(request)
        if len(purpose) < MIN_PURPOSE and _bulk(request):
            message = _(
                "These rows identify people: state the purpose of this read (the %(header)s header or "
                "the purpose parameter, at least %(n)d characters) to read beyond the first page, more "
                "than %(size)d rows at once, or more than %(rows)d rows within an hour."
            )
            limits = {"header": PURPOSE_HEADER, "n": MIN_PURPOSE, "size": api_settings.PAGE_SIZE}
            raise exceptions.ValidationError({"purpose": [message % {**limits, "rows": API_FREE_ROWS}]})
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 200:
            data = response.data
            rows = len(data.get("results", []) if isinstance(data, dict) else data)
            query = request.query_params.copy()
            query.pop("purpose", None)
            filters, what = query.urlencode(), self.export_name

            def logged(rendered: Any) -> None:  # the digest of the very bytes the reader gets
                log_read(request.user, what, "api", filters, purpose, True, rows, rendered.content)

            response.add_post_render_callback(logged)
        return response
