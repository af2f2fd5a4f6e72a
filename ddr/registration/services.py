"""Every write of the register: list imports and registration. Audited, atomic, set-based."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from core.audit import save_audited
from ddr.registration.models import Category, Combatant, DeclaredWeapon, IdentityDocument, RegistrationCounter
from ddr.registration.names import person_derive
from ddr.registration.rules import registration_number
from ddr.screening import services as screening


def reserve_registration_sequence(count: int) -> int:
    """Reserve `count` consecutive sequence numbers; returns the first. Safe under concurrency."""
    with transaction.atomic():
        RegistrationCounter.objects.get_or_create(name="registration")
        counter = RegistrationCounter.objects.select_for_update().get(name="registration")
        first = counter.value + 1
        counter.value += count
        counter.save(update_fields=["value"])
    return first


@transaction.atomic
def combatant_register(
    *, person: Combatant, documents: list[IdentityDocument], weapons: list[DeclaredWeapon], by: User
) -> Combatant:
    """Register one person with their documents and weapons (from the registration form)."""
    first = reserve_registration_sequence(1)
    person.registration_number = registration_number(person.region.code, first)
    person.registered_by = by
    person.has_weapon = person.has_weapon or bool(weapons)
    person_derive(person)
    person.full_clean()
    person._history_user = by  # type: ignore[attr-defined]
    person.save()
    items: list[IdentityDocument | DeclaredWeapon] = [*documents, *weapons]
    for item in items:
        item.combatant = person
        item._history_user = by  # type: ignore[union-attr]
        item.save()
    if screening.is_child_on_record(person):
        screening.children_separate(people=Combatant.objects.filter(pk=person.pk), by=by)
        person.refresh_from_db()
    return person


@transaction.atomic
def combatant_update(*, person: Combatant, changes: dict[str, Any], by: User, reason: str = "") -> Combatant:
    """Change some of a person's own fields (an offline device's edit, a reviewer's choice in a
    sync conflict): validated like a registration, audited, the derived fields refreshed; a birth
    year under 18 separates the person as a child at once."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    for name, value in changes.items():
        setattr(person, name, value)
    derived = person_derive(person)
    person.full_clean(validate_unique=False)
    fields = sorted({*(Combatant._meta.get_field(name).name for name in changes), *derived})
    save_audited(person, by, fields, reason)
    if person.category != Category.CHILD and screening.is_child_on_record(person):
        screening.children_separate(people=Combatant.objects.filter(pk=person.pk), by=by)
        person.refresh_from_db()
    return person
