"""A person's whole case, told by every app: each gives its part (`CasePart`: what its tab shows and
its dated events) through one selector of its own, `person_case(person, user)`; the person's page
puts the parts side by side and merges their events into one timeline (`timeline`).

Core knows no app: a part is plain data, and each app reads its own records through `for_user`, so
the case never shows what its reader may not see elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from core.audit import Change, HistoryEntry


@dataclass(frozen=True)
class CaseEvent:
    """One dated step of a case: what happened (in the reader's language), where or how much, who
    recorded it, and the tab of the person's page that tells more."""

    when: dt.date | dt.datetime  # a date, or the moment of an audited change
    what: str
    detail: str = ""
    who: str = ""
    tab: str = ""
    changes: tuple[Change, ...] = ()  # an audited change: each field, before and after

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, dt.datetime)

    def sort_key(self) -> tuple[dt.date, int, dt.time]:
        # A day's dated steps come before the changes audited that day (registered, then screened).
        if isinstance(self.when, dt.datetime):
            moment = timezone.localtime(self.when) if timezone.is_aware(self.when) else self.when
            return (moment.date(), 1, moment.time())
        return (self.when, 0, dt.time.min)


@dataclass
class CasePart:
    """What one app shows of a person: the context of its tab's template, and its events."""

    context: dict[str, Any] = field(default_factory=dict)
    events: list[CaseEvent] = field(default_factory=list)


def timeline(*events: Iterable[CaseEvent]) -> list[CaseEvent]:
    """Every part's events in the order they happened (stable: a part's own order within a moment)."""
    return sorted((e for part in events for e in part), key=CaseEvent.sort_key)


def history_events(entries: Iterable[HistoryEntry], fields: dict[str, str]) -> list[CaseEvent]:
    """The audited changes of `fields` (field name -> tab) as events, one a change of history (its
    fields together: status and pathway), with who made it and why."""
    events = []
    for entry in entries:
        changes = tuple(c for c in entry.changes if c.name in fields)
        if changes:
            what = changes[0].field
            tab = fields[changes[0].name]
            events.append(CaseEvent(entry.when, what, entry.reason, entry.who, tab, changes))
    return events
