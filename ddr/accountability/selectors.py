"""The person's page: what grievances, appeals and consent show of them."""

from __future__ import annotations

from typing import Any

from accounts.models import AnyUser
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
