"""Pages whose count stops at a cap: counting every match of a broad search over a national
register (a million people, "Maïga" in one name in ten) costs more than the page itself and
tells the reader nothing more than "over 10,000: refine the search"."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


class CappedPaginator(Paginator[Any]):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a LIMIT subquery: stops after cap + 1 matches, whatever the table's size.
        # No ORDER BY: sorting every match only to count them is the cost being avoided.
        matches = self.object_list.order_by()  # type: ignore[attr-defined]
        counted: int = min(matches[: self.cap + 1].count(), self.cap + 1)
        return counted

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
