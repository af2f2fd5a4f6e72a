"""Roadmap rules, data in and verdict out (no database)."""

from __future__ import annotations

import datetime as dt

OPEN = ("planned", "under_way")


def is_overdue(status: str, deadline: dt.date, today: dt.date) -> bool:
    """An action not done nor dropped whose deadline has passed."""
    return status in OPEN and deadline < today


def progress(done: int, total: int) -> int:
    """Whole percent of the actions done (dropped ones count in the total: they were promised)."""
    return round(100 * done / total) if total else 0
