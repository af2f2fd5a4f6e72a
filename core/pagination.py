"""Pages whose count stops at a cap: counting every match of a broad search over a national
register (a million people, "Maïga" in one name in ten) costs more than the page itself and
tells the reader nothing more than "over 10,000: refine the search"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import F, OrderBy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


def capped_count(matches: Any, cap: int = COUNT_CAP) -> int:
    """How many rows match, up to cap + 1: COUNT(*) over a LIMIT subquery stops after cap + 1
    matches, whatever the table's size. No ORDER BY: sorting every match only to count them is
    the cost being avoided."""
    matches = getattr(matches, "counted_from", matches)
    counted: int = min(matches.order_by()[: cap + 1].count(), cap + 1)
    return counted


def counted_from(rows: Any, matches: Any) -> Any:
    """`rows`, counted as `matches`: the same rows before their columns were joined on (a `values()`
    page with its regions' and movements' codes). Joined on keys that cannot be missing, they count
    the same, and without the joins an index alone gives the count (2 ms instead of 17 for a
    region and a category at a million people)."""
    rows.counted_from = matches
    return rows


class CappedPaginator(Paginator[Any]):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.cap)

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.capped and top + self.orphans >= self.count:  # past the cap, the count is no end
            top = self.count
        return Page(self.object_list[bottom:top], number, self)

    @property
    def capped(self) -> bool:
        """True when there are more matches than `cap`: `count` is then a lower bound."""
        return self.count > self.cap


class OnePassPaginator(CappedPaginator):
    """For an order no index gives (a name search sorted by name): the database reads the matches
    to sort them, so one query reads at most cap + 1 of them (in no order), counts them, sorts
    them and returns the page's ids, and on PostgreSQL the distinct values of the `distinct`
    columns among them (`distinct_values`: the cohort form's statuses) from the same scan. The
    page's rows are then read by id.

    Past the cap the matches are not sorted: the first page of a sample would be wrong, and
    sorting every match is the cost being avoided (24,000 "Maïga" at a million people: 80 ms
    where the capped pass takes 40). The pages are then in the order the records were entered
    (`in_entry_order`: the primary key's, which its index serves), and the table says so. A page
    past the end, or an order this cannot restate as columns, goes the usual way (count, then page)."""

    in_entry_order = False

    def __init__(self, object_list: Any, per_page: int, *, distinct: Sequence[str] = (), **kw: Any) -> None:
        super().__init__(object_list, per_page, **kw)
        self.distinct = tuple(distinct)
        self.distinct_values: dict[str, list[Any]] = {}

    def page(self, number: Any) -> Any:
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        bottom = (number - 1) * self.per_page
        if not 0 <= bottom <= self.cap:  # no row of the pass there: the usual count and errors
            return super().page(number)
        keys = self._one_pass(bottom)
        if not keys:
            return super().page(number)
        self.__dict__["count"] = keys[0][1]  # at most cap + 1, as the capped count says it
        if self.capped:
            self.in_entry_order, self.distinct_values = True, {}  # the values of a sample only
            self.object_list = self.object_list.order_by("pk")  # type: ignore[attr-defined]
            return super().page(number)
        by_id = self.object_list.order_by().in_bulk([row[0] for row in keys])  # type: ignore[attr-defined]
        return Page([by_id[row[0]] for row in keys if row[0] in by_id], number, self)

    def _one_pass(self, bottom: int) -> list[tuple[Any, ...]]:
        """The page's ids, each with the capped count (and the distinct values), in one query;
        nothing when the order cannot be restated as columns or nothing can match."""
        matches: Any = self.object_list  # a QuerySet
        sort = _sort_keys(matches)
        if sort is None:
            return []
        keys, order = sort
        connection = connections[matches.db]
        columns = {f"_d{i}": F(name) for i, name in enumerate(self.distinct)}
        if connection.vendor != "postgresql":
            columns = {}  # array_agg is PostgreSQL's: the caller reads the values itself
        sample = matches.order_by().annotate(_id=F("pk"), **keys, **columns).values("_id", *keys, *columns)
        try:
            sql, params = sample[: self.cap + 1].query.get_compiler(using=matches.db).as_sql()
        except EmptyResultSet:  # `.none()`, an empty `pk__in`: nothing matches
            return []
        # Only our own aliases go into the text; every value stays a parameter of Django's query.
        extra = "".join(f', (SELECT array_agg(DISTINCT "{c}") FROM m)' for c in columns)  # noqa: S608
        query = (
            f'WITH m AS ({sql}) SELECT "_id", (SELECT COUNT(*) FROM m){extra} FROM m '  # noqa: S608
            f"ORDER BY {', '.join(order)} LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, (*params, self.per_page, bottom))
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        if rows and columns:
            self.distinct_values = {name: list(rows[0][2 + i]) for i, name in enumerate(self.distinct)}
        return rows

    def get_page(self, number: Any) -> Any:
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):
            return super().get_page(number)


def _sort_keys(matches: Any) -> tuple[dict[str, Any], list[str]] | None:
    """The queryset's order as columns `_k0`, `_k1`... and their ORDER BY, the primary key last (a
    total order); None for an order that would not sort the same way restated so: none given (the
    model's own), random, reversed, `extra()`, nulls placed on purpose, or a relation's ordering."""
    query = matches.query
    if not query.order_by or not query.standard_ordering or query.extra_order_by:
        return None
    keys: dict[str, Any] = {}
    order = []
    for i, item in enumerate([*query.order_by, "pk"]):
        expression: Any
        if isinstance(item, str):
            name = item.removeprefix("-")
            if name == "?" or ("__" not in name and name != "pk" and _is_relation(matches.model, name)):
                return None
            expression, descending = F(name), item.startswith("-")
        elif isinstance(item, OrderBy):
            if item.nulls_first or item.nulls_last:
                return None
            expression, descending = item.expression, item.descending
        else:
            expression, descending = item, False
        keys[f"_k{i}"] = expression
        order.append(f'"_k{i}"' + (" DESC" if descending else ""))
    return keys, order


def _is_relation(model: Any, name: str) -> bool:
    try:
        return bool(model._meta.get_field(name).is_relation)
    except FieldDoesNotExist:
        return False  # an annotation


class Pagination(PageNumberPagination):
    """Pages of 50 by default; clients may ask for up to 500 with `page_size`.

    `count` is exact up to 10,000; beyond, it is 10,001 and `count_capped` is true."""

    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped  # type: ignore[union-attr]
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["required"] = [*result.get("required", []), "count_capped"]
        result["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "More matches than 10,000: `count` is then 10,001, a lower bound.",
        }
        return result


class IdCursorPagination(CursorPagination):
    """Pages in id order that count nothing: the next page starts after the last id read, so the
    millionth row costs what the first does (an index range scan), whatever the filters."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return ("id",)  # a cursor walks the ids: `ordering` does not apply to it


class PageOrCursorPagination(Pagination):
    """Numbered pages with a capped count (`Pagination`) by default; with `cursor` in the query
    (empty for the first page), cursor pages for analysts and bulk readers: no count, `next` and
    `previous` links carry the cursor, in id order."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self.cursor: IdCursorPagination | None = None
        if "cursor" in request.query_params:
            self.cursor = IdCursorPagination()
            return self.cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["required"] = ["results"]  # cursor pages have no count
        return result

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        cursor = {
            "name": "cursor",
            "required": False,
            "in": "query",
            "description": str(
                _(
                    "Cursor pages, in id order and without a count: empty for the first page, then "
                    "the cursor of the `next` link. `page` and `ordering` do not apply."
                )
            ),
            "schema": {"type": "string"},
        }
        return [*super().get_schema_operation_parameters(view), cursor]

    def get_html_context(self) -> Any:
        return self.cursor.get_html_context() if self.cursor is not None else super().get_html_context()
