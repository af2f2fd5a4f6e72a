"""Small-count suppression for analysts, written once: every count an analyst reads (API, pages,
CSV and XLSX exports, the dashboard) comes out of this module.

Design: one suppressed base table per source, every figure a sum of its visible cells.

- Each source of people's counts (the register, the stays on sites, desertions, weapons declared
  and handed in, list integrity, CVR beneficiaries, integration candidates) is first counted into
  a **base table** at the finest grain an analyst may ask for: for the register, region x period
  of registration x status x pathway x sex x movement. Periods are whole periods of the analysts'
  grain, `DDR_ANALYST_PERIOD_MONTHS` (1, 3 or 12: months, quarters, years; `analyst_period`
  refuses anything finer), so a period is a set of whole base cells.
- The grain decides how much analysts see: the finer it is, the more people fall in cells of 1
  to 4. On the demo data (3,000 people) analysts see 384 people (13%) at month grain, 1,177 (39%)
  at quarter grain and 2,013 (67%) at year grain; the default is the quarter, the rhythm of the
  UN Secretary-General's reports to the Security Council on Mali.
- A base cell below `SUPPRESS_BELOW` (1 to 4 people) is **dropped**, before anything is summed.
- Every figure an analyst reads (a cell of any grouping, a row or a column, a total, a filtered
  or a per-period figure, a share) is a sum of **visible** base cells only (`Base.margin`).

Why this is safe, whatever an analyst combines: everything they can read is a function of the
visible cells alone. A dropped cell never enters any figure, so no sum, difference or system of
equations over the figures (a finer grouping minus its parent, one period minus another, a
movement minus its lists, a row total minus its cells) carries any information about it. A
hidden cell and an empty one look the same (nothing, or 0 in a total), so even its existence is
not given away. Classic secondary (complementary) suppression of each table is therefore not
needed: totals are never exact for analysts, so no table has the margins it would protect; the
price is that an analyst's totals leave out the small groups, which the pages and the API say.

Consequences kept elsewhere: every visible count is 0 or at least 5; analysts read aggregates,
never a row per person (people, memberships, stays, weapons handed in, beneficiaries are closed
to them); commission staff and every other role read exact figures (`for_analyst` is false).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, F, When
from django.utils.translation import gettext as _

from core.errors import Refused

if TYPE_CHECKING:
    from accounts.models import AnyUser

SUPPRESS_BELOW = 5
Key = tuple[Any, ...]
# What the API schema says of a count and of the `suppressed` flag (a hidden group counts as
# nothing, never as null: hidden and empty look alike).
HIDDEN_GROUPS = (
    f"For analysts, a sum of the groups of {SUPPRESS_BELOW} people or more: smaller groups are left "
    "out (core.suppression)."
)
SUPPRESSED = f"True for analysts: every count leaves out the groups smaller than {SUPPRESS_BELOW}."


def for_analyst(user: AnyUser) -> bool:
    """Whether this reader's counts go through suppression."""
    return bool(getattr(user, "is_analyst", False))


def _summed(values: Iterable[tuple[Key, int]] | Mapping[Key, int]) -> dict[Key, int]:
    pairs = values.items() if isinstance(values, Mapping) else values
    merged: dict[Key, int] = defaultdict(int)
    for key, n in pairs:
        merged[tuple(key)] += n or 0
    return merged


class Base:
    """A base table of counts with its small cells dropped. Every figure is `margin` or `total`
    over what remains, optionally restricted with `where`. `exact`: nothing dropped, for the
    readers whose figures are exact (the same tables, the same sums)."""

    def __init__(
        self,
        columns: Sequence[str],
        counts: Iterable[tuple[Key, int]] | Mapping[Key, int],
        *,
        exact: bool = False,
    ) -> None:
        self.columns = tuple(columns)
        merged = _summed(counts)
        # Dropped here, once: nothing below reads a small cell.
        self.cells: dict[Key, int] = (
            merged if exact else {k: n for k, n in merged.items() if n >= SUPPRESS_BELOW}
        )

    def alongside(self, values: Iterable[tuple[Key, int]] | Mapping[Key, int]) -> Base:
        """Other sums over the same cells as this base's counts of people (an amount in XOF, a
        number of entitlements), kept for this base's visible cells only: what a group of fewer
        than `SUPPRESS_BELOW` people received is in no figure either, and every figure of them is
        a sum over the same visible cells as the people's."""
        carried = Base(self.columns, {}, exact=True)
        carried.cells = {k: v for k, v in _summed(values).items() if k in self.cells}
        return carried

    def _index(self, column: str) -> int:
        return self.columns.index(column)

    def where(self, **tests: Any) -> Base:
        """The visible cells whose columns pass: a value, a set of values, or a predicate."""
        checks: list[tuple[int, Callable[[Any], bool]]] = []
        for column, test in tests.items():
            if callable(test):
                checks.append((self._index(column), test))
            elif isinstance(test, set | frozenset | list | tuple):
                checks.append((self._index(column), frozenset(test).__contains__))
            else:
                checks.append((self._index(column), partial(operator.eq, test)))
        kept = Base(self.columns, {})
        kept.cells = {k: n for k, n in self.cells.items() if all(check(k[i]) for i, check in checks)}
        return kept

    def margin(self, *columns: str) -> dict[Key, int]:
        """Visible counts summed by these columns; groups with nothing visible are absent."""
        positions = [self._index(c) for c in columns]
        sums: dict[Key, int] = defaultdict(int)
        for key, n in self.cells.items():
            sums[tuple(key[p] for p in positions)] += n
        return dict(sums)

    def total(self) -> int:
        return sum(self.cells.values())

    def get(self, *key: Any) -> int:
        """One cell of the base (0 when hidden or empty)."""
        return self.cells.get(tuple(key), 0)


def small_cells_left_in_database(counted: Any) -> Any:
    """A grouped queryset annotated with `n`, without its small groups: the database drops them
    (HAVING), so a base table over a large register does not carry its ~one group per person
    to Python only to drop them there. `Base` drops them again whatever it is given."""
    return counted.filter(n__gte=SUPPRESS_BELOW)


def visible(count: int | None) -> int:
    """A count that is its own base cell: itself from 5 up, else 0 (hidden and empty look alike)."""
    return count if count and count >= SUPPRESS_BELOW else 0


def visible_in_database(field: str) -> Case:
    """`visible` as a database expression: a column whose every row is its own base cell (a
    project's beneficiaries), itself from 5 up, else 0 (null too), so a grouped `Sum` of it is a
    sum of visible cells only."""
    return Case(When(**{f"{field}__gte": SUPPRESS_BELOW}, then=F(field)), default=0)


class PeriodRefused(Refused):
    """An analyst asked for a period that is not made of whole periods of the analysts' grain."""

    field = "period"


# The analysts' period grain (`DDR_ANALYST_PERIOD_MONTHS`) -> the database's truncation kind.
PERIOD_KINDS = {1: "month", 3: "quarter", 12: "year"}


def period_months() -> int:
    """The length in months of the periods analysts read (1, 3 or 12)."""
    return int(settings.DDR_ANALYST_PERIOD_MONTHS)


def period_kind() -> str:
    """The truncation kind of `django.db.models.functions.Trunc` for the analysts' grain."""
    return PERIOD_KINDS[period_months()]


def period_start(day: dt.date) -> dt.date:
    """The first day of the analysts' period that holds this day."""
    months = period_months()
    return day.replace(month=(day.month - 1) // months * months + 1, day=1)


def period_end(day: dt.date) -> dt.date:
    """The last day of the analysts' period that holds this day."""
    start = period_start(day)
    month = start.month - 1 + period_months()
    return start.replace(year=start.year + month // 12, month=month % 12 + 1) - dt.timedelta(days=1)


def is_period_end(day: dt.date) -> bool:
    return day == period_end(day)


def _refusals() -> tuple[str, str]:
    """What a refused start and a refused end are told, naming the grain."""
    months = period_months()
    if months == 12:
        return (
            _("Analysts read whole years: the period must start on the first day of a year."),
            _("Analysts read whole years: the period must end on the last day of a year."),
        )
    if months == 3:
        return (
            _("Analysts read whole quarters: the period must start on the first day of a quarter."),
            _("Analysts read whole quarters: the period must end on the last day of a quarter."),
        )
    return (
        _("Analysts read whole calendar months: the period must start on the first day of a month."),
        _("Analysts read whole calendar months: the period must end on the last day of a month."),
    )


def analyst_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """An analyst's period: from the first day of a period to the last day of a period of the
    analysts' grain, so that a period is a set of whole base cells and two periods never differ
    by a few days' (or a few months') people."""
    if start and start != period_start(start):
        raise PeriodRefused(_refusals()[0])
    if end and not is_period_end(end):
        raise PeriodRefused(_refusals()[1])
    return start, end


def suppressed_note() -> str:
    """The note shown above analysts' figures, naming their period grain and `SUPPRESS_BELOW`."""
    months = period_months()
    if months == 12:
        note = _(
            "Groups of fewer than %(below)d people are left out of every figure (whole years only): each "
            "count is a sum of groups of %(below)d or more, so no figure, difference or filter gives a "
            "small group away."
        )
    elif months == 3:
        note = _(
            "Groups of fewer than %(below)d people are left out of every figure (whole quarters only): each "
            "count is a sum of groups of %(below)d or more, so no figure, difference or filter gives a "
            "small group away."
        )
    else:
        note = _(
            "Groups of fewer than %(below)d people are left out of every figure (whole months only): each "
            "count is a sum of groups of %(below)d or more, so no figure, difference or filter gives a "
            "small group away."
        )
    return note % {"below": SUPPRESS_BELOW}


def pseudonym_for(pk: int, purpose: str) -> str:
    """A pseudonym for one purpose (an endpoint, an export): keyed HMAC of the purpose and the id,
    never reversible without the key. The purpose is in the message so that two endpoints give
    the same person two unrelated pseudonyms: no join rebuilds a profile across them."""
    if not purpose:
        raise ValueError("A pseudonym needs its purpose.")
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"combatant:{purpose}:{pk}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:16].upper()


