"""The person's page: what each part of reinsertion and reintegration shows of them."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import AnyUser
from core.case import CaseEvent
from ddr.registration.models import Combatant
from ddr.reintegration.followup import selectors as followup
from ddr.reintegration.packages import selectors as packages
from ddr.reintegration.payments import selectors as payments
from ddr.reintegration.profiles import selectors as profiles


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    return {
        **profiles.person_context(person, user),
        **packages.person_context(person, user),
        **payments.person_context(person, user),
        **followup.person_context(person, user),
    }


def person_events(context: dict[str, Any]) -> list[CaseEvent]:
    """The dated steps of reinsertion and reintegration, read from what `person_context` loaded
    (no query of their own): choices, enrolments and dropouts, payments, hand-overs, follow-ups."""
    tab = "reintegration"
    events = [
        CaseEvent(c.chosen_on, pgettext("case event", "Choice recorded"), c.get_option_display(), tab=tab)
        for c in (context["profiles"] or {}).get("choices", [])
    ]
    for e in context["package_enrolments"]:
        events.append(
            CaseEvent(e.enrolled_on, pgettext("case event", "Enrolled in a package"), str(e.package), tab=tab)
        )
        if e.dropped_on:
            events.append(
                CaseEvent(e.dropped_on, pgettext("case event", "Dropped out"), str(e.package), tab=tab)
            )
    for line in context["payment_lines"]:
        if line.paid_on:
            amount = _("%(amount)s XOF") % {"amount": number_format(line.amount_xof, force_grouping=True)}
            detail = f"{amount} — {line.entitlement.component}"
            events.append(CaseEvent(line.paid_on, pgettext("case event", "Paid"), detail, tab=tab))
    for d in context["distributions"]:
        detail = f"{d.entitlement.component} — {d.place}"
        events.append(
            CaseEvent(d.handed_over_on, pgettext("case event", "Handed over in kind"), detail, tab=tab)
        )
    for f in context["follow_ups"]:
        if f.done_on:
            what = pgettext("case event", "Follow-up at %(n)s months") % {"n": f.month}
            events.append(CaseEvent(f.done_on, what, f.get_status_display(), tab=tab))
    return events
