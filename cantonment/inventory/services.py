"""Equipment inventory: movements in and out, and the handover to a national authority with its
signed receipt. Once handed over, an item is frozen (InventoryItem.save refuses)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from cantonment.inventory.models import Handover, InventoryItem, InventoryMovement
from cantonment.sites.models import Site
from cantonment.sites.services import CantonmentRefused
from core.audit import save_audited
from core.models import Region
from core.pdf import PdfUnavailable, html_to_pdf


@transaction.atomic
def inventory_item_create(
    *,
    code: str,
    contents: str,
    region: Region,
    location: str,
    custodian: str,
    by: User,
    kind: str = InventoryItem.Kind.CONTAINER,
    quantity: int = 1,
    unit: str = "",
    site: Site | None = None,
) -> InventoryItem:
    """A container or a stock recorded in the inventory; its quantity then changes by movements."""
    item = InventoryItem(
        code=code,
        kind=kind,
        contents=contents,
        quantity=quantity,
        unit=unit,
        region=region,
        site=site,
        location=location,
        custodian=custodian,
    )
    item._history_user = by  # type: ignore[attr-defined]
    item.save()
    return item


def _unlocked(item: InventoryItem) -> InventoryItem:
    item = InventoryItem.objects.select_for_update().get(pk=item.pk)
    if item.handover_id:
        raise CantonmentRefused(
            _("%(code)s has been handed over: it cannot be changed.") % {"code": item.code}
        )
    return item


@transaction.atomic
def movement_record(
    *,
    item: InventoryItem,
    direction: str,
    quantity: int,
    on: dt.date,
    counterpart: str,
    by: User,
    reference: str = "",
) -> InventoryMovement:
    item = _unlocked(item)
    if quantity < 1:
        raise CantonmentRefused(_("A movement moves at least one unit."), "quantity")
    if on > timezone.localdate():
        raise CantonmentRefused(_("A movement cannot be dated in the future."), "on")
    if direction == InventoryMovement.Direction.OUT and quantity > item.quantity:
        raise CantonmentRefused(
            _("Only %(n)s %(unit)s in stock: %(q)s cannot go out.")
            % {"n": item.quantity, "unit": item.unit, "q": quantity},
            "quantity",
        )
    movement = InventoryMovement.objects.create(
        item=item,
        direction=direction,
        quantity=quantity,
        on=on,
        counterpart=counterpart,
        reference=reference,
        recorded_by=by,
    )
    item.quantity = (
        item.quantity + quantity if direction == InventoryMovement.Direction.IN else item.quantity - quantity
    )
    save_audited(item, by, ["quantity"], f"{direction} {quantity} {counterpart}"[:100])
    return movement


@transaction.atomic
def handover_make(
    *,
    items: Sequence[InventoryItem],
    reference: str,
    authority: str,
    received_by: str,
    on: dt.date,
    by: User,
    note: str = "",
) -> Handover:
    """Hand items over, freeze them, and store the PDF receipt listing them with its SHA-256."""
    if not items:
        raise CantonmentRefused(_("Choose at least one item to hand over."), "items")
    locked = list(
        InventoryItem.objects.select_for_update(of=("self",))
        .filter(pk__in=[i.pk for i in items])
        .select_related("site")
    )
    already = [i.code for i in locked if i.handover_id]
    if already:
        raise CantonmentRefused(
            _("Already handed over: %(codes)s. Nothing was handed over.") % {"codes": ", ".join(already)},
            "items",
        )
    regions = {i.region_id for i in locked}
    if len(regions) != 1:
        raise CantonmentRefused(_("A handover covers the items of one region."), "items")
    if Handover.objects.filter(reference=reference).exists():
        raise CantonmentRefused(_("Reference %(r)s is already used.") % {"r": reference}, "reference")
    handover = Handover.objects.create(
        reference=reference,
        region_id=regions.pop(),
        authority=authority,
        received_by=received_by,
        on=on,
        handed_over_by=by,
        note=note,
    )
    for item in locked:
        item.handover = handover
    bulk_update_with_history(
        locked,
        InventoryItem,
        ["handover"],
        default_user=by,
        default_change_reason=f"handover {reference}"[:100],
    )
    receipt = render_to_string(
        "cantonment/handover_receipt.html",
        {"handover": handover, "items": sorted(locked, key=lambda i: i.code), "generated_at": timezone.now()},
    )
    try:
        pdf = html_to_pdf(receipt)
    except PdfUnavailable as exc:  # nothing is handed over without its receipt
        raise CantonmentRefused(
            _(
                "The PDF receipt cannot be produced on this server (install Pango: %(error)s). "
                "Nothing was handed over."
            )
            % {"error": exc}
        ) from exc
    handover.receipt_sha256 = hashlib.sha256(pdf).hexdigest()
    handover.receipt.save(f"{reference}.pdf", ContentFile(pdf), save=False)
    handover.save(update_fields=["receipt", "receipt_sha256"])
    return handover
