"""One lifecycle mechanism: a record's statuses, the steps allowed between them, what each step
requires, and the dated event that records it.

A domain declares its table (status -> the statuses it may go to next) and its own refusal; it
registers, for each status it matters to, what entering it requires and changes
(`@LIFECYCLE.entering(...)`). `Lifecycle.advance` does the rest, the same way for every domain:
it locks the row, checks the table and the date, runs the step's requirements, updates the status
with its audit row, and writes the dated event. A refusal leaves everything as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.audit import reason_template, save_audited
from core.dates import shown_date
from core.errors import Refused

if TYPE_CHECKING:
    from accounts.models import User


class DatedEvent(models.Model):
    """One step of a record's lifecycle: its date, the body that decided it, who recorded it and when.

    A concrete event adds its foreign key to the record, the `status` reached (with the record's
    choices) and its own notes; these fields are the columns its table already has.
    """

    on = models.DateField(gettext_lazy("date"))
    decided_by = models.CharField(gettext_lazy("deciding body"), max_length=200, blank=True)
    # The decision in the register behind this step, when there is one (its page lists the steps).
    decision = models.ForeignKey(
        "core.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_steps",
        verbose_name=gettext_lazy("decision"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


# A step's reason in the history: the row already shows the status reached.
DECIDED_BY = reason_template(gettext_noop("decided by %(body)s"))

M = TypeVar("M", bound=models.Model)
# The event model a lifecycle writes, or None for records that keep their dates themselves.
E = TypeVar("E", bound=DatedEvent | None)


@dataclass(frozen=True)
class Step:
    """A step asked for, as the requirements of the status it enters see it."""

    to: str
    on: dt.date
    by: User
    details: Mapping[str, Any]


# Refuses (raising the domain's refusal), or sets what the step changes on the record and names
# those fields.
Requirement = Callable[[M, Step], Sequence[str]]


@dataclass(frozen=True)
class Advanced(Generic[M, E]):
    """What a step wrote: the record as saved, and its event (None where the lifecycle has none)."""

    record: M
    event: E


class Lifecycle(Generic[M, E]):
    """The statuses of one kind of record (its `status` field) and how it moves between them.

    table: status -> the statuses it may go to next. refused: the domain's refusal.
    forbidden: the message when the table has no such step, said of the record (`forbidden_field`
    names the field to correct). event, owner: the dated event model and its foreign key to the
    record; a step is then dated no earlier than the last one, and `notes` are the event's own
    fields, taken from the details. future: whether a step may be dated after today.
    related: what to fetch with the locked row.
    """

    def __init__(
        self,
        table: Mapping[str, Iterable[str]],
        *,
        refused: type[Refused],
        forbidden: Callable[[M, str], str],
        forbidden_field: str = "to",
        event: type[E] | None = None,
        owner: str = "",
        notes: Sequence[str] = (),
        future: bool = True,
        related: Sequence[str] = (),
    ) -> None:
        self.table = {status: frozenset(nexts) for status, nexts in table.items()}
        self.refused, self.forbidden, self.forbidden_field = refused, forbidden, forbidden_field
        self.event, self.owner, self.notes = event, owner, tuple(notes)
        self.future, self.related = future, tuple(related)
        self.requirements: dict[str, Requirement[M]] = {}

    def entering(self, *statuses: str) -> Callable[[Requirement[M]], Requirement[M]]:
        """Register what entering these statuses requires and changes."""

        def register(requirement: Requirement[M]) -> Requirement[M]:
            for status in statuses:
                self.requirements[status] = requirement
            return requirement

        return register

    def nexts(self, status: str) -> frozenset[str]:
        return self.table.get(status, frozenset())

    def lock(self, record: M, *, to: str) -> M:
        """The record, read again under a row lock, if the table lets it go `to`; refused otherwise."""
        rows = type(record)._default_manager.select_for_update()
        if self.related:
            rows = rows.select_related(*self.related)
        record = rows.get(pk=record.pk)
        if to not in self.nexts(record.status):  # type: ignore[attr-defined]
            raise self.refused(self.forbidden(record, to), self.forbidden_field)
        return record

    def check_date(self, record: M, on: dt.date) -> None:
        if self.event is not None:
            last = self._events().filter(**{self.owner: record}).order_by("-on", "-id").first()
            if last and on < last.on:
                raise self.refused(
                    _("This step cannot be dated before the previous one (%(d)s).")
                    % {"d": shown_date(last.on)},
                    "on",
                )
        if not self.future and on > timezone.localdate():
            raise self.refused(_("A step cannot be dated in the future."), "on")

    @transaction.atomic
    def advance(
        self,
        record: M,
        *,
        to: str,
        on: dt.date,
        by: User,
        decided_by: str = "",
        decision: Any = None,
        reason: str = "",
        **details: Any,
    ) -> Advanced[M, E]:
        """Move the record to `to` on the day `on`: locked, checked against the table and the date,
        then the requirements of `to`; the status saved with its audit row (`reason`, by default
        the deciding body: the row shows the step itself) and the dated event written."""
        if decision is not None and not decided_by:
            decided_by = decision.acronym  # the register says who decided
        record = self.lock(record, to=to)
        self.check_date(record, on)
        requirement = self.requirements.get(to)
        changed = requirement(record, Step(to, on, by, details)) if requirement else ()
        record.status = to  # type: ignore[attr-defined]
        default = DECIDED_BY % {"body": decided_by} if decided_by else ""
        save_audited(record, by, ["status", *changed], (reason or default)[:100])
        event = None
        if self.event is not None:
            # The event's own columns: its record, the status reached (declared by each event
            # with the record's choices) and its notes.
            own: dict[str, Any] = {self.owner: record, "status": to}
            own.update((name, details[name]) for name in self.notes if name in details)
            event = self._events().create(
                on=on, decided_by=decided_by, decision=decision, recorded_by=by, **own
            )
        return Advanced(record, cast(E, event))

    def _events(self) -> models.Manager[DatedEvent]:
        return cast("type[DatedEvent]", self.event)._default_manager
