"""Grievances: read-only queries. Every read of a grievance goes through
`Grievance.objects.for_user(user)` (models.GrievanceQuerySet)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import AnyUser, Role, User
from accounts.permissions import GRIEVANCE_ROLES, has_role
from core import suppression
from core.querysets import signed_in
from core.suppression import Base
from ddr.accountability.grievances import rules as R
from ddr.accountability.grievances.models import Grievance, GrievanceDeadline, child_involved_q
from ddr.registration.models import Category, Combatant

RELATED = (
    "region",
    "assigned_to",
    "complainant_person",
    "complainant_movement",
    "subject_person",
    "subject_list",
    "subject_site",
    "subject_unit",
    "subject_project",
    "subject_payment__combatant",
    "against",
)
# The columns of the figures' base table (core.suppression), and how the API names them.
COLUMNS = ["channel", "category", "region", "sex", "status"]
UNKNOWN = "unknown"


def deadlines_for(category: str) -> R.Deadlines:
    row = GrievanceDeadline.objects.filter(category=category).first()
    if row is None:
        return R.Deadlines()
    return R.Deadlines(acknowledge_hours=row.acknowledge_hours, answer_days=row.answer_days)


def grievances_for(user: AnyUser) -> QuerySet[Grievance]:
    return Grievance.objects.for_user(user).select_related(*RELATED)


def can_handle(user: AnyUser) -> bool:
    return has_role(user, GRIEVANCE_ROLES)


def handlers_for(grievance: Grievance) -> QuerySet[User]:
    """Who may be given a grievance: active staff who may read it (never the one it is against)."""
    staff = User.objects.filter(is_active=True, role__in=GRIEVANCE_ROLES).order_by("last_name", "first_name")
    if grievance.sensitive:
        roles = [Role.FOCAL_POINT]
        if Grievance.objects.filter(child_involved_q(), pk=grievance.pk).exists():
            roles.append(Role.CHILD_PROTECTION)
        staff = staff.filter(role__in=roles)
    if grievance.against_id:
        staff = staff.exclude(pk=grievance.against_id)
    return staff


def may_read(user: User, grievance: Grievance) -> bool:
    return Grievance.objects.for_user(user).filter(pk=grievance.pk).exists()


def person_shown(grievance: Grievance, person: Combatant | None, user: AnyUser) -> bool:
    """Whether the page names a person the grievance links: to the focal point only an adult
    (the focal point never opens the register; a child's name stays with child protection)."""
    if person is None:
        return False
    if signed_in(user) and user.role == Role.FOCAL_POINT:
        return person.category != Category.CHILD
    return True


def opens_register(user: AnyUser) -> bool:
    """Whether links to the person's page make sense for this reader (the focal point: never)."""
    return signed_in(user) and user.role != Role.FOCAL_POINT


# --- linked records -------------------------------------------------------------------------


def linked(user: AnyUser, **target: Any) -> list[Grievance]:
    """The grievances about one list, site, unit, project (or person) this reader may see: one
    query. A reader who may not see the sensitive ones is not told they exist (for_user)."""
    if not can_handle(user):
        return []
    return list(grievances_for(user).filter(**target).order_by("-received_on", "-id")[:50])


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of grievances (its tab "Grievances, appeals and consent"):
    those they made and those about them (or their payments), as this reader may see them. One
    query."""
    if not can_handle(user):
        return {"grievances": [], "can_receive_grievance": False}
    about = Q(complainant_person=person) | Q(subject_person=person) | Q(subject_payment__combatant=person)
    rows = list(grievances_for(user).filter(about).order_by("-received_on", "-id")[:50])
    return {"grievances": rows, "can_receive_grievance": True}


def subject_access(person: Combatant) -> list[dict[str, Any]]:
    """The grievances the person made, for their subject-access export (consent). A sensitive
    one is listed without its content: the protection focal point holds it and gives it to the
    person themself."""
    rows = (
        Grievance.objects.filter(complainant_person=person)
        .select_related("region")
        .prefetch_related("events")
        .order_by("received_on", "id")
    )
    out: list[dict[str, Any]] = []
    for g in rows:
        entry: dict[str, Any] = {
            "reference": g.reference,
            "received_on": g.received_on.isoformat(),
            "channel": str(g.get_channel_display()),
            "category": str(g.get_category_display()),
            "status": str(g.get_status_display()),
            "sensitive": g.sensitive,
        }
        if g.sensitive:
            entry["note"] = _("Held by the protection focal point, who gives its content to the person.")
        elif g.against_id:  # whoever produces the file may be the one complained about
            entry["note"] = _("About staff conduct: its content is given to the person on request.")
        else:
            entry |= {
                "about": str(g.get_subject_kind_display()),
                "description": g.description,
                "region": g.region.name if g.region else "",
                "answer": g.answer,
                "accepted": str(g.get_accepted_display()) if g.accepted else "",
                "resolved_on": g.resolved_on.isoformat() if g.resolved_on else "",
                "steps": [
                    {"at": e.at.isoformat(), "step": str(e.get_kind_display()), "note": e.note}
                    for e in g.events.all()
                ],
            }
        out.append(entry)
    return out


# --- figures ----------------------------------------------------------------------------------


def _figure_rows(user: AnyUser) -> QuerySet[Grievance]:
    """The grievances a reader's figures count: every one, within a regional officer's region
    (figures never name anyone: the sensitive ones are counted, in cells of 5 or more only)."""
    rows = Grievance.objects.all()
    if signed_in(user) and user.role == Role.REGIONAL_OFFICER:
        rows = rows.filter(region=user.region_id)
    return rows


def figures_base(user: AnyUser) -> tuple[Base, dict[tuple[Any, ...], list[float]]]:
    """The base table channel x category x region x sex x status (core.suppression), and the days
    to resolution of the resolved grievances of each visible cell. The confidential grievances
    (sensitive, naming a child, or against the reader) are counted in cells of 5 or more only,
    whoever reads; the rest exactly, except for analysts. Two queries."""
    rows = _figure_rows(user)
    confidential = Q(sensitive=True) | child_involved_q()
    if signed_in(user):
        confidential |= Q(against=user)
    secret = set(rows.filter(confidential).values_list("pk", flat=True))
    counts: dict[bool, dict[tuple[Any, ...], int]] = {True: defaultdict(int), False: defaultdict(int)}
    durations: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    fields = ("pk", "channel", "category", "region__code", "complainant_person__sex", "status")
    for pk, channel, category, region, sex, status, received, resolved in rows.values_list(
        *fields, "received_on", "resolved_on"
    ):
        key = (channel, category, region or UNKNOWN, sex or UNKNOWN, status)
        counts[pk in secret][key] += 1
        if resolved is not None:
            durations[key].append((resolved - received).total_seconds() / 86400)
    base = Base(COLUMNS, counts[False], exact=not suppression.for_analyst(user))
    for key, n in Base(COLUMNS, counts[True]).cells.items():  # always suppressed
        base.cells[key] = base.cells.get(key, 0) + n
    return base, {k: v for k, v in durations.items() if k in base.cells}


def figures(user: AnyUser) -> dict[str, Any]:
    """What the analysts' endpoint and the list page show: counts by channel, category, region,
    sex and status, and the median and mean days to resolution, each over visible cells only."""
    base, durations = figures_base(user)
    resolved = [d for v in durations.values() for d in v]
    # Days to resolution are shown over 5 resolved grievances or more only (like a cell).
    shown = len(resolved) >= suppression.SUPPRESS_BELOW

    def by(column: str) -> list[dict[str, Any]]:
        margin = base.margin(column)
        return [{column: key[0], "count": n} for key, n in sorted(margin.items(), key=lambda i: str(i[0]))]

    return {
        "total": base.total(),
        "by_channel": by("channel"),
        "by_category": by("category"),
        "by_region": by("region"),
        "by_sex": by("sex"),
        "by_status": by("status"),
        "resolved": len(resolved) if shown else 0,
        "median_days_to_resolution": round(statistics.median(resolved), 1) if shown else None,
        "mean_days_to_resolution": round(statistics.fmean(resolved), 1) if shown else None,
        "suppressed": suppression.for_analyst(user),
    }


def labelled(rows: list[dict[str, Any]], column: str, choices: dict[str, Any]) -> list[tuple[str, int]]:
    """A margin of `figures` with its labels, for the page."""
    return [(str(choices.get(r[column], r[column])), r["count"]) for r in rows]
