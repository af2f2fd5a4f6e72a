"""The yearly record of CVR, as the reference report's table: projects, amounts and beneficiaries
(women among them) per UN budget year (July to June), by region, type or partner; targeted vs
reached; and the mix over the whole portfolio. Grouped queries only. And CVR's part of one person's
case (`person_case`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import pgettext

from accounts.models import AnyUser
from core.case import CaseEvent, CasePart
from core.suppression import Base, visible, visible_in_database
from cvr import rules
from cvr.models import Beneficiary, Project, SOPVersion
from ddr.models import Combatant

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
    projects_benefiting_women: int | None  # None: the SOP in force sets no share to judge by
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
    # Projects are judged on benefiting women only when the SOP says what share that takes.
    threshold = sop.women_benefit_threshold if sop else None
    reached = Q(beneficiaries_ex_combatants__gt=0) | Q(beneficiaries_community__gt=0)
    judged = (
        # Women at least `threshold` of the beneficiaries: women >= threshold * total.
        {
            "for_women": Count(
                "id",
                filter=reached
                & Q(
                    beneficiaries_women__gte=(F("beneficiaries_ex_combatants") + F("beneficiaries_community"))
                    * threshold
                ),
            )
        }
        if threshold is not None
        else {}
    )
    totals = projects.aggregate(
        ex=Coalesce(Sum("beneficiaries_ex_combatants"), 0),
        community=Coalesce(Sum("beneficiaries_community"), 0),
        women=Coalesce(Sum("beneficiaries_women"), 0),
        youth=Coalesce(Sum("beneficiaries_youth"), 0),
        n=Count("id", filter=reached),
        flagged=Count("id", filter=~Q(mix_flags=[])),
        **judged,
    )
    mix = rules.BeneficiaryMix(totals["ex"], totals["community"], totals["women"], totals["youth"])
    if suppressed:
        mix = visible_mix(projects)
        # Which projects have beneficiaries, and mostly women, judged on the visible counts too.
        sops = list(SOPVersion.objects.all())
        shown = [as_analyst_reads(p, sops) for p in projects.select_related("sop")]
        with_people = [p for p in shown if p.beneficiaries]
        totals["n"] = len(with_people)
        if threshold is not None:
            totals["for_women"] = sum(
                1 for p in with_people if p.beneficiaries_women >= p.beneficiaries * threshold
            )
        totals["flagged"] = sum(1 for p in shown if p.mix_flags)
    for_women = totals.get("for_women")
    found: list[rules.Deviation] = []
    if sop and mix.total:
        found = [d for d in rules.mix_deviations(mix, sop) if d.code == "mix"]
        found += rules.portfolio_deviations(totals["n"], for_women, sop)
    return PortfolioMix(mix, totals["n"], for_women, totals["flagged"], found)


# --- a person's case ----------------------------------------------------------------------------


def person_case(person: Combatant, user: AnyUser) -> CasePart:
    """CVR's part of a person's case (core.case): the projects they took part in as a beneficiary.
    Their participation is seen when the person is; the project is named, linked only where the
    reader may open it, and none of its other beneficiaries is shown. Three queries at most."""
    rows = list(
        Beneficiary.objects.for_user(user)
        .filter(combatant=person)
        .select_related("project")
        .order_by("-project__start", "-id")
    )
    openable = set(
        Project.objects.for_user(user)
        .filter(pk__in={b.project_id for b in rows})
        .values_list("pk", flat=True)
    )
    # When each participation was recorded: its first audit row (an import or a hand entry).
    added = dict(
        Beneficiary.history.filter(id__in=[b.pk for b in rows], history_type="+").values_list(
            "id", "history_date"
        )
    )
    events = []
    for b in rows:
        project = str(b.project)
        if b.pk in added:
            events.append(
                CaseEvent(added[b.pk], pgettext("case event", "CVR beneficiary"), project, tab="cvr")
            )
        if b.project.actual_start:
            events.append(
                CaseEvent(
                    b.project.actual_start, pgettext("case event", "CVR project started"), project, tab="cvr"
                )
            )
        if b.project.actual_end:
            events.append(
                CaseEvent(
                    b.project.actual_end, pgettext("case event", "CVR project ended"), project, tab="cvr"
                )
            )
    return CasePart({"cvr_participations": [(b, b.project_id in openable) for b in rows]}, events)
