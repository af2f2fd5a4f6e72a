"""Appeals: read-only queries."""

from __future__ import annotations

from typing import Any

from accounts.models import AnyUser
from ddr.registration.models import Combatant


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of appeals (its tab "Grievances, appeals and consent")."""
    return {}
