"""Site rules, data in and verdict out (no database): the calendar the 2015 agreement set for
cantonment sites (an interim site past its end: `core.dates.past_interim_end`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# "Within 30 days ... the identification and validation of cantonment sites ... the construction
# of these sites, which should be ready within 120 days" (agreement, annex on defence and security).
VALIDATION_DAYS = 30
CONSTRUCTION_DAYS = 120


@dataclass(frozen=True)
class Deadline:
    step: Promise
    due: dt.date
    done_on: dt.date | None

    def late_days(self, today: dt.date) -> int:
        """Days past the deadline: when done, how late it was done; else how late it is now."""
        return max(((self.done_on or today) - self.due).days, 0)


def agreement_calendar(dates: Mapping[str, dt.date]) -> list[Deadline]:
    """The site's deadlines from the dates of its steps (status -> date reached): validation 30
    days after the proposal, construction 120 days after the validation."""
    calendar = []
    if proposed := dates.get("proposed"):
        calendar.append(
            Deadline(
                _("Validation by the CTS"), proposed + dt.timedelta(VALIDATION_DAYS), dates.get("validated")
            )
        )
    if validated := dates.get("validated"):
        calendar.append(
            Deadline(_("Construction"), validated + dt.timedelta(CONSTRUCTION_DAYS), dates.get("built"))
        )
    return calendar
