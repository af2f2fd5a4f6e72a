"""Sites through their lifecycle, and people through their stays.

Capacity is enforced by the database: a check-in is one `UPDATE ... WHERE occupancy < capacity`,
which PostgreSQL re-evaluates after waiting on a concurrent check-in's row lock, and the site's
CHECK constraints refuse an over-full site whatever writes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from cantonment.sites import rules
from cantonment.sites.models import CantonmentStay, Site, SiteEvent
from core.suppression import Base
from ddr.models import Sex


def people_on_sites(sites: Any) -> Base:
    """Analysts' base table of the people on sites: (site, sex, flag of the stay) -> people, small
    cells dropped. One partition of the people present, so every figure (occupancy, women,
    overstays, stays ending soon) is a sum of the same visible cells and none can be subtracted
    from another to find a hidden few. The occupancy kept on the site counts everyone; the stays
    give the split by flag."""
    stays = Q(stays__checked_out_on__isnull=True)
    women = stays & Q(stays__combatant__sex=Sex.FEMALE)
    flagged = [CantonmentStay.Flag.OVERSTAY, CantonmentStay.Flag.ENDING_SOON]
    per_flag = {}
    for flag in flagged:
        per_flag[f"{flag}_all"] = Count("stays", filter=stays & Q(stays__flag=flag))
        per_flag[f"{flag}_women"] = Count("stays", filter=women & Q(stays__flag=flag))
    counts: dict[tuple[Any, ...], int] = {}
    for row in sites.order_by().values("pk", "occupancy", "occupancy_women").annotate(**per_flag):
        by_sex = {Sex.FEMALE: row["occupancy_women"], Sex.MALE: row["occupancy"] - row["occupancy_women"]}
        for sex, present in by_sex.items():
            for flag in flagged:
                n = row[f"{flag}_women"] if sex == Sex.FEMALE else row[f"{flag}_all"] - row[f"{flag}_women"]
                counts[(row["pk"], sex, flag)] = n
                present -= n
            counts[(row["pk"], sex, CantonmentStay.Flag.NONE)] = max(present, 0)
    return Base(["site", "sex", "flag"], counts)


def site_figures(on_sites: Base, site_id: int) -> dict[str, int]:
    """One site's figures for an analyst, each a sum of visible cells of `people_on_sites`."""
    mine = on_sites.where(site=site_id)
    return {
        "occupancy": mine.total(),
        "occupancy_women": mine.where(sex=Sex.FEMALE).total(),
        "overstays": mine.where(flag=CantonmentStay.Flag.OVERSTAY).total(),
        "ending_soon": mine.where(flag=CantonmentStay.Flag.ENDING_SOON).total(),
    }


def with_step_dates(sites: QuerySet[Site]) -> QuerySet[Site]:
    """Each site with the day it reached each step of the agreement's calendar (first such step)."""

    def reached(status: str) -> Subquery:
        steps = SiteEvent.objects.filter(site=OuterRef("pk"), status=status).order_by("on", "id")
        return Subquery(steps.values("on")[:1])

    return sites.annotate(
        proposed_on=reached(Site.Status.PROPOSED),
        validated_on=reached(Site.Status.VALIDATED),
        built_on=reached(Site.Status.BUILT),
    )


def late(sites: QuerySet[Site], today: dt.date) -> QuerySet[Site]:
    """Sites behind the agreement's calendar (validation or construction overdue), and interim
    sites kept past the end they were meant to have."""
    S = Site.Status
    return with_step_dates(sites).filter(
        Q(status=S.PROPOSED, proposed_on__lt=today - dt.timedelta(rules.VALIDATION_DAYS))
        | Q(
            status__in=[S.VALIDATED, S.UNDER_CONSTRUCTION],
            validated_on__lt=today - dt.timedelta(rules.CONSTRUCTION_DAYS),
        )
        | (Q(interim_until__lt=today) & ~Q(status__in=[S.CLOSED, S.HANDED_OVER]))
    )


def open_flagged(stays: QuerySet[CantonmentStay], flag: str) -> QuerySet[CantonmentStay]:
    """Stays still open whose daily flag is `flag` (overstay, ending soon): what the home page
    counts and the stays page filtered on `?flag=` shows."""
    return stays.filter(checked_out_on__isnull=True, flag=flag)
