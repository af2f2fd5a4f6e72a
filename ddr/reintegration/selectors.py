"""The person's page: what each part of reinsertion and reintegration shows of them."""

from __future__ import annotations

from typing import Any

from accounts.models import AnyUser
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
