"""The person's page is their whole case: the register's own records, and each app's part through
that app's `person_case` selector (core.case), in tabs, with one timeline merging their events.

Every part reads through `for_user`: the page shows of another app, region or person no more than
that app's own pages would show this reader. The number of queries does not grow with the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import pgettext, pgettext_lazy

from accounts.models import AnyUser
from accounts.permissions import VETTING_ROLES, has_role
from cantonment import selectors as cantonment
from core.audit import history_of
from core.case import CaseEvent, CasePart, history_events, timeline
from cvr import selectors as cvr
from ddr.accountability import selectors as accountability
from ddr.registration.models import Combatant
from ddr.reintegration import selectors as reintegration
from integration import selectors as integration


@dataclass(frozen=True)
class Tab:
    name: str  # in the address: ?tab=<name> or #<name>
    label: Any


# Short labels: nine tabs hold on one row of a laptop screen (and scroll inside it on a phone).
TABS = (
    Tab("overview", pgettext_lazy("case tab", "Overview")),
    Tab("timeline", pgettext_lazy("case tab", "Timeline")),
    Tab("screening", pgettext_lazy("case tab", "Screening")),
    Tab("cantonment", pgettext_lazy("case tab", "Cantonment")),
    Tab("integration", pgettext_lazy("case tab", "Integration")),
    Tab("reintegration", pgettext_lazy("case tab", "Reintegration")),
    Tab("cvr", pgettext_lazy("case tab", "CVR")),
    Tab("accountability", pgettext_lazy("case tab", "Grievances and appeals")),
    Tab("history", pgettext_lazy("case tab", "History")),
)
TAB_NAMES = frozenset(t.name for t in TABS)
# Addresses of the page before its tabs had these names.
OLD_TAB_NAMES = {"identity": "overview", "history-tab": "history"}


def tab_asked(asked: str | None) -> str:
    """The tab an address opens (`?tab=`): a known one, else the overview."""
    name = OLD_TAB_NAMES.get(asked or "", asked or "")
    return name if name in TAB_NAMES else "overview"


def person_case(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """Everything the person's page shows, as its template's context."""
    history = history_of(person)
    register = _register(person, user)
    reinsertion = reintegration.person_context(person, user)
    accountable = accountability.person_context(person, user)
    parts: dict[str, CasePart] = {
        "cantonment": cantonment.person_case(person, user),
        "integration": integration.person_case(person, user),
        "cvr": cvr.person_case(person, user),
    }
    # On one day, the events in the order of a case: the register, cantonment, integration, CVR,
    # reinsertion, then grievances and appeals.
    events = timeline(
        register.events,
        history_events(history, {"status": "screening", "pathway": "screening"}),
        *(part.events for part in parts.values()),
        reintegration.person_events(reinsertion),
        accountability.person_events(accountable),
    )
    labels = {t.name: t.label for t in TABS}
    context = {"history": history, "timeline": [(e, labels.get(e.tab, "")) for e in events], "tabs": TABS}
    for part in parts.values():
        context |= part.context
    return context | register.context | reinsertion | accountable


def _register(person: Combatant, user: AnyUser) -> CasePart:
    """The register's own records of the person (registration, lists, screening) and their events."""
    entries = list(person.list_entries.select_related("submitted_list__movement"))
    ages = list(person.age_assessments.select_related("assessed_by"))
    exams = list(person.medical_exams.all())
    matches = list(person.vetting_matches.select_related("entry")) if has_role(user, VETTING_ROLES) else None
    events = [
        CaseEvent(
            person.registered_at,
            pgettext("case event", "Registered"),
            person.registration_place,
            tab="overview",
        )
    ]
    events += [
        CaseEvent(
            e.submitted_list.submitted_on,
            pgettext("case event", "On a submitted list"),
            str(e.submitted_list),
            tab="overview",
        )
        for e in entries
    ]
    events += [
        CaseEvent(
            a.assessed_on,
            pgettext("case event", "Age assessed"),
            f"{a.assessed_age} — {a.get_decision_display()}",
            tab="screening",
        )
        for a in ages
    ]
    events += [
        CaseEvent(
            e.examined_on,
            pgettext("case event", "Medical examination"),
            e.get_result_display(),
            tab="screening",
        )
        for e in exams
    ]
    events += [
        CaseEvent(
            m.reviewed_at, pgettext("case event", "Vetting reviewed"), m.get_status_display(), tab="screening"
        )
        for m in matches or []
        if m.reviewed_at
    ]
    context = {
        "documents": person.documents.all(),
        "weapons": person.weapons.all(),
        "entries": entries,
        "ages": ages,
        "exams": exams,
        "matches": matches,
    }
    return CasePart(context, events)
