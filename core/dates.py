from __future__ import annotations

import datetime as dt

from django.utils import formats


def shown_date(value: dt.date) -> str:
    """A date inside a message, as the reader's language writes it (30/11/2026, 30 Nov 2026):
    never ISO in a French sentence."""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def past_interim_end(interim_until: dt.date | None, ended: bool, today: dt.date) -> int:
    """Days an interim measure (a pre-cantonment site, a MOC unit) has outlived the end it was
    meant to have; 0 when it ended or has no end set (the report's recommendation V: interim
    measures carry an expiry and are flagged past it)."""
    if interim_until is None or ended:
        return 0
    return max((today - interim_until).days, 0)
