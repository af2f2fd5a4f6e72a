from __future__ import annotations

from typing import Any

from accounts.models import AnyUser
from ddr.registration.models import Combatant


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of this part (templates/ddr/reintegration/_person_followup.html)."""
    return {}
