"""Rules of the movements' master data, as plain functions: a coalition membership's dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.dates import shown_date
from core.masterdata import Problem


def _overlap(start: dt.date, end: dt.date | None, other_start: dt.date, other_end: dt.date | None) -> bool:
    # Periods run from their start to the day before their end (the end is the day it stopped).
    return (other_end is None or start < other_end) and (end is None or other_start < end)


def membership_problem(
    start: dt.date, end: dt.date | None, others: Iterable[tuple[dt.date, dt.date | None, str]]
) -> Problem | None:
    """A group's membership of a coalition from `start` to `end` (open when None): it ends after
    it starts, and the group is in one coalition at a time (`others`: its other memberships, as
    start, end and the coalition's code)."""
    if end is not None and end <= start:
        return Problem("end", _("A membership ends after it starts."))
    for other_start, other_end, coalition in others:
        if _overlap(start, end, other_start, other_end):
            return Problem(
                "start",
                _(
                    "Over these dates the group is already in the %(coalition)s (from %(start)s): "
                    "end that membership first."
                )
                % {"coalition": coalition, "start": shown_date(other_start)},
            )
    return None


def split_problem(group_id: int | None, split_from_id: int | None) -> Problem | None:
    """A group does not split from itself."""
    if group_id is not None and group_id == split_from_id:
        return Problem("split_from", _("A group cannot split from itself."))
    return None
