"""Sites through their lifecycle, and people through their stays.

Capacity is enforced by the database: a check-in is one `UPDATE ... WHERE occupancy < capacity`,
which PostgreSQL re-evaluates after waiting on a concurrent check-in's row lock, and the site's
CHECK constraints refuse an over-full site whatever writes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cantonment.sites.models import CantonmentStay, Site, SiteEvent, SiteHeadcount
from core.audit import save_audited
from core.dates import shown_date
from core.errors import Refused
from core.lifecycle import Lifecycle, Step
from core.models import Decision
from ddr.eligibility import selectors as eligibility_selectors
from ddr.eligibility import services as eligibility
from ddr.models import Category, ChildReferral, Combatant, Sex

S = Site.Status
DEFAULT_MAX_STAY_DAYS = 45
ENDING_SOON_DAYS = 7

# People who left the programme, or whose record is another's, are never checked in.
NOT_ADMITTED = frozenset(
    {
        Combatant.Status.EXCLUDED,
        Combatant.Status.WITHDRAWN,
        Combatant.Status.DECEASED,
        Combatant.Status.DESERTED,
        Combatant.Status.MERGED,
        Combatant.Status.INTEGRATED,
        Combatant.Status.REINTEGRATED,
    }
)


class CantonmentRefused(Refused):
    """A cantonment change cannot be made; the message says why. Nothing was changed."""


# --- sites --------------------------------------------------------------------------------


def _forbidden(site: Site, to: str) -> str:
    return _("A site cannot go from “%(from)s” to “%(to)s”.") % {
        "from": site.get_status_display(),
        "to": S(to).label if to in S.values else to,
    }


# A site moves forward one step at a time; a built site may close without ever opening
# (the eight CTS sites were built and never used).
LIFECYCLE: Lifecycle[Site, SiteEvent] = Lifecycle(
    {
        S.PROPOSED: {S.VALIDATED},
        S.VALIDATED: {S.UNDER_CONSTRUCTION},
        S.UNDER_CONSTRUCTION: {S.BUILT},
        S.BUILT: {S.OPERATIONAL, S.CLOSED},
        S.OPERATIONAL: {S.CLOSED},
        S.CLOSED: {S.OPERATIONAL, S.HANDED_OVER},
        S.HANDED_OVER: set(),
    },
    refused=CantonmentRefused,
    forbidden=_forbidden,
    event=SiteEvent,
    owner="site",
    notes=["note"],
)


@LIFECYCLE.entering(S.CLOSED)
def _closing(site: Site, step: Step) -> list[str]:
    if site.occupancy:
        raise CantonmentRefused(
            _("%(n)s people are still on the site: check them out before closing it.")
            % {"n": site.occupancy},
            "to",
        )
    return []


@LIFECYCLE.entering(S.HANDED_OVER)
def _handed_over(site: Site, step: Step) -> list[str]:
    if not step.details.get("handed_over_to"):
        raise CantonmentRefused(_("Say to whom the site is handed over."), "handed_over_to")
    site.handed_over_to = step.details["handed_over_to"]
    site.intended_reuse = step.details.get("intended_reuse", "")
    return ["handed_over_to", "intended_reuse"]


@transaction.atomic
def site_propose(*, by: User, proposed_on: dt.date, **values: Any) -> Site:
    """A new site as proposed, with the first step of its lifecycle dated: the agreement's
    calendar (validation within 30 days) runs from it."""
    if proposed_on > timezone.localdate():
        raise CantonmentRefused(_("A step cannot be dated in the future."), "proposed_on")
    if values.get("places_for_women", 0) > values.get("capacity", 0):
        raise CantonmentRefused(_("Places for women cannot exceed the capacity."), "places_for_women")
    site = Site(status=S.PROPOSED, **values)
    site._history_user = by  # type: ignore[attr-defined]
    site.save()
    SiteEvent.objects.create(site=site, status=S.PROPOSED, on=proposed_on, recorded_by=by)
    return site


def site_advance(
    *,
    site: Site,
    to: str,
    on: dt.date,
    by: User,
    decided_by: str = "",
    decision: Decision | None = None,
    note: str = "",
    handed_over_to: str = "",
    intended_reuse: str = "",
) -> SiteEvent:
    """Move a site to its next lifecycle step, recording the date and the deciding body."""
    return LIFECYCLE.advance(
        site,
        to=to,
        on=on,
        by=by,
        decided_by=decided_by,
        decision=decision,
        note=note,
        handed_over_to=handed_over_to,
        intended_reuse=intended_reuse,
    ).event


@transaction.atomic
def site_capacity(*, site: Site, capacity: int, places_for_women: int, by: User) -> Site:
    """Change a site's capacity; never below the people (and women) on it now."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    if capacity < site.occupancy:
        raise CantonmentRefused(
            _("%(n)s people are on the site: the capacity cannot be lower.") % {"n": site.occupancy},
            "capacity",
        )
    if places_for_women > capacity:
        raise CantonmentRefused(_("Places for women cannot exceed the capacity."), "places_for_women")
    if places_for_women < site.occupancy_women:
        raise CantonmentRefused(
            _("%(n)s women are on the site: their places cannot be fewer.") % {"n": site.occupancy_women},
            "places_for_women",
        )
    site.capacity, site.places_for_women = capacity, places_for_women
    save_audited(site, by, ["capacity", "places_for_women"], "capacity")
    return site


# --- stays --------------------------------------------------------------------------------


def max_stay_days() -> int:
    ruleset = eligibility_selectors.active_ruleset()
    return ruleset.max_stay_days if ruleset else DEFAULT_MAX_STAY_DAYS


@transaction.atomic
def check_in(*, person: Combatant, site: Site, on: dt.date, by: User) -> CantonmentStay:
    """Admit a person to a site, if a place (a woman's place, for a woman) is free at this instant."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    if on > timezone.localdate():
        raise CantonmentRefused(_("A check-in cannot be dated in the future."), "on")
    if person.category == Category.CHILD and not site.children_facilities:
        referral = ChildReferral.objects.filter(combatant=person).first()
        raise CantonmentRefused(
            _(
                "%(who)s is a child: never checked into an adult site. Follow the child-protection "
                "referral instead (hand-over due %(due)s)."
            )
            % {
                "who": person.registration_number,
                "due": timezone.localtime(referral.handover_deadline).strftime("%Y-%m-%d %H:%M")
                if referral
                else "—",
            },
            "person",
        )
    if person.status in NOT_ADMITTED:
        raise CantonmentRefused(
            _("%(who)s cannot be checked in: %(status)s.")
            % {"who": person.registration_number, "status": person.get_status_display()},
            "person",
        )
    overlapping = (
        person.stays.filter(Q(checked_out_on__isnull=True) | Q(checked_out_on__gt=on))
        .select_related("site")
        .first()
    )
    if overlapping:
        raise CantonmentRefused(
            _("%(who)s already has a stay on %(site)s from %(start)s that overlaps this one.")
            % {
                "who": person.registration_number,
                "site": overlapping.site,
                "start": shown_date(overlapping.checked_in_on),
            },
            "person",
        )
    if site.status != S.OPERATIONAL:
        raise CantonmentRefused(
            _("%(site)s is not operational (%(status)s).")
            % {"site": site, "status": site.get_status_display()},
            "site",
        )
    _take_place(site, woman=person.sex == Sex.FEMALE)
    stay = CantonmentStay(
        combatant=person,
        site=site,
        checked_in_on=on,
        leave_by=on + dt.timedelta(days=max_stay_days()),
        checked_in_by=by,
    )
    stay.flag = _flag(stay.leave_by, timezone.localdate())
    stay._history_user = by  # type: ignore[attr-defined]
    stay.save()
    eligibility.case_follow(people=[person], to=Combatant.Status.CANTONED, by=by, reason=f"check-in {site}")
    return stay


def _take_place(site: Site, *, woman: bool) -> None:
    places = Site.objects.filter(pk=site.pk, occupancy__lt=F("capacity"))
    changes: dict[str, Any] = {"occupancy": F("occupancy") + 1}
    if woman:
        places = places.filter(occupancy_women__lt=F("places_for_women"))
        changes["occupancy_women"] = F("occupancy_women") + 1
    if places.update(**changes) == 1:
        return
    site.refresh_from_db(fields=["occupancy", "capacity", "occupancy_women", "places_for_women"])
    if woman and site.occupancy < site.capacity:
        raise CantonmentRefused(
            _("%(site)s has no free place for women (%(taken)s of %(places)s taken).")
            % {"site": site, "taken": site.occupancy_women, "places": site.places_for_women},
            "site",
        )
    raise CantonmentRefused(
        _("%(site)s is full (%(n)s of %(capacity)s places taken).")
        % {"site": site, "n": site.occupancy, "capacity": site.capacity},
        "site",
    )


@transaction.atomic
def check_out(*, stay: CantonmentStay, on: dt.date, by: User) -> CantonmentStay:
    stay = CantonmentStay.objects.select_for_update().select_related("combatant").get(pk=stay.pk)
    if stay.checked_out_on is not None:
        raise CantonmentRefused(_("This stay already ended on %(d)s.") % {"d": stay.checked_out_on}, "on")
    if on < stay.checked_in_on:
        raise CantonmentRefused(
            _("A check-out cannot come before the check-in (%(d)s).") % {"d": shown_date(stay.checked_in_on)},
            "on",
        )
    if on > timezone.localdate():
        raise CantonmentRefused(_("A check-out cannot be dated in the future."), "on")
    changes: dict[str, Any] = {"occupancy": F("occupancy") - 1}
    if stay.combatant.sex == Sex.FEMALE:
        changes["occupancy_women"] = F("occupancy_women") - 1
    Site.objects.filter(pk=stay.site_id).update(**changes)
    stay.checked_out_on, stay.checked_out_by, stay.flag = on, by, CantonmentStay.Flag.NONE
    save_audited(stay, by, ["checked_out_on", "checked_out_by", "flag"], "check-out")
    return stay


# --- the daily job ------------------------------------------------------------------------


def _flag(leave_by: dt.date, today: dt.date) -> str:
    if leave_by < today:
        return CantonmentStay.Flag.OVERSTAY
    if leave_by <= today + dt.timedelta(days=ENDING_SOON_DAYS):
        return CantonmentStay.Flag.ENDING_SOON
    return CantonmentStay.Flag.NONE


@transaction.atomic
def stays_flag(today: dt.date | None = None) -> dict[str, int]:
    """Flag open stays past their leave-by date or ending within 7 days: three set-based UPDATEs
    that return how many stays changed flag.

    Flags are alerts computed from dates, not case changes: they are not written to history.
    """
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=ENDING_SOON_DAYS)
    open_stays = CantonmentStay.objects.filter(checked_out_on__isnull=True)
    # Only rows whose flag changes are written: after the first morning, a few hundred a day.
    return {
        "overstay": open_stays.filter(leave_by__lt=today)
        .exclude(flag=CantonmentStay.Flag.OVERSTAY)
        .update(flag=CantonmentStay.Flag.OVERSTAY),
        "ending_soon": open_stays.filter(leave_by__gte=today, leave_by__lte=soon)
        .exclude(flag=CantonmentStay.Flag.ENDING_SOON)
        .update(flag=CantonmentStay.Flag.ENDING_SOON),
        "on_time": open_stays.filter(leave_by__gt=soon)
        .exclude(flag="")
        .update(flag=CantonmentStay.Flag.NONE),
    }


@transaction.atomic
def headcount_record(day: dt.date | None = None) -> int:
    """Who was present on each site that day (checked in on or before it, not yet out): one upsert."""
    day = day or timezone.localdate()
    rows = (
        CantonmentStay.objects.filter(checked_in_on__lte=day)
        .filter(Q(checked_out_on__isnull=True) | Q(checked_out_on__gt=day))
        .values("site")
        .annotate(people=Count("id"), women=Count("id", filter=Q(combatant__sex=Sex.FEMALE)))
    )
    counts = [SiteHeadcount(site_id=r["site"], day=day, people=r["people"], women=r["women"]) for r in rows]
    SiteHeadcount.objects.bulk_create(
        counts, update_conflicts=True, unique_fields=["site", "day"], update_fields=["people", "women"]
    )
    return len(counts)
