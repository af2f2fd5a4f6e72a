"""The programme dashboard's figures: one grouped query per panel, filtered by region and period,
scoped to the reader. For analysts, every count is a sum of the visible cells of one suppressed
base table (`core.suppression`), so no hidden cell can be worked out from any figure or filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Trunc
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cantonment.models import CantonmentStay, Site
from cantonment.sites.selectors import people_on_sites
from core import charts as charting
from core import suppression
from core.models import Region
from core.suppression import Base
from cvr import selectors as cvr_selectors
from cvr.models import Project, SOPVersion
from ddr.models import (
    ArmedGroup,
    Combatant,
    DuplicatePair,
    Pathway,
    RegisterTally,
    Sex,
    SubmittedList,
)
from ddr.registration.selectors import Scope
from integration import selectors as integration_selectors
from integration import services as integration
from integration.models import IntegrationTarget, Unit
from programme import reintegration

S = Combatant.Status
# The funnel: how many people stand at each step now (their current status).
FUNNEL = [
    (_("Pre-registered"), [S.PRE_REGISTERED]),
    (_("Registered"), [S.REGISTERED]),
    (_("Screened"), [S.SCREENED]),
    (_("Oriented"), [S.ORIENTED]),
    (_("In cantonment or demobilised"), [S.CANTONED, S.DEMOBILISED]),
    (_("In training or reinsertion"), [S.IN_TRAINING, S.REINSERTED]),
    (_("Integrated or recruited (defectors)"), [S.INTEGRATED]),
    (_("Reintegrated"), [S.REINTEGRATED]),
]
Table = dict[str, dict[str, int]]


@dataclass
class Dashboard:
    funnel: list[tuple[str, int]]
    pathways: Table  # pathway -> region -> people
    pathway_by_sex: Table  # pathway -> sex -> people
    pathway_by_movement: Table  # pathway -> movement -> people
    quotas: list[tuple[str, int, int]]  # pathway, quota, engaged
    sites: dict[str, int]
    integration_targets: list[tuple[str, int, int]]
    pathway_progress: list[dict[str, Any]]  # every pathway into the State against its target
    units: dict[str, int]
    cvr: dict[str, Any]
    duplicates: Table  # movement -> {"open pairs", "held lists"}
    reintegration: dict[str, Any]  # programme.reintegration.summary
    suppressed: bool = False

    @property
    def suppressed_note(self) -> str:
        return suppression.suppressed_note()


def _labels(choices: Any) -> dict[str, str]:
    return {k: str(v) for k, v in choices}


def read_filters(params: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The `region`, `from` and `to` of a dashboard request, and the dates that could not be read.
    An unknown region shows in the scope (`region_id` 0), without a query of its own."""
    filters: dict[str, Any] = {"region": params.get("region", "")[:16], "start": None, "end": None}
    errors: dict[str, list[str]] = {}
    for name, key in (("from", "start"), ("to", "end")):
        try:
            filters[key] = dt.date.fromisoformat(params[name]) if params.get(name) else None
        except ValueError:
            errors[name] = ["YYYY-MM-DD"]
    return filters, errors


def funnel(scope: Scope) -> list[tuple[str, int]]:
    if scope.analyst:
        by_status = {k[0]: n for k, n in scope.in_scope(scope.register).margin("status").items()}
    else:
        by_status = {k[0]: n for k, n in scope.count_by("status", "status").items()}
    return [(str(label), sum(by_status.get(s, 0) for s in statuses)) for label, statuses in FUNNEL]


def _pathway_table(scope: Scope, grouping: str, column: str, labels: Mapping[Any, str]) -> Table:
    pathway_labels = _labels(Pathway.choices)
    # Merged records are counted in the funnel only: the other groupings leave them out already.
    merged = ["status"] if grouping == "status" and not scope.analyst else []
    counted: dict[tuple[Any, ...], int] = (
        scope.in_scope(scope.register).margin("pathway", column)
        if scope.analyst
        else scope.count_by(grouping, "pathway", column, *merged)
    )
    table: dict[str, dict[str, int]] = {}
    for (pathway, other, *status), n in counted.items():
        if n and status != [S.MERGED]:
            row = table.setdefault(pathway_labels.get(pathway, pathway), {})
            label = labels.get(other, str(other))
            row[label] = row.get(label, 0) + n
    return table


def pathways(scope: Scope) -> Table:
    return _pathway_table(scope, "status", "region_id", dict(Region.objects.values_list("id", "name")))


def pathway_by_sex(scope: Scope) -> Table:
    return _pathway_table(scope, "sex", "sex", _labels(Sex.choices))


def pathway_by_movement(scope: Scope) -> Table:
    movements = dict(ArmedGroup.objects.values_list("id", "code"))
    return _pathway_table(scope, "movement", "movement_id", movements)


def quotas(scope: Scope) -> list[tuple[str, int, int]]:
    """National quotas against the places taken on each pathway (oriented or further, not gone:
    `eligibility.selectors.NOT_HOLDING`, as the quota pages count them), whoever reads."""
    from ddr.eligibility import selectors as eligibility_selectors

    ruleset = eligibility_selectors.active_ruleset()
    if not ruleset:
        return []
    labels = _labels(Pathway.choices)
    not_engaged = set(eligibility_selectors.NOT_HOLDING)
    if scope.analyst:  # the national figure, from the same base as every other figure
        visible = scope.register.where(status=lambda status: status not in not_engaged).margin("pathway")
        engaged = {pathway: n for (pathway,), n in visible.items()}
    else:
        engaged = dict(
            RegisterTally.objects.filter(grouping="status")
            .exclude(status__in=not_engaged)
            .values_list("pathway")
            .annotate(total=Sum("n"))
            .order_by()
        )
    return [
        (labels.get(pathway, pathway), quota["total"], engaged.get(pathway, 0))
        for pathway, quota in (ruleset.quotas or {}).items()
        if quota.get("total")
    ]


def sites(scope: Scope) -> dict[str, int]:
    chosen = scope._filter(Site.objects.for_user(scope.user))
    if scope.analyst:
        on_sites = people_on_sites(chosen)
        return {
            **chosen.aggregate(
                sites=Count("id"),
                operational=Count("id", filter=Q(status=Site.Status.OPERATIONAL)),
                capacity=Coalesce(Sum("capacity"), 0),
            ),
            "present": on_sites.total(),
            "overstays": on_sites.where(flag=CantonmentStay.Flag.OVERSTAY).total(),
        }
    totals = chosen.aggregate(
        n=Count("id"),
        operational=Count("id", filter=Q(status=Site.Status.OPERATIONAL)),
        capacity=Sum("capacity"),
        present=Sum("occupancy"),
    )
    overstays = (
        CantonmentStay.objects.for_user(scope.user)
        .filter(site__in=chosen, checked_out_on__isnull=True, flag=CantonmentStay.Flag.OVERSTAY)
        .count()
    )
    return {
        "sites": totals["n"],
        "operational": totals["operational"],
        "capacity": totals["capacity"] or 0,
        "present": totals["present"] or 0,
        "overstays": overstays,
    }


def integration_targets(scope: Scope) -> list[tuple[str, int, int]]:
    progress = integration.target_progress(
        IntegrationTarget.objects.all(),
        suppressed=scope.analyst,
        register=scope.register if scope.analyst else None,
    )
    return [(p.target.name, p.target.number, p.integrated) for p in progress]


def pathway_progress(scope: Scope) -> list[dict[str, Any]]:
    """Each pathway into the State, then the State as a whole: the people whose pathway it is and
    who reached it (in the reader's scope and filters), against the national target in force."""
    return [
        {
            "structure": row.structure,
            "label": row.label,
            "reached": row.reached,
            "target": row.target.name if row.target else None,
            "number": row.target.number if row.target else None,
            "military": row.military,
            "military_number": row.target.military_number if row.target else None,
            "civil": row.civil,
            "civil_number": row.target.civil_number if row.target else None,
        }
        for row in integration_selectors.pathway_progress(scope)
    ]


def units(scope: Scope) -> dict[str, int]:
    chosen = scope._filter(Unit.objects.for_user(scope.user))
    if scope.analyst:  # judged at the last period's end on the visible cells, as on the units' pages
        measured = integration.thirds(chosen, integration.analyst_day(), suppressed=True)
    else:
        measured = integration.thirds(chosen)
    return {
        "units": chosen.count(),
        "compliant": sum(1 for t in measured.values() if not t.deviations),
        "deviating": sum(1 for t in measured.values() if t.deviations),
    }


def cvr(scope: Scope) -> dict[str, Any]:
    projects = scope._period(scope._filter(Project.objects.for_user(scope.user)), "start")
    money = projects.aggregate(n=Count("id"), budget=Sum("budget_usd"))
    portfolio = cvr_selectors.portfolio_mix(projects, suppressed=scope.analyst)
    sop = SOPVersion.objects.order_by("-effective_from").first()  # the rules the mix is read against
    return {
        "projects": money["n"],
        "budget_usd": money["budget"] or Decimal(0),
        "beneficiaries": portfolio.mix.total,
        "ex_combatants": portfolio.mix.ex_combatants,
        "community": portfolio.mix.community,
        "women": portfolio.mix.women,
        "women_share": float(portfolio.mix.women_share),
        "projects_reaching": portfolio.projects,
        "projects_benefiting_women": portfolio.projects_benefiting_women,
        "sop": sop.name if sop else "",
        "sop_ex_share": float(sop.ex_combatant_share) if sop else None,
        "sop_women_projects_share": float(sop.women_projects_share) if sop else None,
        "flagged": portfolio.flagged,
        "deviations": [d.message for d in portfolio.deviations],
    }


def duplicates(scope: Scope) -> Table:
    """Open pairs per movement of the first person of each pair, and lists held for duplicates."""
    # The open pairs are few, the register is large: each pair looks up its first person by
    # primary key (a correlated subquery) rather than joining, which read the whole register.
    if scope.analyst:
        return _visible_duplicates(scope)
    people = scope._filter(Combatant.objects.for_user(scope.user)).exclude(status=S.MERGED)
    people = scope._period(people, "registered_at")
    movement = Subquery(people.filter(pk=OuterRef("first_id")).order_by().values("movement_id")[:1])
    pairs = DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).annotate(movement=movement)
    codes = dict(ArmedGroup.objects.values_list("id", "code"))
    table: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # JIT compiled this lookup for longer than it ran (212 ms with, 124 ms without).
                cursor.execute("SET LOCAL jit = off")
        counted = list(pairs.values_list("movement").annotate(n=Count("id")).order_by())
    for movement_id, n in counted:
        if movement_id is not None:  # a first person outside the reader's scope or filters
            table.setdefault(codes[movement_id], {})["open_pairs"] = n
    held = SubmittedList.objects.filter(held_share__isnull=False)
    for code, n in held.values_list("movement__code").annotate(n=Count("id")).order_by():
        table.setdefault(code, {})["held_lists"] = n
    for row in table.values():
        row.setdefault("open_pairs", 0)
        row.setdefault("held_lists", 0)
    return table


def _held_lists() -> dict[str, int]:
    held = SubmittedList.objects.filter(held_share__isnull=False)
    return dict(held.values_list("movement__code").annotate(n=Count("id")).order_by())


def _visible_duplicates(scope: Scope) -> Table:
    """Analysts: open pairs from their base table (region, period of registration, movement of
    the pair's first person), small cells dropped; held lists are lists, not people, and are given whole."""
    pairs = DuplicatePair.objects.filter(
        status=DuplicatePair.Status.OPEN,
        first__in=Combatant.objects.for_user(scope.user).exclude(status=S.MERGED),
    )
    columns = ["region_id", "period", "movement"]
    rows = (
        pairs.annotate(period=Trunc("first__registered_at", suppression.period_kind()))
        .values_list("first__region_id", "period", "first__movement__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = suppression.small_cells_left_in_database(rows)
    open_pairs = scope.in_scope(Base(columns, ((tuple(key), n) for *key, n in rows))).margin("movement")
    held = _held_lists()
    return {
        code: {"open_pairs": open_pairs.get((code,), 0), "held_lists": held.get(code, 0)}
        for code in sorted({code for (code,) in open_pairs} | set(held))
    }


# Every figure by the name the API gives it (`/api/dashboard/<name>/`).
PANELS: dict[str, Callable[[Scope], Any]] = {
    "funnel": funnel,
    "pathways": pathways,
    "pathway_by_sex": pathway_by_sex,
    "pathway_by_movement": pathway_by_movement,
    "quotas": quotas,
    "sites": sites,
    "integration_targets": integration_targets,
    "pathway_progress": pathway_progress,
    "units": units,
    "cvr": cvr,
    "duplicates": duplicates,
    "reintegration": reintegration.summary,
}


def figures(
    user: User, *, region: str = "", start: dt.date | None = None, end: dt.date | None = None
) -> Dashboard:
    scope = Scope(user, region=region, start=start, end=end)
    return Dashboard(**{name: panel(scope) for name, panel in PANELS.items()}, suppressed=scope.analyst)


def grid(table: Table, columns: list[str] | None = None) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """A table as its column labels and rows, for a template; absent cells are 0."""
    columns = columns or sorted({c for row in table.values() for c in row})
    return columns, [(r, [table[r].get(c, 0) for c in columns]) for r in sorted(table)]


Section = tuple[str, str, list[str], list[list[Any]]]  # key, title, header, rows


def _grid_section(key: str, title: str, table: Table, columns: list[str] | None = None) -> Section:
    columns, rows = grid(table, columns)
    return key, title, [str(_("Pathway")), *columns], [[r, *cells] for r, cells in rows]


def sections(board: Dashboard) -> list[Section]:
    """The dashboard's figures as titled tables, in the page's order, for its exports. For analysts
    a hidden group is in no figure (`core.suppression`): nothing marks it, as on the page."""
    sites_labels = {
        "sites": _("Sites"),
        "operational": _("Operational"),
        "capacity": _("Capacity"),
        "present": _("People present"),
        "overstays": _("Overstays"),
    }
    cvr_labels = {
        "projects": _("Projects"),
        "budget_usd": _("Budget (USD)"),
        "beneficiaries": _("Beneficiaries"),
        "ex_combatants": _("Ex-combatants"),
        "women": _("Women"),
        "flagged": _("Projects with a mix deviation"),
    }
    figure, value = str(_("Figure")), str(_("Value"))
    return [
        (
            "funnel",
            str(_("From pre-registration to reintegration")),
            [str(_("Step")), str(_("People"))],
            [[label, n] for label, n in board.funnel],
        ),
        (
            "quotas",
            str(_("Pathways and quotas")),
            [str(_("Pathway")), str(_("Quota")), str(_("Places taken"))],
            [list(row) for row in board.quotas],
        ),
        _grid_section(
            "pathway-sex",
            str(_("Pathways by sex")),
            board.pathway_by_sex,
            [str(Sex.MALE.label), str(Sex.FEMALE.label)],
        ),
        (
            "sites",
            str(_("Cantonment sites")),
            [figure, value],
            [[str(label), board.sites[key]] for key, label in sites_labels.items()],
        ),
        (
            "integration",
            str(_("Integration")),
            [str(_("Target")), str(_("Integrated")), str(_("Target"))],
            [[name, done, number] for name, number, done in board.integration_targets]
            + [[str(_("Units meeting the one-third rule")), board.units["compliant"], board.units["units"]]],
        ),
        (
            "pathway-progress",
            str(_("Pathways into the State against their targets")),
            [str(_("Pathway")), str(_("Reached")), str(_("Target")), str(_("Target in force"))],
            [
                [row["label"], row["reached"], row["number"], row["target"] or ""]
                for row in board.pathway_progress
            ],
        ),
        (
            "cvr",
            str(_("Community violence reduction")),
            [figure, value],
            [[str(label), board.cvr[key]] for key, label in cvr_labels.items()],
        ),
        _grid_section("pathway-region", str(_("Pathways by region")), board.pathways),
        _grid_section("pathway-movement", str(_("Pathways by movement")), board.pathway_by_movement),
        (
            "duplicates",
            str(_("Duplicates and lists held, per movement")),
            [str(_("Movement")), str(_("Open pairs")), str(_("Lists held"))],
            [[code, row["open_pairs"], row["held_lists"]] for code, row in board.duplicates.items()],
        ),
        *reintegration.sections(board.reintegration),
    ]


def _percent(part: int, whole: int) -> int | None:
    """A share in whole percent; None (hidden) when there is nothing to divide."""
    return round(100 * part / whole) if whole else None


def charts(board: Dashboard) -> dict[str, charting.Chart]:
    """The dashboard's figures drawn (`core.charts`), from the very figures its tables show: for
    analysts a group with nothing visible is drawn "hidden", never as a bar."""
    people = gettext("People")
    hidden = board.suppressed
    regions, _rows = grid(board.pathways)
    pathway_names = sorted(board.pathways)
    sexes = [str(Sex.MALE.label), str(Sex.FEMALE.label)]
    c = board.cvr
    ex_rule = c["sop_ex_share"]  # 60 % ex-combatants, 40 % community members
    of_beneficiaries = c["beneficiaries"]
    shares = [
        (gettext("Ex-combatants (share of beneficiaries)"), c["ex_combatants"], of_beneficiaries, ex_rule),
        (
            gettext("Community members (share of beneficiaries)"),
            c["community"],
            of_beneficiaries,
            None if ex_rule is None else 1 - ex_rule,
        ),
        (gettext("Women (share of beneficiaries)"), c["women"], of_beneficiaries, None),
    ]
    if c["projects_benefiting_women"] is not None:  # only under an SOP that says what it takes
        shares.append(
            (
                gettext("Projects benefiting women (share of projects)"),
                c["projects_benefiting_women"],
                c["projects_reaching"],
                c["sop_women_projects_share"],
            )
        )
    return {
        "funnel": charting.chart(
            "funnel",
            gettext("From pre-registration to reintegration"),
            charting.as_rows(board.funnel),
            [charting.Series(people, charting.BLUE)],
            axis_label=people,
            suppressed=hidden,
        ),
        "pathway_region": charting.chart(
            "pathway-region",
            gettext("Pathways by region"),
            [(region, [board.pathways[p].get(region, 0) for p in pathway_names]) for region in regions],
            charting.series(pathway_names),
            axis_label=people,
            suppressed=hidden,
        ),
        "pathway_sex": charting.chart(
            "pathway-sex",
            gettext("Pathways by sex"),
            charting.grouped(board.pathway_by_sex, sorted(board.pathway_by_sex), sexes),
            [charting.Series(sexes[0], charting.BLUE), charting.Series(sexes[1], charting.ORANGE)],
            axis_label=people,
            suppressed=hidden,
        ),
        "quotas": charting.chart(
            "quotas",
            gettext("Quotas filled"),
            [(label, [quota, taken]) for label, quota, taken in board.quotas],
            [
                charting.Series(gettext("Quota"), charting.GREY, suppressible=False),
                charting.Series(gettext("Places taken"), charting.BLUE),
            ],
            axis_label=people,
            suppressed=hidden,
        ),
        "integration": charting.chart(
            "integration-targets",
            gettext("Integration targets"),
            [(name, [number, done]) for name, number, done in board.integration_targets],
            [
                charting.Series(gettext("Target"), charting.GREY, suppressible=False),
                charting.Series(gettext("Integrated"), charting.GREEN),
            ],
            axis_label=people,
            suppressed=hidden,
        ),
        "pathway_progress": charting.chart(
            "pathway-progress",
            gettext("Pathways into the State against their targets"),
            [
                (row["label"], [row["number"], row["reached"]])
                for row in board.pathway_progress
                if row["number"]
            ],
            [
                charting.Series(gettext("Target"), charting.GREY, suppressible=False),
                charting.Series(gettext("Reached"), charting.GREEN),
            ],
            axis_label=people,
            suppressed=hidden,
        ),
        "cvr": charting.chart(
            "cvr-mix",
            gettext("CVR beneficiaries against the rules"),
            [(label, [_percent(part, whole)]) for label, part, whole, _target in shares],
            [charting.Series(gettext("Share"), charting.TEAL)],
            axis_label=gettext("Per cent"),
            suppressed=hidden,
            unit=" %",
            targets=[None if target is None else round(100 * target) for *_rest, target in shares],
            target_label=gettext("Rule (%(sop)s, IDDRS 2.30)") % {"sop": c["sop"] or "SOP"},
        ),
    }
