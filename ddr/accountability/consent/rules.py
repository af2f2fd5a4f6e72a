"""Consent rules, data in and verdict out (no database): which scanned forms are accepted, whether a
withdrawal is still in force, and what the programme keeps whatever the person withdraws."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.uploads import DOCUMENT_HEAD, document_is_accepted
from ddr.accountability.consent.models import SHIPPED_LANGUAGES, Optional

# A scanned form is a PDF or a photo of the paper; its name and its first bytes must agree.
SCAN_HEAD = DOCUMENT_HEAD
scan_is_accepted = document_is_accepted


def translator_required(language: str) -> bool:
    """The project ships French and English; every other text names who translated it."""
    return language not in SHIPPED_LANGUAGES


@dataclass(frozen=True)
class Event:
    """A withdrawal, or a consent given again, of one optional processing."""

    scope: str
    partner: str
    at: dt.datetime


def _same(event: Event, scope: str, partner: str) -> bool:
    if event.scope != scope:
        return False
    return scope != Optional.SHARING or event.partner.strip().casefold() == partner.strip().casefold()


def withdrawal_in_force(
    withdrawals: Iterable[Event], consents_again: Iterable[Event], scope: str, partner: str = ""
) -> bool:
    """Withdrawn, and not given again since (for sharing, with the same partner)."""
    withdrawn = [w.at for w in withdrawals if _same(w, scope, partner)]
    if not withdrawn:
        return False
    given = [c.at for c in consents_again if _same(c, scope, partner)]
    return not given or max(given) < max(withdrawn)


# What the programme keeps whatever the person withdraws, and on which basis: shown on the person's
# page and in the subject-access file (ICRC handbook on data protection in humanitarian action:
# consent is one basis among others, and the others are said).
RETAINED: tuple[tuple[Promise, Promise], ...] = (
    (
        _("Registration data (identity, region, movement, category, status)"),
        _("legal basis: the peace agreement and the programme's necessity (eligibility, payments)"),
    ),
    (
        _("Identity documents and declared weapons"),
        _("legal basis: the peace agreement (weapons control, IDDRS 4.10) and fraud prevention"),
    ),
    (
        _("Screening decisions, payments and follow-ups"),
        _("legal basis: accountability of the programme to the person and to its funders"),
    ),
    (
        _("The history of every change"),
        _("legal basis: the audit the programme owes; it records what was removed, never the file"),
    ),
)
