"""The programme at a glance: read-only aggregates for the home page, scoped to the user."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from accounts.models import User
from cantonment.models import CantonmentStay, Site
from core.querysets import person_scope_q
from core.suppression import for_analyst, visible
from cvr.models import Project
from ddr.models import Category, Combatant, RegisterTally, Sex
from integration.models import Unit


@dataclass(frozen=True)
class ProgrammeSummary:
    people: int
    with_weapon: int | None  # None for analysts: not in their base table
    women: int
    by_category: list[tuple[str, int]]
    by_region: list[tuple[str, int]]
    children_referred: int
    sites_by_status: list[tuple[str, int]]
    site_capacity: int
    site_occupancy: int
    overstays: int
    stays_ending_soon: int | None  # None for analysts, idem
    units_by_kind: list[tuple[str, int]]
    projects: int
    projects_budget_usd: Decimal
    project_beneficiaries: int
    project_women: int


def _analyst_summary(user: User, exact: ProgrammeSummary) -> ProgrammeSummary:
    """Analysts: every count of people from a suppressed base table (`core.suppression`), so the
    home page adds nothing to what the dashboard gives them; what no base holds is left out."""
    from cantonment.sites.selectors import people_on_sites
    from core.models import Region
    from cvr.selectors import visible_mix
    from ddr.registration.selectors import Scope

    register = Scope(user).register
    names = dict(Region.objects.values_list("id", "name"))
    by_region = sorted(register.margin("region_id").items(), key=lambda item: -item[1])
    on_sites = people_on_sites(Site.objects.for_user(user))
    mix = visible_mix(Project.objects.for_user(user))
    return replace(
        exact,
        people=register.total(),
        with_weapon=None,
        women=register.where(sex="F").total(),
        by_category=[],
        by_region=[(names[region_id], n) for (region_id,), n in by_region],
        children_referred=visible(exact.children_referred),
        site_occupancy=on_sites.total(),
        overstays=on_sites.where(flag="overstay").total(),
        stays_ending_soon=None,
        project_beneficiaries=mix.total,
        project_women=mix.women,
    )


def _labelled(rows: Any, field: str, choices: Any) -> list[tuple[str, int]]:
    labels = dict(choices)
    return [(str(labels.get(r[field], r[field])), r["n"]) for r in rows]


def _tally_scope(user: User) -> Q:
    """The scope the tally answers: the adults, of the officer's region for a regional officer."""
    adults = ~Q(category=Category.CHILD)
    return Q(region=user.region_id) & adults if user.is_regional else Q() & adults


@dataclass(frozen=True)
class _People:
    """The adults' figures of the summary (children and merged records left out)."""

    total: int
    women: int
    by_region: list[tuple[str, int]]  # (region name, people), most first
    by_category: dict[str, int]
    with_weapon: int


def _people_from_tally(user: User) -> _People | None:
    """The adults' figures from the register tally the database keeps (`RegisterTally`, groupings
    "sex" and "category"), in one small query whatever the register's size; None when the tally
    cannot answer this reader's scope and the register must be counted."""
    scope = person_scope_q(user)
    if scope is None or user.is_child_protection:
        return _People(0, 0, [], {}, 0)  # nobody, or children only: no adult is counted
    # Every other reader sees the adults of the programme, of their region for a regional officer
    # (`Combatant.objects.scope_q`): exactly what the tally holds, scoped by `for_user`.
    if scope != _tally_scope(user):
        return None
    rows = (
        RegisterTally.objects.for_user(user)
        .filter(grouping__in=["sex", "category"])
        .values_list("grouping", "region__name", "sex", "category", "has_weapon")
        .annotate(total=Sum("n"))
        .order_by()
    )
    by_region: dict[str, int] = defaultdict(int)
    by_category: dict[str, int] = defaultdict(int)
    women = with_weapon = 0
    for grouping, region, sex, category, has_weapon, n in rows:
        if grouping == "sex":
            by_region[region] += n
            women += n if sex == Sex.FEMALE else 0
        else:
            by_category[category] += n
            with_weapon += n if has_weapon else 0
    ranked = sorted(((r, n) for r, n in by_region.items() if n), key=lambda item: (-item[1], item[0]))
    return _People(sum(by_region.values()), women, ranked, by_category, with_weapon)


def _people_counted(adults: Any) -> _People:
    """The same figures counted over the register (a scope the tally does not answer)."""
    totals = adults.aggregate(n=Count("id"), women=Count("id", filter=Q(sex=Sex.FEMALE)))
    counted = adults.values("region__name").annotate(n=Count("id")).order_by("-n", "region__name")
    grouped = list(adults.values("category", "has_weapon").annotate(n=Count("id")).order_by())
    by_category: dict[str, int] = defaultdict(int)
    for row in grouped:
        by_category[row["category"]] += row["n"]
    return _People(
        totals["n"],
        totals["women"],
        [(r["region__name"], r["n"]) for r in counted],
        by_category,
        sum(row["n"] for row in grouped if row["has_weapon"]),
    )


def programme_summary(user: User) -> ProgrammeSummary:
    """A handful of small queries, whatever the size of the register: the people's figures from
    the register tally, children counted through their index."""
    # A duplicate merged into another record is one person: counted once, by the record kept.
    adults = _people_from_tally(user)
    if adults is None:  # a scope the tally does not answer: count the register
        adults = _people_counted(Combatant.objects.for_user(user).exclude(status=Combatant.Status.MERGED))
    ranked = sorted(
        ((c, n) for c, n in adults.by_category.items() if n), key=lambda item: (-item[1], item[0])
    )
    by_category = [{"category": category, "n": n} for category, n in ranked]
    # Children are never counted among combatants; their number alone is shown (none to a reader
    # who sees nobody of the register).
    children = Combatant.objects.filter(category=Category.CHILD).exclude(status=Combatant.Status.MERGED)
    if person_scope_q(user) is None:
        children = children.none()
    elif user.is_regional:
        children = children.filter(region=user.region_id)
    sites = Site.objects.for_user(user)
    site_rows = sites.values("status").annotate(n=Count("id")).order_by("status")
    site_totals = sites.aggregate(capacity=Sum("capacity"), occupancy=Sum("occupancy"))
    # Flags set every morning by the daily job (cantonment.stays.stays_flag).
    stays = (
        CantonmentStay.objects.for_user(user)
        .filter(checked_out_on__isnull=True)
        .aggregate(
            overstay=Count("id", filter=Q(flag=CantonmentStay.Flag.OVERSTAY)),
            soon=Count("id", filter=Q(flag=CantonmentStay.Flag.ENDING_SOON)),
        )
    )
    units = Unit.objects.for_user(user).values("kind").annotate(n=Count("id")).order_by("kind")
    projects = Project.objects.for_user(user).aggregate(
        n=Count("id"),
        budget=Sum("budget_usd"),
        ex=Sum("beneficiaries_ex_combatants"),
        com=Sum("beneficiaries_community"),
        women=Sum("beneficiaries_women"),
    )
    summary = ProgrammeSummary(
        people=adults.total,
        with_weapon=adults.with_weapon,
        women=adults.women,
        by_category=_labelled(by_category, "category", Category.choices),
        by_region=adults.by_region,
        children_referred=children.count(),
        sites_by_status=_labelled(site_rows, "status", Site.Status.choices),
        site_capacity=site_totals["capacity"] or 0,
        site_occupancy=site_totals["occupancy"] or 0,
        overstays=stays["overstay"],
        stays_ending_soon=stays["soon"],
        units_by_kind=_labelled(units, "kind", Unit.Kind.choices),
        projects=projects["n"],
        projects_budget_usd=projects["budget"] or Decimal(0),
        project_beneficiaries=(projects["ex"] or 0) + (projects["com"] or 0),
        project_women=projects["women"] or 0,
    )
    return _analyst_summary(user, summary) if for_analyst(user) else summary
