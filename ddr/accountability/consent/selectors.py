"""Reads of consent: the active texts, a person's answers and withdrawals, what is in force, and
what the person's page shows (its tab "Grievances, appeals and consent")."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import AnyUser
from accounts.permissions import CASE_ROLES, has_role
from ddr.accountability.consent import rules as R
from ddr.accountability.consent.models import (
    ConsentKind,
    ConsentLanguage,
    ConsentRecord,
    ConsentText,
    ConsentWithdrawal,
    Optional,
)
from ddr.registration.models import Combatant

# Who records consent and withdrawals, and prints the declaration: the staff who open the person.
CONSENT_ROLES: frozenset[str] = CASE_ROLES


def active_text(kind: str, language: str) -> ConsentText | None:
    return ConsentText.objects.filter(kind=kind, language=language, active=True).first()


def records_for(user: AnyUser) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.for_user(user).select_related("text", "read_by", "recorded_by")


def withdrawals_for(user: AnyUser) -> QuerySet[ConsentWithdrawal]:
    return ConsentWithdrawal.objects.for_user(user).select_related("recorded_by")


def events(
    records: list[ConsentRecord], withdrawals: list[ConsentWithdrawal]
) -> tuple[list[R.Event], list[R.Event]]:
    """(withdrawals, consents given again) of one person, as the rules read them."""
    return (
        [R.Event(w.scope, w.partner, w.created_at) for w in withdrawals],
        [R.Event(r.restores, r.partner, r.created_at) for r in records if r.restores and r.given],
    )


def withdrawn(person: Combatant, scope: str, partner: str = "") -> bool:
    """Whether the person's withdrawal of `scope` is in force (two small queries)."""
    withdrawals = list(ConsentWithdrawal.objects.filter(combatant=person, scope=scope))
    if not withdrawals:
        return False
    records = list(ConsentRecord.objects.filter(combatant=person, restores=scope))
    return R.withdrawal_in_force(*events(records, withdrawals), scope, partner)


def in_force(records: list[ConsentRecord], withdrawals: list[ConsentWithdrawal]) -> list[ConsentWithdrawal]:
    """The withdrawals still in force (one per scope and partner), from what is already read."""
    withdrawn_events, again = events(records, withdrawals)
    seen: set[tuple[str, str]] = set()
    kept = []
    for w in withdrawals:
        key = (w.scope, w.partner.casefold())
        if key not in seen and R.withdrawal_in_force(withdrawn_events, again, w.scope, w.partner):
            kept.append(w)
        seen.add(key)
    return kept


def consent_missing_q() -> Exists:
    """People with no declaration recorded (signed, thumb-printed or refused): `~` it to filter."""
    return Exists(ConsentRecord.objects.filter(combatant=OuterRef("pk"), text__kind=ConsentKind.DECLARATION))


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of consent (templates/ddr/accountability/_person_consent.html):
    their answers, the withdrawals in force and what the programme keeps regardless, and the forms
    to record consent or a withdrawal. Two queries."""
    from ddr.accountability.consent.forms import ConsentRecordForm, PhotoForm, WithdrawalForm

    records = list(records_for(user).filter(combatant=person))
    withdrawals = list(withdrawals_for(user).filter(combatant=person))
    restrictions = in_force(records, withdrawals)
    can_record = has_role(user, CONSENT_ROLES)
    today = timezone.localdate()
    return {
        "consent_records": records,
        "consent_withdrawals": withdrawals,
        "consent_restrictions": restrictions,
        "consent_missing": not any(r.text.kind == ConsentKind.DECLARATION for r in records),
        "consent_photo_withdrawn": any(w.scope == Optional.PHOTO for w in restrictions),
        "consent_retained": R.RETAINED,
        "consent_languages": ConsentLanguage.choices,
        "can_record_consent": can_record,
        "consent_form": ConsentRecordForm(initial={"recorded_on": today}, prefix="consent")
        if can_record
        else None,
        "withdrawal_form": WithdrawalForm(initial={"withdrawn_on": today}, prefix="withdrawal")
        if can_record
        else None,
        "photo_form": PhotoForm(prefix="photo") if can_record else None,
    }
