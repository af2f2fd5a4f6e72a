"""The yearly record of CVR, as the reference report's table: projects, amounts and beneficiaries
(women among them) per UN budget year (July to June), by region, type or partner; targeted vs
reached; and the mix over the whole portfolio. Grouped queries only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce, ExtractYear

from core.suppression import Base, visible, visible_in_database
from cvr import rules
from cvr.models import Project, SOPVersion

DIMENSIONS = {
    "region": ("region__name", None),
    "kind": ("kind", dict(Project.Kind.choices)),
    "partner": ("implementer", None),
}


@dataclass(frozen=True)
class RecordRow:
    year: str
    group: str
    projects: int
    budget_usd: Decimal
    targeted: int
    targeted_women: int
    reached: int
    reached_women: int
    ex_combatants: int


def budget_year() -> Any:
    start_year = ExtractYear("start")
    return Case(
        When(Q(start__month__gte=7), then=start_year), default=start_year - 1, output_field=IntegerField()
    )


def yearly_record(projects: Any, by: str = "", *, suppressed: bool = False) -> list[RecordRow]:
    """One row per budget year (and per region, type or partner when `by` is given).
    `suppressed` (analysts): the people reached are sums of each project's counts of 5 or more."""
    qs = projects.annotate(
        year=budget_year(), implementer=Coalesce(F("consortium__name"), F("partner__name"))
    )
    keys = ["year"]
    field, labels = DIMENSIONS.get(by, (None, None))
    if field:
        keys.append(field)
    if suppressed:
        qs = qs.annotate(**{f"shown_{m}": visible_in_database(m) for m in MEASURES})
        reached = {m: Sum(f"shown_{m}") for m in MEASURES}
    else:
        reached = {m: Sum(m) for m in MEASURES}
    rows = (
        qs.values(*keys)
        .annotate(
            n=Count("id"),
            budget=Sum("budget_usd"),
            targeted=Sum("target_beneficiaries"),
            targeted_women=Sum("target_women"),
            reached_ex=reached["beneficiaries_ex_combatants"],
            reached_community=reached["beneficiaries_community"],
            women=reached["beneficiaries_women"],
        )
        .order_by(*keys)
    )
    return [
        RecordRow(
            year=f"{r['year']}-{r['year'] + 1}",
            group=str((labels or {}).get(r[field], r[field])) if field else "",
            projects=r["n"],
            budget_usd=r["budget"] or Decimal(0),
            targeted=r["targeted"] or 0,
            targeted_women=r["targeted_women"] or 0,
            reached=(r["reached_ex"] or 0) + (r["reached_community"] or 0),
            reached_women=r["women"] or 0,
            ex_combatants=r["reached_ex"] or 0,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class PortfolioMix:
    mix: rules.BeneficiaryMix
    projects: int
    projects_benefiting_women: int
    flagged: int
    deviations: list[rules.Deviation]


MEASURES = (
    "beneficiaries_ex_combatants",
    "beneficiaries_community",
    "beneficiaries_women",
    "beneficiaries_youth",
)


def as_analyst_reads(project: Project, sops: list[SOPVersion] | None = None) -> Project:
    """A project's counts as analysts read them, each its own base cell (0 below 5), set on the
    instance only (nothing is saved); its mix flags judged again on them. `sops`: every SOP
    version, read once for many projects."""
    from cvr.services import deviations

    for measure in MEASURES:
        setattr(project, measure, visible(getattr(project, measure)))
    sop = project.sop or (
        rules.sop_in_force(sops, project.approved_on or project.start) if sops is not None else None
    )
    project.mix_flags = [d.code for d in deviations(project, sop)] if sop or sops is None else []
    return project


def visible_mix(projects: Any) -> rules.BeneficiaryMix:
    """Analysts' mix: the sum of each project's counts of 5 or more (the base table of
    `core.suppression`, a cell per project and count), so no project's small count shows."""
    rows = projects.values_list("pk", *MEASURES)
    base = Base(
        ["project", "measure"], {(pk, m): n for pk, *ns in rows for m, n in zip(MEASURES, ns, strict=True)}
    )
    sums = base.margin("measure")
    ex, community, women, youth = (sums.get((m,), 0) for m in MEASURES)
    return rules.BeneficiaryMix(ex, community, women, youth)


def portfolio_mix(projects: Any, *, suppressed: bool = False) -> PortfolioMix:
    """The mix over every project the reader sees, checked against the SOP in force today.
    `suppressed` (analysts): the mix and its deviations from the visible counts only."""
    sop = SOPVersion.objects.order_by("-effective_from").first()
    threshold = sop.women_benefit_threshold if sop else Decimal("0.5")
    totals = projects.aggregate(
        ex=Coalesce(Sum("beneficiaries_ex_combatants"), 0),
        community=Coalesce(Sum("beneficiaries_community"), 0),
        women=Coalesce(Sum("beneficiaries_women"), 0),
        youth=Coalesce(Sum("beneficiaries_youth"), 0),
        n=Count("id", filter=Q(beneficiaries_ex_combatants__gt=0) | Q(beneficiaries_community__gt=0)),
        # Women at least `threshold` of the beneficiaries: women >= threshold * total.
        for_women=Count(
            "id",
            filter=(Q(beneficiaries_ex_combatants__gt=0) | Q(beneficiaries_community__gt=0))
            & Q(
                beneficiaries_women__gte=(F("beneficiaries_ex_combatants") + F("beneficiaries_community"))
                * threshold
            ),
        ),
        flagged=Count("id", filter=~Q(mix_flags=[])),
    )
    mix = rules.BeneficiaryMix(totals["ex"], totals["community"], totals["women"], totals["youth"])
    if suppressed:
        mix = visible_mix(projects)
        # Which projects have beneficiaries, and mostly women, judged on the visible counts too.
        sops = list(SOPVersion.objects.all())
        shown = [as_analyst_reads(p, sops) for p in projects.select_related("sop")]
        reached = [p for p in shown if p.beneficiaries]
        totals["n"] = len(reached)
        totals["for_women"] = sum(1 for p in reached if p.beneficiaries_women >= p.beneficiaries * threshold)
        totals["flagged"] = sum(1 for p in shown if p.mix_flags)
    found: list[rules.Deviation] = []
    if sop and mix.total:
        found = [d for d in rules.mix_deviations(mix, sop) if d.code == "mix"]
        found += rules.portfolio_deviations(totals["n"], totals["for_women"], sop)
    return PortfolioMix(mix, totals["n"], totals["for_women"], totals["flagged"], found)
