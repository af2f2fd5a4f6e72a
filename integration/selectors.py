"""Integration's part of a person's case (core.case): their candidacies (cohort, training, rank) and
the units they served in. Only the person's own records: a unit or cohort is named, never its other
members, and linked only where the reader may open it. And the progress of every pathway into the
State against its target, as counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import pgettext

from accounts.models import AnyUser
from core.case import CaseEvent, CasePart
from ddr.models import Combatant
from ddr.registration.selectors import Scope
from integration.models import (
    Candidate,
    Cohort,
    ComplianceCheck,
    Intake,
    IntegrationTarget,
    Membership,
    Placement,
    Reclassification,
    TargetStructure,
    Unit,
)
from integration.models.cohorts import CIVIL_PATHWAYS, MILITARY_PATHWAYS, STRUCTURE_PATHWAYS

TAB = "integration"


def person_case(person: Combatant, user: AnyUser) -> CasePart:
    """At most nine queries, whatever the number of candidacies, memberships and placements."""
    candidacies = list(
        Candidate.objects.for_user(user)
        .filter(combatant=person)
        .select_related("cohort", "membership__unit")
        .order_by("-id")
    )
    memberships = list(
        Membership.objects.for_user(user)
        .filter(combatant=person)
        .select_related("unit")
        .order_by("-start", "-id")
    )
    # When each candidacy was recorded: its first audit row (a candidate keeps no date of its own).
    added = dict(
        Candidate.history.filter(id__in=[c.pk for c in candidacies], history_type="+").values_list(
            "id", "history_date"
        )
    )
    units = Unit.objects.for_user(user).filter(pk__in={m.unit_id for m in memberships})
    openable_units = set(units.values_list("pk", flat=True))
    cohorts = Cohort.objects.for_user(user).filter(pk__in={c.cohort_id for c in candidacies})
    openable_cohorts = set(cohorts.values_list("pk", flat=True))
    events = []
    for c in candidacies:
        if c.pk in added:
            events.append(
                CaseEvent(
                    added[c.pk], pgettext("case event", "Integration candidate"), c.cohort.name, tab=TAB
                )
            )
        if c.training_start:
            events.append(
                CaseEvent(
                    c.training_start, pgettext("case event", "Training started"), c.cohort.name, tab=TAB
                )
            )
        if c.training_end:
            events.append(
                CaseEvent(
                    c.training_end, pgettext("case event", "Training ended"), c.get_status_display(), tab=TAB
                )
            )
    # Defectors are recruited into the forces, not integrated (report 3.2.2).
    joined = (
        pgettext("case event", "Recruited into the armed forces")
        if person.category == "defector"
        else pgettext("case event", "Joined a unit")
    )
    for m in memberships:
        rank = f" — {m.rank}" if m.rank else ""
        events.append(CaseEvent(m.start, joined, f"{m.unit.name}{rank}", tab=TAB))
        if m.end:
            leaving = m.get_leaving_display() if m.leaving else pgettext("case event", "Left the unit")
            events.append(CaseEvent(m.end, leaving, m.unit.name, tab=TAB))
    placements = list(
        Placement.objects.for_user(user)
        .filter(combatant=person)
        .select_related("intake")
        .prefetch_related("steps")
        .order_by("-id")
    )
    openable_intakes = set(
        Intake.objects.for_user(user)
        .filter(pk__in={p.intake_id for p in placements})
        .values_list("pk", flat=True)
    )
    for p in placements:
        for step in p.steps.all():
            events.append(
                CaseEvent(step.on, step.get_status_display(), p.intake.name, step.decided_by, tab=TAB)
            )
    # Only someone integrated is reclassified: no query for everyone else.
    integrated = any(p.completed_on for p in placements) or any(c.status == "assigned" for c in candidacies)
    reclassifications = (
        list(Reclassification.objects.for_user(user).filter(combatant=person).order_by("on", "id"))
        if integrated
        else []
    )
    for r in reclassifications:
        detail = f"{r.get_from_corps_display()} → {r.get_to_corps_display()}"
        events.append(CaseEvent(r.on, pgettext("case event", "Reclassified"), detail, r.decided_by, tab=TAB))
    context = {
        "integration_placements": [(p, p.intake_id in openable_intakes) for p in placements],
        "integration_reclassifications": reclassifications,
        # A defector's assignment is worded "recruited" (report 3.2.2).
        "integration_recruited": person.category == "defector",
        "integration_candidacies": [(c, c.cohort_id in openable_cohorts) for c in candidacies],
        "integration_memberships": [(m, m.unit_id in openable_units) for m in memberships],
        "integration_current": next((m for m in memberships if m.end is None), None),
    }
    return CasePart(context, events)


# --- every pathway into the State against its target ------------------------------------------


@dataclass(frozen=True)
class PathwayProgress:
    """One structure of the State: the people whose pathway leads there and who reached it
    (integrated), against the target that counts that structure; for the State as a whole, its
    military and civilian sides too (a target's split, where the decision gave one)."""

    structure: str
    label: str
    reached: int
    target: IntegrationTarget | None
    military: int | None = None
    civil: int | None = None

    @property
    def share(self) -> float | None:
        return self.reached / self.target.number if self.target and self.target.number else None


def reached_by_pathway(scope: Scope) -> dict[str, int]:
    """People integrated on each pathway into the State, in the reader's scope and filters (the
    counts every dashboard panel reads: no query of its own once read). Analysts: sums of the
    visible cells of the register's base table (`core.suppression`)."""
    if scope.analyst:
        counted = scope.in_scope(scope.register).margin("pathway", "status")
    else:
        counted = scope.count_by("status", "pathway", "status")
    reached: dict[str, int] = defaultdict(int)
    for (pathway, status), n in counted.items():
        if status == Combatant.Status.INTEGRATED and pathway in STRUCTURE_PATHWAYS[TargetStructure.STATE]:
            reached[pathway] += n
    return dict(reached)


def target_in_force(
    targets: Iterable[IntegrationTarget], structure: str, on: dt.date
) -> IntegrationTarget | None:
    """The national target of a structure that applies on a day: the one running (the nearest
    deadline first), else the next to start, else the last to have ended."""
    national = [t for t in targets if t.structure == structure and not t.movement_id and not t.region_id]
    running = [t for t in national if t.start <= on <= t.deadline]
    if running:
        return min(running, key=lambda t: t.deadline)
    coming = [t for t in national if t.start > on]
    if coming:
        return min(coming, key=lambda t: t.start)
    return max(national, key=lambda t: t.deadline, default=None)


def pathway_progress(scope: Scope, *, on: dt.date | None = None) -> list[PathwayProgress]:
    """Every structure of the State, then the State as a whole, against its target in force. Two
    queries at most (the targets, and the people's counts when no other panel read them)."""
    on = on or timezone.localdate()
    targets = list(IntegrationTarget.objects.all())
    reached = reached_by_pathway(scope)
    rows = [
        PathwayProgress(s.value, str(s.label), reached.get(s.value, 0), target_in_force(targets, s.value, on))
        for s in TargetStructure
        if s != TargetStructure.STATE
    ]
    military = sum(reached.get(p, 0) for p in MILITARY_PATHWAYS)
    civil = sum(reached.get(p, 0) for p in CIVIL_PATHWAYS)
    state = TargetStructure.STATE
    rows.append(
        PathwayProgress(
            state.value,
            str(state.label),
            military + civil,
            target_in_force(targets, state.value, on),
            military,
            civil,
        )
    )
    return rows


# --- the home page's lines about units -----------------------------------------------------


def deviating(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Units still in being whose last recorded one-third check found a deviation: the home
    page's count and the unit list's `?deviating=1` (the daily check, not today's live figures,
    so both read one stored fact)."""
    last = ComplianceCheck.objects.filter(unit=OuterRef("pk")).order_by("-day").values("compliant")[:1]
    return units.filter(dissolved__isnull=True).alias(compliant=Subquery(last)).filter(compliant=False)


def interim_late(units: QuerySet[Unit], today: dt.date) -> QuerySet[Unit]:
    """Interim units still in being past the end they were meant to have (`?interim_late=1`)."""
    return units.filter(interim_until__lt=today, dissolved__isnull=True)
