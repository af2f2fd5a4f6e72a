"""What the offline app's page carries: the words its scripts show (through gettext, like every
other page), the reference lists its forms offer, and where the sync API is. Nothing about any
person: people come from the sync snapshot and are stored encrypted."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import REGISTER_ROLES, REINTEGRATION_ROLES, WRITE_ROLES, has_role
from core.models import Region
from ddr.models import ArmedGroup, Category, DeclaredWeapon, IdentityDocument, MedicalExam, Sex
from ddr.reintegration.payments.models import Confirmation

# Who works offline: the roles the sync API lets sync (docs/offline-sync.md): those who register,
# and child protection for children's records. Analysts and the focal point never hold people.
FIELD_WORK_ROLES = WRITE_ROLES

# Words the scripts put on the screen; the template's own text goes through {% translate %}.
STRINGS = {
    "online": _("Online: changes are sent when you sync."),
    "offline": _("Offline: your work is kept on this device and sent at the next sync."),
    "never": _("never"),
    "setup": _("Set up this device"),
    "unlock": _("Unlock"),
    "wrong_password": _("Wrong password: the data on this device could not be opened."),
    "password_mismatch": _("The two passwords differ."),
    "set_up_online": _("Connect to the network once to set up this device."),
    "syncing": _("Syncing…"),
    "synced": _("Synced."),
    "sync_needs_network": _("No network: sync when the connection is back."),
    "sync_failed": _("The sync failed; nothing was lost. Try again later."),
    "sign_in_again": _("Your session has ended: sign in again, then sync."),
    "revoked": _(
        "This device was revoked by an administrator: every piece of data stored on it has been erased."
    ),
    "locked": _("This device has not synced for more than %(days)s days: it is locked until it syncs."),
    "registered": _("Registered with the temporary number %(number)s."),
    "saved": _("Recorded on this device; it will be sent at the next sync."),
    "no_results": _("Nobody found among the people stored on this device."),
    "photo_not_image": _("The photo is not an image."),
    "photo_too_large": _("The photo is too large."),
    "conflicts_waiting": _("Some changes conflict with changes made on the server: a reviewer will decide."),
    "see_conflicts": _("See the conflicts"),
    "acknowledge": _("Acknowledge"),
    "acknowledge_needs_network": _("Acknowledging needs the network."),
    "not_on_site": _("Not on a site"),
    "on_site": _("On site: %(site)s"),
    "waiting_sync": _("waiting for sync"),
    "check_in_done": _("Checked in; it will be sent at the next sync."),
    "check_out_done": _("Checked out; it will be sent at the next sync."),
    "places": _("%(occupancy)s of %(capacity)s places taken"),
    "site_full": _("This site is full."),
    "kind_register": _("Registration"),
    "kind_update": _("Correction"),
    "kind_age_assessment": _("Age assessment"),
    "kind_medical": _("Medical result"),
    "kind_check_in": _("Check-in"),
    "kind_check_out": _("Check-out"),
    "kind_weapon_handin": _("Weapon hand-in"),
    "kind_distribution": _("Distribution"),
    "distribution_done": _("Hand-over recorded; it will be sent at the next sync."),
    "card_mismatch": _("This card is not this person's: check the card presented."),
    "nothing_due": _("Nothing in kind is due to this person."),
}


def app_config(user: User) -> dict[str, Any]:
    return {
        "user": user.pk,
        "region": user.region.code if user.region else "",
        "can_register": has_role(user, REGISTER_ROLES),
        "can_distribute": has_role(user, REINTEGRATION_ROLES),
        "api": {  # the sync API (programme.offline) and the reviewers' conflict screen
            "devices": reverse("api-sync-devices"),
            "snapshot": reverse("api-sync-snapshot"),
            "operations": reverse("api-sync-operations"),
            "acknowledge": reverse("api-sync-acknowledge"),
            "conflicts": reverse("programme:offline-conflict-list"),
        },
        "strings": STRINGS,
        "regions": list(Region.objects.values("code", "name")),
        "movements": list(ArmedGroup.objects.order_by("code").values("code", "name")),
    }


def form_choices() -> dict[str, Any]:
    """The choices the page's forms offer, labelled in the reader's language."""
    return {
        "sexes": Sex.choices,
        "categories": Category.choices,
        "weapon_kinds": DeclaredWeapon.Kind.choices,
        "document_kinds": IdentityDocument.Kind.choices,
        "weapon_conditions": DeclaredWeapon.Condition.choices,
        "medical_results": MedicalExam.Result.choices,
        "confirmations": Confirmation.choices,
    }
