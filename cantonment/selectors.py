"""Cantonment's part of a person's case (core.case): their stays and what they handed in."""

from __future__ import annotations

from django.utils.translation import pgettext

from accounts.models import AnyUser
from accounts.permissions import CANTONMENT_ROLES, has_role
from cantonment.sites.models import CantonmentStay, Site
from cantonment.weapons.selectors import items_for
from core.case import CaseEvent, CasePart
from ddr.models import Combatant

TAB = "cantonment"


def person_case(person: Combatant, user: AnyUser) -> CasePart:
    """The person's stays (theirs wherever the site: a stay is seen when the person is), the sites
    named, linked only where the reader may open them, and the weapons and ammunition handed in
    on the reader's sites (an item belongs to its site's region). Three queries."""
    stays = list(
        CantonmentStay.objects.for_user(user)
        .filter(combatant=person)
        .select_related("site")
        .order_by("-checked_in_on", "-id")
    )
    site_ids = {s.site_id for s in stays}
    openable = set(Site.objects.for_user(user).filter(pk__in=site_ids).values_list("pk", flat=True))
    items = list(items_for(user).filter(combatant=person).select_related("site", "location", "project"))
    events = []
    for stay in stays:
        events.append(
            CaseEvent(stay.checked_in_on, pgettext("case event", "Checked in"), stay.site.name, tab=TAB)
        )
        if stay.checked_out_on:
            events.append(
                CaseEvent(stay.checked_out_on, pgettext("case event", "Checked out"), stay.site.name, tab=TAB)
            )
    for item in items:
        what = item.get_weapon_type_display() or item.get_kind_display()
        detail = f"{what} {item.serial_number}".strip() + f" — {item.receipt_number}, {item.where}"
        events.append(CaseEvent(item.received_on, pgettext("case event", "Handed in"), detail, tab=TAB))
        if item.disposed_on:
            events.append(
                CaseEvent(item.disposed_on, item.get_status_display(), item.receipt_number, tab=TAB)
            )
    context = {
        "cantonment_stays": [(stay, stay.site_id in openable) for stay in stays],
        "cantonment_current": next((stay for stay in stays if stay.is_open), None),
        "cantonment_items": items,
        "cantonment_can_open_items": has_role(user, CANTONMENT_ROLES),
    }
    return CasePart(context, events)
