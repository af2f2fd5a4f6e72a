"""The register's counts for a reader, region and period (`Scope`): the base table every register
figure is summed from (the dashboard, the pathway counts of the API); for analysts its small cells are
suppressed (`core.suppression`) before any sum."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cached_property
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Trunc

from accounts.models import User
from core import suppression
from core.models import Region
from core.suppression import Base
from ddr.models import (
    Category,
    Combatant,
    RegisterTally,
)
from ddr.registration.models import GROUPINGS


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


# The register's base table for analysts: the finest grain any analyst figure or filter needs,
# "period" the first day of the analysts' period of registration (`suppression.period_kind`).
REGISTER_COLUMNS = ["region_id", "period", "status", "pathway", "sex", "movement_id"]


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# Every column a grouping of the tally counts by, as the part-months are read live.
LIVE_COLUMNS = ("region_id", "status", "pathway", "sex", "movement_id", "category", "has_weapon")


class Scope:
    """Who reads, for which region and period. The people's counts are read once per scope: whole
    months from the tally the database keeps (`RegisterTally`), the part-months at either end of
    the period from the register itself, through its index on the registration date."""

    def __init__(
        self, user: User, *, region: str = "", start: dt.date | None = None, end: dt.date | None = None
    ) -> None:
        self.user, self.start, self.end = user, start, end
        # An unknown region code matches nothing (the API refuses it before it comes here).
        self.region_id = (
            Region.objects.filter(code=region).values_list("id", flat=True).first() or 0 if region else None
        )
        self.analyst = suppression.for_analyst(user)
        if self.analyst:  # whole periods only: a period is then a set of whole base cells
            suppression.analyst_period(start, end)
        self._counts: dict[str, dict[tuple[Any, ...], int]] = {}

    def _filter(self, queryset: Any, region_field: str = "region_id") -> Any:
        return queryset.filter(**{region_field: self.region_id}) if self.region_id is not None else queryset

    def _period(self, queryset: Any, date_field: str) -> Any:
        if self.start:
            queryset = queryset.filter(**{f"{date_field}__gte": self.start})
        if self.end:
            queryset = queryset.filter(**{f"{date_field}__lte": self.end})
        return queryset

    def counts(self, grouping: str) -> dict[tuple[Any, ...], int]:
        """(region id, *the grouping's columns) -> people, children left out (and merged records,
        except in the "status" grouping); read once per scope."""
        if grouping not in self._counts:
            self._counts[grouping] = self._read(grouping)
        return self._counts[grouping]

    def _months(self) -> tuple[dt.date | None, dt.date | None, list[tuple[dt.date | None, dt.date | None]]]:
        """Whole months [from, until) read from the tally, and the days outside them, read live.
        No whole month in the period: from and until are None and the whole period is live."""
        months_from = self.start if not self.start or self.start.day == 1 else next_month(self.start)
        months_until = (self.end + dt.timedelta(days=1)).replace(day=1) if self.end else None
        if months_from and months_until and months_from >= months_until:
            return None, None, [(self.start, self.end)]
        live: list[tuple[dt.date | None, dt.date | None]] = []
        if self.start and months_from and self.start < months_from:
            live.append((self.start, months_from - dt.timedelta(days=1)))
        if self.end and months_until and months_until <= self.end:
            live.append((months_until, self.end))
        return months_from, months_until, live

    @cached_property
    def _live(self) -> list[tuple[Any, ...]]:
        """The part-months, counted from the register in one query by every tallied column."""
        *_, ranges = self._months()
        if not ranges:
            return []
        within = Q()
        for first, last in ranges:
            within |= Q(
                **{k: v for k, v in (("registered_at__gte", first), ("registered_at__lte", last)) if v}
            )
        people = self._filter(Combatant.objects.for_user(self.user)).exclude(category=Category.CHILD)
        people = people.filter(within).values_list(*LIVE_COLUMNS)
        return list(people.annotate(n=Count("id")).order_by())

    def _read(self, grouping: str) -> dict[tuple[Any, ...], int]:
        dims = ["region_id", *GROUPINGS[grouping]]
        counts: dict[tuple[Any, ...], int] = defaultdict(int)
        months_from, months_until, _ranges = self._months()
        if months_from or months_until or not _ranges:
            tally = self._filter(RegisterTally.objects.for_user(self.user)).filter(grouping=grouping)
            if months_from:
                tally = tally.filter(month__gte=months_from)
            if months_until:
                tally = tally.filter(month__lt=months_until)
            for *key, n in tally.values_list(*dims).annotate(total=Sum("n")).order_by():
                counts[tuple(key)] += n
        positions = [LIVE_COLUMNS.index(d) for d in dims]
        for row in self._live:
            if grouping == "status" or row[1] != Combatant.Status.MERGED:
                counts[tuple(row[p] for p in positions)] += row[-1]
        return dict(counts)

    @cached_property
    def register(self) -> Base:
        """Analysts: the register's base table over the whole programme, its small cells dropped;
        a region or a period only selects whole cells of it (`in_scope`)."""
        people = (
            Combatant.objects.for_user(self.user)
            .exclude(category=Category.CHILD)
            .exclude(status=Combatant.Status.MERGED)
        )
        rows = (
            people.annotate(period=Trunc("registered_at", suppression.period_kind()))
            .values_list(*REGISTER_COLUMNS)
            .annotate(n=Count("id"))
            .order_by()
        )
        rows = suppression.small_cells_left_in_database(rows)
        return Base(REGISTER_COLUMNS, ((tuple(key), n) for *key, n in rows))

    def in_scope(self, base: Base) -> Base:
        """The cells of a base (with `region_id` and `period` columns) within the filters."""
        tests: dict[str, Any] = {}
        if self.region_id is not None:
            tests["region_id"] = self.region_id
        if self.start or self.end:
            start, end = self.start or dt.date.min, self.end or dt.date.max
            tests["period"] = lambda period: start <= _as_date(period) <= end
        return base.where(**tests)

    def count_by(self, grouping: str, *columns: str) -> dict[tuple[Any, ...], int]:
        positions = [["region_id", *GROUPINGS[grouping]].index(c) for c in columns]
        totals: dict[tuple[Any, ...], int] = defaultdict(int)
        for key, n in self.counts(grouping).items():
            totals[tuple(key[p] for p in positions)] += n
        return totals
