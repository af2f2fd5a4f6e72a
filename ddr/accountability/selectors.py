"""The person's page: what grievances, appeals and consent show of them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext

from accounts.models import AnyUser
from core.case import CaseEvent
from ddr.accountability.appeals import selectors as appeals
from ddr.accountability.consent import selectors as consent
from ddr.accountability.grievances import selectors as grievances
from ddr.registration.models import Combatant


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    return {
        **grievances.person_context(person, user),
        **appeals.person_context(person, user),
        **consent.person_context(person, user),
    }


def person_events(context: dict[str, Any]) -> list[CaseEvent]:
    """The dated steps of grievances, appeals and consent, read from what `person_context` loaded
    for this reader (a grievance they may not read is not there): no query of their own."""
    tab = "accountability"
    events = [
        CaseEvent(
            r.recorded_on,
            pgettext("case event", "Consent recorded"),
            f"{r.text.get_kind_display()} — {r.get_outcome_display()}",
            tab=tab,
        )
        for r in context["consent_records"]
    ]
    events += [
        CaseEvent(w.withdrawn_on, pgettext("case event", "Consent withdrawn"), w.get_scope_display(), tab=tab)
        for w in context["consent_withdrawals"]
    ]
    for g in context["grievances"]:
        detail = f"{g.reference} — {g.get_category_display()}"
        events.append(CaseEvent(g.received_on, pgettext("case event", "Grievance received"), detail, tab=tab))
        if g.closed_on:
            events.append(
                CaseEvent(g.closed_on, pgettext("case event", "Grievance closed"), g.reference, tab=tab)
            )
    # An appeal's filing and decision, as the appeals' own timeline tells them (field, before, after).
    events += [
        CaseEvent(entry.when, changes[0].field, entry.reason, entry.who, tab, tuple(changes))
        for entry, changes in context.get("appeal_timeline", [])
    ]
    return events
