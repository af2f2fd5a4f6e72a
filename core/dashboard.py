"""The programme dashboard's figures: one grouped query per panel, filtered by region and period,
scoped to the reader. For analysts, small counts are suppressed so that no suppressed cell can be
worked out again from the totals (complementary suppression)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from cantonment.models import CantonmentStay, Site
from cvr import reports
from cvr.models import Project
from ddr.models import Category, Combatant, DuplicatePair, Pathway, Sex, SubmittedList
from integration import services as integration
from integration.models import IntegrationTarget, Unit

from .models import Region

SUPPRESS_BELOW = 5
S = Combatant.Status
# The funnel: how many people stand at each step now (their current status).
FUNNEL = [
    (_("Pre-registered"), [S.PRE_REGISTERED]),
    (_("Registered"), [S.REGISTERED]),
    (_("Screened"), [S.SCREENED]),
    (_("Oriented"), [S.ORIENTED]),
    (_("In cantonment or demobilised"), [S.CANTONED, S.DEMOBILISED]),
    (_("In training or reinsertion"), [S.IN_TRAINING, S.REINSERTED]),
    (_("Integrated"), [S.INTEGRATED]),
    (_("Reintegrated"), [S.REINTEGRATED]),
]
Table = dict[str, dict[str, int | None]]


def suppress(table: Mapping[str, Mapping[str, int]], below: int = SUPPRESS_BELOW) -> Table:
    """Hide counts from 1 to below-1; then, in any row or column where exactly one cell is hidden,
    hide the smallest other count too, until no hidden cell can be had by subtraction."""
    cells = {(r, c): v for r, row in table.items() for c, v in row.items()}
    hidden = {k for k, v in cells.items() if 0 < v < below}
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines: dict[str, list[tuple[str, str]]] = {}
            for key in cells:
                lines.setdefault(key[axis], []).append(key)
            for keys in lines.values():
                if sum(k in hidden for k in keys) == 1:
                    others = [k for k in keys if k not in hidden and cells[k] > 0]
                    if others:
                        hidden.add(min(others, key=lambda k: cells[k]))
                        changed = True
    return {r: {c: (None if (r, c) in hidden else v) for c, v in row.items()} for r, row in table.items()}


@dataclass
class Dashboard:
    funnel: list[tuple[str, int | None]]
    pathways: Table  # pathway -> region -> people
    pathway_by_sex: Table  # pathway -> sex -> people
    quotas: list[tuple[str, int, int]]  # pathway, quota, engaged
    sites: dict[str, int]
    integration_targets: list[tuple[str, int, int]]
    units: dict[str, int]
    cvr: dict[str, Any]
    duplicates: Table  # movement -> {"open pairs", "held lists"}
    suppressed: bool = False
    notes: list[str] = field(default_factory=list)


def _labels(choices: Any) -> dict[str, str]:
    return {k: str(v) for k, v in choices}


def figures(
    user: Any, *, region: str = "", start: dt.date | None = None, end: dt.date | None = None
) -> Dashboard:
    people = Combatant.objects.for_user(user).exclude(status=S.MERGED).exclude(category=Category.CHILD)
    # The region by id: the people table is filtered on its own column, without joining regions.
    region_id = Region.objects.filter(code=region).values_list("id", flat=True).first() if region else None
    if region:
        people = people.filter(region_id=region_id)
    if start:
        people = people.filter(registered_at__gte=start)
    if end:
        people = people.filter(registered_at__lte=end)
    analyst = bool(getattr(user, "is_analyst", False))

    by_status = dict(people.values_list("status").annotate(n=Count("id")).order_by())
    funnel_counts = [(str(label), sum(by_status.get(s, 0) for s in statuses)) for label, statuses in FUNNEL]

    pathway_labels = _labels(Pathway.choices)
    by_region: dict[str, dict[str, int]] = {}
    for row in people.values("pathway", "region__name").annotate(n=Count("id")).order_by():
        label = pathway_labels.get(row["pathway"], row["pathway"])
        by_region.setdefault(label, {})[row["region__name"]] = row["n"]
    sex_labels = _labels(Sex.choices)
    by_sex: dict[str, dict[str, int]] = {}
    for row in people.values("pathway", "sex").annotate(n=Count("id")).order_by():
        by_sex.setdefault(pathway_labels.get(row["pathway"], row["pathway"]), {})[
            sex_labels.get(row["sex"], row["sex"])
        ] = row["n"]

    from ddr import pathways as pathway_rules

    ruleset = pathway_rules.active_ruleset()
    quotas = []
    if ruleset:
        engaged = dict(
            Combatant.objects.exclude(status__in=(*pathway_rules.DECIDABLE, *pathway_rules.GONE))
            .values_list("pathway")
            .annotate(n=Count("id"))
            .order_by()
        )
        for pathway, quota in (ruleset.quotas or {}).items():
            if quota.get("total"):
                quotas.append((pathway_labels.get(pathway, pathway), quota["total"], engaged.get(pathway, 0)))

    sites = Site.objects.for_user(user)
    if region:
        sites = sites.filter(region_id=region_id)
    site_totals = sites.aggregate(
        n=Count("id"),
        operational=Count("id", filter=Q(status=Site.Status.OPERATIONAL)),
        capacity=Sum("capacity"),
        present=Sum("occupancy"),
    )
    stays = CantonmentStay.objects.for_user(user).filter(site__in=sites, checked_out_on__isnull=True)
    overstays = stays.filter(flag=CantonmentStay.Flag.OVERSTAY).count()

    units = Unit.objects.for_user(user)
    if region:
        units = units.filter(region_id=region_id)
    measured = integration.thirds(units)
    unit_figures = {
        "units": units.count(),
        "compliant": sum(1 for t in measured.values() if not t.deviations),
        "deviating": sum(1 for t in measured.values() if t.deviations),
    }
    targets = [
        (p.target.name, p.target.number, p.integrated)
        for p in integration.target_progress(IntegrationTarget.objects.all())
    ]

    projects = Project.objects.for_user(user)
    if region:
        projects = projects.filter(region_id=region_id)
    if start:
        projects = projects.filter(start__gte=start)
    if end:
        projects = projects.filter(start__lte=end)
    money = projects.aggregate(n=Count("id"), budget=Sum("budget_usd"))
    portfolio = reports.portfolio_mix(projects)
    cvr = {
        "projects": money["n"],
        "budget_usd": money["budget"] or Decimal(0),
        "beneficiaries": portfolio.mix.total,
        "ex_combatants": portfolio.mix.ex_combatants,
        "women": portfolio.mix.women,
        "women_share": float(portfolio.mix.women_share),
        "flagged": portfolio.flagged,
        "deviations": [d.message for d in portfolio.deviations],
    }

    open_pairs = DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN, first__in=people.values("id"))
    duplicates: dict[str, dict[str, int]] = {}
    for code, n in open_pairs.values_list("first__movement__code").annotate(n=Count("id")).order_by():
        duplicates.setdefault(code, {})["open_pairs"] = n
    for code, n in (
        SubmittedList.objects.filter(held_share__isnull=False)
        .values_list("movement__code")
        .annotate(n=Count("id"))
        .order_by()
    ):
        duplicates.setdefault(code, {})["held_lists"] = n
    for row in duplicates.values():
        row.setdefault("open_pairs", 0)
        row.setdefault("held_lists", 0)

    board = Dashboard(
        funnel=list(funnel_counts),
        pathways=cast(Table, by_region),
        pathway_by_sex=cast(Table, by_sex),
        quotas=quotas,
        sites={
            "sites": site_totals["n"],
            "operational": site_totals["operational"],
            "capacity": site_totals["capacity"] or 0,
            "present": site_totals["present"] or 0,
            "overstays": overstays,
        },
        integration_targets=targets,
        units=unit_figures,
        cvr=cvr,
        duplicates=cast(Table, duplicates),
    )
    if analyst:
        board.pathways = suppress(by_region)
        board.pathway_by_sex = suppress(by_sex)
        funnel_table = suppress({"funnel": dict(funnel_counts)})["funnel"]
        board.funnel = list(funnel_table.items())
        board.duplicates = suppress(duplicates)
        board.suppressed = True
    return board


def grid(
    table: Table, columns: list[str] | None = None
) -> tuple[list[str], list[tuple[str, list[int | None]]]]:
    """A table as its column labels and rows, for a template; absent cells are 0."""
    columns = columns or sorted({c for row in table.values() for c in row})
    return columns, [(r, [table[r].get(c, 0) for c in columns]) for r in sorted(table)]
