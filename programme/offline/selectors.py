"""Reads of offline work: what a device downloads, and the conflicts a reviewer sees."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import REINTEGRATION_ROLES
from cantonment.sites.models import CantonmentStay, Site
from cantonment.weapons.models import StorageLocation
from core.models import Region
from ddr.lists.models import ArmedGroup
from ddr.registration.models import Combatant, card_token_for
from ddr.reintegration.packages.models import Delivery, Enrolment, Entitlement
from programme.offline import rules
from programme.offline.models import Device, SyncConflict, SyncOperation
from programme.offline.services import versions_of

PERSON_VALUES = ["id", "registration_number", "status", "region__code", "movement__code",
                 *(f"{f}_id" if f in ("region", "movement") else f for f in rules.SYNCED_FIELDS)]  # fmt: skip
SHOWN = ("registration_number", "family_name", "given_name", "sex", "birth_year", "category", "status")


def snapshot_people(user: User) -> list[dict[str, Any]]:
    """The people of the user's scope (merged records left out), with their site and versions."""
    open_stay = CantonmentStay.objects.filter(combatant=OuterRef("pk"), checked_out_on__isnull=True)
    rows = list(
        Combatant.objects.for_user(user)
        .exclude(status=Combatant.Status.MERGED)
        .annotate(site_id=Subquery(open_stay.values("site_id")[:1]))
        .order_by("id")
        .values(*PERSON_VALUES, "site_id")
    )
    versions = versions_of(rows)
    return [
        {
            "id": row["id"],
            **{name: row[name] for name in SHOWN},
            "region": row["region__code"],
            "movement": row["movement__code"],
            "site": row["site_id"],
            "versions": versions[row["id"]],
        }
        for row in rows
    ]


def snapshot(user: User, device: Device) -> dict[str, Any]:
    sites = Site.objects.for_user(user).select_related("region").order_by("name")
    locations = StorageLocation.objects.for_user(user).select_related("region").order_by("name")
    return {
        "server_time": timezone.now(),
        "people": snapshot_people(user),
        "sites": [
            {
                "id": s.pk,
                "name": s.name,
                "region": s.region.code,
                "capacity": s.capacity,
                "occupancy": s.occupancy,
                "status": s.status,
            }  # fmt: skip
            for s in sites
        ],
        "locations": [
            {"id": loc.pk, "name": loc.name, "region": loc.region.code, "site": loc.site_id}
            for loc in locations
        ],
        "regions": [{"code": r.code, "name": r.name} for r in _regions(user)],
        "movements": [{"code": m.code, "name": m.name} for m in ArmedGroup.objects.order_by("code")],
        "refusals": refusals(device),
        "distributions": due_in_kind(user),
    }


def due_in_kind(user: User) -> list[dict[str, Any]]:
    """What may be handed over offline in the user's scope: each person with entitlements in kind
    still due (of an active enrolment), their card's token (as the QR code holds it, so that a
    typed or scanned card finds them offline) and those entitlements, without amounts. One
    query; empty for a role that may not distribute."""
    if user.role not in REINTEGRATION_ROLES:
        return []
    rows = (
        Entitlement.objects.filter(
            combatant__in=Combatant.objects.for_user(user).exclude(status=Combatant.Status.MERGED),
            state=Entitlement.State.DUE,
            component__delivery=Delivery.IN_KIND,
            enrolment__status=Enrolment.Status.ACTIVE,
        )
        .order_by("combatant_id", "due_on", "pk")
        .values_list("combatant_id", "pk", "component__label", "due_on")
    )
    people: dict[int, dict[str, Any]] = {}
    for person, pk, label, due_on in rows:
        entry = people.setdefault(
            person, {"person": person, "card": card_token_for(person), "entitlements": []}
        )
        entry["entitlements"].append({"id": pk, "label": label, "due_on": due_on})
    return list(people.values())


def _regions(user: User) -> QuerySet[Region]:
    regions = Region.objects.order_by("name")
    return regions.filter(pk=user.region_id or 0) if user.role == Role.REGIONAL_OFFICER else regions


def refusals(device: Device) -> list[dict[str, Any]]:
    """Refused operations of the device its officer has not acknowledged yet."""
    pending = SyncOperation.objects.filter(
        device=device, status=SyncOperation.Status.REFUSED, acknowledged_at__isnull=True
    ).order_by("received_at", "id")
    return [
        {
            "op_id": str(op.op_id),
            "kind": op.kind,
            "made_at": op.made_at,
            "status": op.status,
            "reason": op.reason,
            "person": op.person_id,
            "registration_number": None,
            "temp_id": op.temp_id or None,
        }
        for op in pending
    ]


def conflicts_for(user: User) -> QuerySet[SyncConflict]:
    """Conflicts a reviewer may decide: of the people they see (a regional officer, their region)."""
    return SyncConflict.objects.for_user(user).select_related(
        "person", "device_by", "server_by", "resolved_by", "operation__device"
    )


def shown(name: str, value: Any) -> str:
    """A value of a person's field as a reviewer reads it: labels of choices, names of regions
    and movements (kept as ids), a dash for nothing."""
    if value in (None, ""):
        return "—"
    if name in ("region", "movement"):
        model = Region if name == "region" else ArmedGroup
        found = model.objects.filter(pk=value).first()
        return str(found.name if found else value)
    choices = dict(getattr(Combatant._meta.get_field(name), "flatchoices", None) or [])
    if isinstance(value, bool):
        from django.utils.translation import gettext

        return gettext("Yes") if value else gettext("No")
    return str(choices.get(value, value))


def field_label(name: str) -> str:
    return str(getattr(Combatant._meta.get_field(name), "verbose_name", name))
