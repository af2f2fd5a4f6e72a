"""Integration services: memberships of units, command positions, desertions and returns, the
one-third check for the worker, patrols, cohorts from medical screening to a BATFAR unit, targets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.audit import reason_template, save_audited
from core.dates import shown_date
from core.errors import Refused
from core.lifecycle import Lifecycle, Step
from core.masterdata import record_save, refuse_on
from core.models import Decision, Region
from core.suppression import Base, analyst_period, for_analyst, period_kind, period_start
from ddr.eligibility import selectors as eligibility_selectors
from ddr.eligibility import services as eligibility
from ddr.models import Category, Combatant, MedicalStatus, Pathway
from ddr.registration.benefit import benefit_refusal
from ddr.screening import services as screening
from integration import rules
from integration.models import (
    Candidate,
    Cohort,
    ComplianceCheck,
    Corps,
    Intake,
    IntegrationTarget,
    Membership,
    Party,
    Patrol,
    Placement,
    PlacementStep,
    RankTable,
    Reclassification,
    Structure,
    TargetStructure,
    Unit,
)
from integration.models.cohorts import ARMY_RANKS
from integration.models.state import Step as StateStep

ONE_THIRD_TOLERANCE = Decimal("0.05")
INTEGRATION_PATHWAYS = frozenset({Pathway.INTEGRATION_ARMY, Pathway.INTEGRATION_SECURITY})
TRAINING = dt.timedelta(days=91)  # three months by default
S = Candidate.Status


class IntegrationRefused(Refused):
    """An integration change cannot be made; the message says why. Nothing was changed."""


def _party_labels() -> dict[str, str]:
    return {p.value: str(p.label) for p in Party}


def party_of(person: Combatant, day: dt.date) -> str:
    """The side a registered person comes from: their movement's coalition on that day."""
    coalition = person.movement.coalition_on(day)
    code = (coalition.code if coalition else "").lower()
    if code == "cma":
        return Party.CMA
    if code.startswith("plat"):
        return Party.PLATFORM
    return Party.CMI


def _who(membership: Membership) -> str:
    person = membership.combatant
    return person.registration_number if person is not None else membership.service_number


# --- memberships --------------------------------------------------------------------------


@transaction.atomic
def membership_start(
    *,
    unit: Unit,
    party: str,
    start: dt.date,
    by: User,
    person: Combatant | None = None,
    service_number: str = "",
    name: str = "",
    rank: str = "",
    role: str = Membership.Role.RANK_AND_FILE,
    returned_from: Membership | None = None,
) -> Membership:
    """Someone joins a unit. A person serves in one unit at a time."""
    if person is not None:
        person = Combatant.objects.select_for_update().get(pk=person.pk)
        if refusal := benefit_refusal(person):
            raise IntegrationRefused(refusal, "person")
        current = Membership.objects.filter(combatant=person, end__isnull=True).select_related("unit").first()
    elif service_number.strip():
        service_number = service_number.strip().upper()
        current = (
            Membership.objects.filter(service_number=service_number, end__isnull=True)
            .select_related("unit")
            .first()
        )
    else:
        raise IntegrationRefused(_("Give the registered person or the soldier's service number."), "person")
    if current:
        raise IntegrationRefused(
            _("%(who)s already serves in %(unit)s since %(start)s: one unit at a time.")
            % {"who": _who(current), "unit": current.unit, "start": shown_date(current.start)},
            "person",
        )
    membership = Membership(
        unit=unit,
        combatant=person,
        service_number=service_number if person is None else "",
        name=name if person is None else "",
        party=party,
        role=role,
        rank=rank,
        start=start,
        returned_from=returned_from,
    )
    membership._history_user = by  # type: ignore[attr-defined]
    membership.save()
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, end: dt.date, leaving: str, by: User, circumstances: str = ""
) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.end is not None:
        raise IntegrationRefused(
            _("This membership already ended on %(d)s.") % {"d": membership.end.isoformat()}, "end"
        )
    if end < membership.start:
        raise IntegrationRefused(
            _("Leaving (%(end)s) cannot come before joining (%(start)s).")
            % {"end": shown_date(end), "start": shown_date(membership.start)},
            "end",
        )
    if leaving not in Membership.Leaving.values[1:]:
        raise IntegrationRefused(_("Say why the member left."), "leaving")
    if leaving == Membership.Leaving.DESERTED and not circumstances.strip():
        raise IntegrationRefused(_("A desertion is recorded with its circumstances."), "circumstances")
    membership.end, membership.leaving, membership.circumstances = end, leaving, circumstances
    save_audited(membership, by, ["end", "leaving", "circumstances"], leaving)
    person = membership.combatant
    # An integrated soldier who leaves becomes a deserter in the register (audited); a member who
    # never got that far keeps their case status.
    if person is not None and leaving == Membership.Leaving.DESERTED:
        eligibility.case_follow(people=[person], to=Combatant.Status.DESERTED, by=by, reason=circumstances)
    return membership


@transaction.atomic
def command_give(*, unit: Unit, membership: Membership, by: User, rank: str = "") -> Membership:
    """A command position goes to a serving member of that unit, never to an outsider."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.unit_id != unit.pk or membership.end is not None:
        raise IntegrationRefused(
            _("%(who)s does not serve in %(unit)s: a command position goes to a member of the unit.")
            % {"who": _who(membership), "unit": unit},
            "membership",
        )
    membership.role = Membership.Role.COMMAND
    fields = ["role"]
    if rank:
        membership.rank = rank
        fields.append("rank")
    save_audited(membership, by, fields, "command position")
    return membership


# --- one-third rule -----------------------------------------------------------------------


@dataclass(frozen=True)
class Thirds:
    strength: dict[str, int]
    command: dict[str, int]
    deviations: list[rules.Deviation]


def thirds(
    units: Iterable[Unit] | None = None, day: dt.date | None = None, *, suppressed: bool = False
) -> dict[int, Thirds]:
    """Strength and command by party for every unit, in one grouped query. `suppressed`
    (analysts): from the visible cells of the members' base table, see `visible_thirds`."""
    day = day or timezone.localdate()
    members = Membership.objects.active_on(day)
    if units is not None:
        members = members.filter(unit__in=list(units))
    if suppressed:
        cells = members.values_list("unit", "party", "role").annotate(n=Count("id")).order_by()
        return visible_thirds(Base(["unit", "party", "role"], ((tuple(k), n) for *k, n in cells)))
    strength: dict[int, dict[str, int]] = defaultdict(dict)
    command: dict[int, dict[str, int]] = defaultdict(dict)
    for row in members.values("unit", "party").annotate(
        n=Count("id"), command=Count("id", filter=Q(role=Membership.Role.COMMAND))
    ):
        strength[row["unit"]][row["party"]] = row["n"]
        if row["command"]:
            command[row["unit"]][row["party"]] = row["command"]
    return _judged(strength, command)


def _judged(strength: dict[int, dict[str, int]], command: dict[int, dict[str, int]]) -> dict[int, Thirds]:
    """Each unit's strength and command by party, with the one-third deviations judged on them."""
    labels = _party_labels()
    return {
        unit: Thirds(
            strength[unit],
            command[unit],
            rules.one_third_deviations(strength[unit], command[unit], ONE_THIRD_TOLERANCE, labels),
        )
        for unit in set(strength) | set(command)
    }


def visible_thirds(members: Base) -> dict[int, Thirds]:
    """Analysts' one-third figures from a base table (unit, party, role) -> members, its small
    cells dropped: a party's strength is its visible cells, its command the visible command cell,
    and the deviations are judged on these figures (the exact ones would tell of hidden cells)."""
    strength: dict[int, dict[str, int]] = defaultdict(dict)
    command: dict[int, dict[str, int]] = defaultdict(dict)
    for (unit, party), n in members.margin("unit", "party").items():
        strength[unit][party] = n
    for (unit, party), n in members.where(role=Membership.Role.COMMAND).margin("unit", "party").items():
        command[unit][party] = n
    return _judged(strength, command)


def analyst_day(today: dt.date | None = None) -> dt.date:
    """The day analysts read units on: the end of the last whole period of the analysts' grain
    (`DDR_ANALYST_PERIOD_MONTHS`). A unit read on two days apart would tell who joined or left
    in between; a period-end snapshot tells a period's movement."""
    return period_start(today or timezone.localdate()) - dt.timedelta(days=1)


def visible_check(check: ComplianceCheck) -> Thirds:
    """A stored daily check as analysts read it: its cells (party, command | other members)
    through a base table, the deviations judged again on the visible figures."""
    cells: dict[tuple[Any, ...], int] = {}
    for party, n in (check.strength or {}).items():
        commanders = (check.command or {}).get(party, 0)
        cells[(check.unit_id, party, Membership.Role.COMMAND)] = commanders
        cells[(check.unit_id, party, Membership.Role.RANK_AND_FILE)] = n - commanders
    shown = visible_thirds(Base(["unit", "party", "role"], cells)).get(check.unit_id)
    return shown or Thirds({}, {}, [])


@transaction.atomic
def compliance_record(day: dt.date | None = None) -> int:
    """The worker's daily check (and the "check now" button): one row per unit and day."""
    day = day or timezone.localdate()
    measured = thirds(day=day)
    checks = [
        ComplianceCheck(
            unit_id=unit,
            day=day,
            strength=t.strength,
            command=t.command,
            deviations=[d.code for d in t.deviations],
            compliant=not t.deviations,
        )
        for unit, t in measured.items()
    ]
    already = set(ComplianceCheck.objects.filter(day=day).values_list("unit_id", flat=True))
    ComplianceCheck.objects.bulk_create(
        checks,
        update_conflicts=True,
        unique_fields=["unit", "day"],
        update_fields=["strength", "command", "deviations", "compliant", "checked_at"],
    )
    # An upsert sends no signals: its history rows are written here, a second check of the day
    # as a change of the first.
    saved = list(ComplianceCheck.objects.filter(day=day, unit_id__in=measured))
    for update in (False, True):
        ComplianceCheck.history.bulk_history_create(
            [c for c in saved if (c.unit_id in already) == update],
            update=update,
            default_change_reason=gettext_noop("one-third check"),
        )
    return len(checks)


# --- patrols ------------------------------------------------------------------------------


def patrol_record(
    *,
    unit: Unit,
    on: dt.date,
    planned: dict[str, int],
    present: dict[str, int],
    by: User,
    incidents: str = "",
) -> Patrol:
    bad = [p for p in present if present[p] > planned.get(p, 0)]
    if bad:
        raise IntegrationRefused(
            _("More present than planned for %(parties)s.") % {"parties": ", ".join(bad)}, "present"
        )
    if on > timezone.localdate():
        raise IntegrationRefused(_("A patrol cannot be dated in the future."), "on")
    return Patrol.objects.create(
        unit=unit, on=on, planned=planned, present=present, incidents=incidents, recorded_by=by
    )


def absenteeism(patrols: Iterable[Patrol]) -> dict[tuple[int, str], tuple[int, int]]:
    """(unit, party) -> (planned, present) over the patrols given."""
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for patrol in patrols:
        for party, planned in patrol.planned.items():
            totals[(patrol.unit_id, party)][0] += int(planned)
            totals[(patrol.unit_id, party)][1] += int(patrol.present.get(party, 0))
    return {k: (v[0], v[1]) for k, v in totals.items()}


# --- cohorts ------------------------------------------------------------------------------


@transaction.atomic
def cohort_create(
    *,
    name: str,
    region: Region,
    by: User,
    training_partner: str = "",
    training_start: dt.date | None = None,
    training_end: dt.date | None = None,
    target_unit: Unit | None = None,
) -> Cohort:
    """A new accelerated-integration cohort, before its candidates are added."""
    if training_start and training_end and training_end < training_start:
        raise IntegrationRefused(_("The training cannot end before it starts."), "training_end")
    cohort = Cohort(
        name=name,
        region=region,
        training_partner=training_partner,
        training_start=training_start,
        training_end=training_end,
        target_unit=target_unit,
    )
    cohort._history_user = by  # type: ignore[attr-defined]
    cohort.save()
    return cohort


def candidate_refusal(person: Combatant) -> str:
    if refusal := benefit_refusal(person):
        return refusal
    if person.pathway not in INTEGRATION_PATHWAYS:
        return _("%(who)s is not oriented to integration (%(pathway)s).") % {
            "who": person.registration_number,
            "pathway": person.get_pathway_display(),
        }
    return ""


@transaction.atomic
def candidate_add(
    *, cohort: Cohort, person: Combatant, by: User, years_of_service: int = 0, education: str = "none"
) -> Candidate:
    refusal = candidate_refusal(person)
    if refusal:
        raise IntegrationRefused(refusal, "person")
    active = Candidate.objects.filter(combatant=person).exclude(status__in=[S.REDIRECTED, S.FAILED]).first()
    if active:
        raise IntegrationRefused(
            _("%(who)s is already a candidate in %(cohort)s.")
            % {"who": person.registration_number, "cohort": active.cohort},
            "person",
        )
    candidate = Candidate(
        cohort=cohort, combatant=person, years_of_service=years_of_service, education=education
    )
    candidate._history_user = by  # type: ignore[attr-defined]
    candidate.save()
    return candidate


def _at_another_step(candidate: Candidate, to: str) -> str:
    return _("%(who)s is at the step “%(status)s”.") % {
        "who": candidate.combatant.registration_number,
        "status": candidate.get_status_display(),
    }


# A candidate's dates are its own (training started and ended): no separate event is written.
CANDIDATES: Lifecycle[Candidate, None] = Lifecycle(
    {
        S.CANDIDATE: {S.FIT, S.REDIRECTED},
        S.FIT: {S.IN_TRAINING},
        S.IN_TRAINING: {S.TRAINED, S.FAILED},
        S.TRAINED: {S.ASSIGNED},
    },
    refused=IntegrationRefused,
    forbidden=_at_another_step,
    forbidden_field="status",
    related=["combatant__movement", "cohort"],
)


def candidate_medical(*, candidate: Candidate, fit: bool, on: dt.date, examiner: str, by: Any) -> Candidate:
    """The medical exam of a candidate. Unfit: redirected by the rules in force, visibly and audited."""
    to = S.FIT if fit else S.REDIRECTED
    return CANDIDATES.advance(
        candidate, to=to, on=on, by=by, reason=gettext_noop("medical screening"), examiner=examiner
    ).record


@CANDIDATES.entering(S.FIT, S.REDIRECTED)
def _examined(candidate: Candidate, step: Step) -> list[str]:
    person = candidate.combatant
    screening.medical_record(
        person=person,
        examined_on=step.on,
        examiner=step.details["examiner"],
        result=MedicalStatus.FIT if step.to == S.FIT else MedicalStatus.UNFIT,
        final=True,
        by=step.by,
    )
    if step.to == S.REDIRECTED:
        ruleset = eligibility_selectors.active_ruleset()
        if ruleset is not None:  # the rules in force decide where the unfit go
            eligibility.person_decide(person=person, ruleset=ruleset, by=step.by)
        person.refresh_from_db()
        if person.pathway in INTEGRATION_PATHWAYS:  # no rules in force, or a status past deciding
            eligibility.pathway_set(
                person=person,
                to=Pathway.REINSERTION,
                reason="medical_unfit",
                by=step.by,
                note="unfit for integration",
            )
    return []


@transaction.atomic
def training_start(*, candidates: Iterable[Candidate], on: dt.date, by: User) -> int:
    """Fit candidates start training together (three months by default)."""
    started = [
        CANDIDATES.advance(c, to=S.IN_TRAINING, on=on, by=by, reason=gettext_noop("training")).record
        for c in candidates
    ]
    eligibility.case_follow(
        people=[c.combatant for c in started],
        to=Combatant.Status.IN_TRAINING,
        by=by,
        reason=gettext_noop("integration training"),
    )
    return len(started)


@CANDIDATES.entering(S.IN_TRAINING)
def _training(candidate: Candidate, step: Step) -> list[str]:
    candidate.training_start = step.on
    return ["training_start"]


def training_end(*, candidate: Candidate, on: dt.date, passed: bool, by: Any) -> Candidate:
    to = S.TRAINED if passed else S.FAILED
    return CANDIDATES.advance(candidate, to=to, on=on, by=by, reason=gettext_noop("training ended")).record


@CANDIDATES.entering(S.TRAINED, S.FAILED)
def _trained(candidate: Candidate, step: Step) -> list[str]:
    if candidate.training_start and step.on < candidate.training_start:
        raise IntegrationRefused(
            _("The training cannot end (%(end)s) before it started (%(start)s).")
            % {"end": shown_date(step.on), "start": shown_date(candidate.training_start)},
            "on",
        )
    candidate.training_end = step.on
    return ["training_end"]


def rank_table(day: dt.date) -> RankTable | None:
    return (
        RankTable.objects.filter(effective_from__lte=day)
        .prefetch_related("rules")
        .order_by("-effective_from")
        .first()
    )


@transaction.atomic
def candidate_assign(
    *, candidate: Candidate, unit: Unit, on: dt.date, by: User, rank: str = "", override_reason: str = ""
) -> Candidate:
    """A trained candidate joins a BATFAR unit with the rank the table gives (or an override, with
    its reason recorded); the person is then integrated."""
    candidate = CANDIDATES.advance(
        candidate,
        to=S.ASSIGNED,
        on=on,
        by=by,
        reason=gettext_noop("assigned"),
        unit=unit,
        rank=rank,
        override_reason=override_reason,
    ).record
    person = candidate.combatant
    person.refresh_from_db()
    # Defectors are "recruited" into the forces, not integrated (report 3.2.2): the audit says so.
    reason = f"recruited into {unit}" if person.category == Category.DEFECTOR else f"assigned to {unit}"
    eligibility.case_follow(people=[person], to=Combatant.Status.INTEGRATED, by=by, reason=reason)
    return candidate


@CANDIDATES.entering(S.ASSIGNED)
def _assigned(candidate: Candidate, step: Step) -> list[str]:
    unit, rank, override_reason = step.details["unit"], step.details["rank"], step.details["override_reason"]
    if unit.kind == Unit.Kind.MOC:
        raise IntegrationRefused(
            _("Trained candidates are assigned to a reconstituted unit, not a MOC."), "unit"
        )
    if rank and not override_reason.strip():
        raise IntegrationRefused(_("Overriding the table needs a reason."), "override_reason")
    person = candidate.combatant
    allocation = _allocation(candidate, step.on)
    membership = membership_start(
        unit=unit,
        party=party_of(person, step.on),
        start=step.on,
        by=step.by,
        person=person,
        rank=rank or allocation.rank,
    )
    candidate.membership = membership
    candidate.army_rank = rank or allocation.rank
    candidate.rank_explanation = allocation.explanation[:500]
    candidate.rank_override_reason = override_reason if rank else ""
    return ["membership", "army_rank", "rank_explanation", "rank_override_reason"]


@transaction.atomic
def candidate_rank_change(*, candidate: Candidate, rank: str, reason: str, by: User) -> Candidate:
    """An assigned candidate's rank changed (an appeal overturned the allocation, say): on the
    candidacy and on the unit membership, both audited, with the reason kept as the override's."""
    candidate = (
        Candidate.objects.select_for_update(of=("self",)).select_related("membership").get(pk=candidate.pk)
    )
    if candidate.status != S.ASSIGNED:
        raise IntegrationRefused(_("Only an assigned candidate's rank can be changed."), "candidate")
    if rank not in ARMY_RANKS:
        raise IntegrationRefused(_("Unknown army rank."), "rank")
    if rank == candidate.army_rank:
        raise IntegrationRefused(_("The candidate already holds this rank."), "rank")
    if not reason.strip():
        raise IntegrationRefused(_("Changing a rank needs a reason."), "reason")
    candidate.army_rank, candidate.rank_override_reason = rank, reason.strip()[:300]
    save_audited(candidate, by, ["army_rank", "rank_override_reason"], reason[:100])
    if candidate.membership is not None:
        candidate.membership.rank = rank
        save_audited(candidate.membership, by, ["rank"], reason[:100])
    return candidate


def _allocation(candidate: Candidate, day: dt.date) -> rules.Allocation:
    """The rank the table in force gives the candidate, within the caps of its ranks."""
    table = rank_table(day)
    if table is None:
        return rules.Allocation(ARMY_RANKS[0], _("No rank table in force: lowest rank."))
    used = dict(
        Candidate.objects.filter(status=S.ASSIGNED, cohort__training_start__gte=table.effective_from)
        .values_list("army_rank")
        .annotate(n=Count("id"))
    )
    return rules.allocate_rank(
        list(table.rules.all()),
        {k: int(v) for k, v in table.caps.items()},
        used,
        movement_rank=candidate.combatant.rank_in_movement,
        years=candidate.years_of_service,
        education=candidate.education,
    )


# --- targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetProgress:
    target: IntegrationTarget
    integrated: int

    @property
    def share(self) -> float:
        return self.integrated / self.target.number if self.target.number else 0.0


def target_progress(
    targets: Iterable[IntegrationTarget], *, suppressed: bool = False, register: Base | None = None
) -> list[TargetProgress]:
    """Progress against each target, in a fixed number of queries whatever the number of targets.

    An army target counts the people integrated into the army: assigned candidates, plus the
    figures reported for earlier cohorts, within its period, movement and region. A target of
    another structure (or of all the State) counts the people whose pathway is one of its
    pathways and who reached it (status integrated), whatever the date: these pathways record no
    date of arrival yet. `suppressed` (analysts): sums of visible cells, of `integrated_base` for
    the army (whole periods from the target's start to its deadline) and of the register's base
    table (`register`, `ddr.registration.selectors.Scope.register`) for the others."""
    targets = list(targets)
    army = [t for t in targets if t.structure == TargetStructure.ARMY]
    others = [t for t in targets if t.structure != TargetStructure.ARMY]
    counted: dict[int, int] = {}
    if suppressed:
        base = integrated_base() if army else Base(["source", "period", "movement", "region"], {})
        for target in army:
            first, last = period_start(target.start), target.deadline
            cells = base.where(period=lambda period, first=first, last=last: first <= period <= last)
            if target.movement_id:
                cells = cells.where(source="assigned", movement=target.movement_id)
            if target.region_id:
                cells = cells.where(region=target.region_id)
            counted[target.pk] = cells.total()
        if others and register is None:
            raise ValueError("the register's base table is needed for targets beyond the army")
        for target in others:
            assert register is not None  # noqa: S101 - checked just above, for mypy
            tests: dict[str, Any] = {"status": Combatant.Status.INTEGRATED, "pathway": set(target.pathways)}
            if target.movement_id:
                tests["movement_id"] = target.movement_id
            if target.region_id:
                tests["region_id"] = target.region_id
            counted[target.pk] = register.where(**tests).total()
    else:
        counted = _army_integrated(army) | _pathway_reached(others)
    return [TargetProgress(t, counted.get(t.pk, 0)) for t in targets]


def _army_integrated(targets: list[IntegrationTarget]) -> dict[int, int]:
    """Each army target's assigned candidates and reported fit, in two queries for all of them."""
    if not targets:
        return {}
    assigned, reported = {}, {}
    for t in targets:
        within = Q(membership__start__gte=t.start, membership__start__lte=t.deadline)
        cohort = Q(training_start__gte=t.start, training_start__lte=t.deadline)
        if t.movement_id:
            within &= Q(combatant__movement=t.movement_id)
        if t.region_id:
            within &= Q(cohort__region=t.region_id)
            cohort &= Q(region=t.region_id)
        assigned[f"t{t.pk}"] = Count("id", filter=within)
        if not t.movement_id:  # reported figures are not broken down by movement
            reported[f"t{t.pk}"] = Sum("reported_fit", filter=cohort)
    people = Candidate.objects.filter(status=S.ASSIGNED).aggregate(**assigned)
    figures = Cohort.objects.aggregate(**reported) if reported else {}
    return {t.pk: (people[f"t{t.pk}"] or 0) + (figures.get(f"t{t.pk}") or 0) for t in targets}


def _pathway_reached(targets: list[IntegrationTarget]) -> dict[int, int]:
    """Each target's people on its pathways who reached them, in one query for all of them."""
    if not targets:
        return {}
    counts = {}
    for t in targets:
        reached = Q(pathway__in=t.pathways)
        if t.movement_id:
            reached &= Q(movement=t.movement_id)
        if t.region_id:
            reached &= Q(region=t.region_id)
        counts[f"t{t.pk}"] = Count("id", filter=reached)
    people = (
        Combatant.objects.filter(status=Combatant.Status.INTEGRATED)
        .exclude(category=Category.CHILD)
        .aggregate(**counts)
    )
    return {t.pk: people[f"t{t.pk}"] or 0 for t in targets}


def integrated_base() -> Base:
    """Analysts' base table of the people integrated: (source, period, movement, region) ->
    people, where the source is a candidate assigned (the period their membership started) or a
    cohort's reported fit (the period its training started), a period of the analysts' grain;
    small cells dropped."""
    assigned = (
        Candidate.objects.filter(status=S.ASSIGNED)
        .annotate(period=Trunc("membership__start", period_kind()))
        .values_list("period", "combatant__movement", "cohort__region")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells: dict[tuple[Any, ...], int] = defaultdict(int)
    for period, movement, region, n in assigned:
        cells[("assigned", period, movement, region)] += n
    reported = Cohort.objects.exclude(reported_fit=None).values_list(
        "training_start", "region", "reported_fit"
    )
    for start, region, n in reported:
        if start:
            cells[("reported", period_start(start), None, region)] += n or 0
    return Base(["source", "period", "movement", "region"], cells)


def cohort_counts(cohorts: Any, *, suppressed: bool = False) -> dict[int, dict[str, int]]:
    """Each cohort's candidates by step; `suppressed` (analysts): the visible cells of the base
    table (cohort, step) -> candidates, so a cohort's total is the sum of its visible steps."""
    rows = (
        Candidate.objects.filter(cohort__in=cohorts).values_list("cohort", "status").annotate(n=Count("id"))
    )
    cells = {(cohort, status): n for cohort, status, n in rows.order_by()}
    if suppressed:
        cells = Base(["cohort", "status"], cells).cells
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for (cohort, status), n in cells.items():
        counts[cohort][status] = n
    return counts


def desertion_counts(user: User, *, start: dt.date | None, end: dt.date | None) -> list[dict[str, Any]]:
    """Desertions per unit and party, the end of the membership within [start, end]. Analysts:
    whole periods of their grain only (`PeriodRefused` otherwise) and sums of the visible cells
    of one base table (unit, party, period) -> desertions (`core.suppression`), so no two periods
    or units differ by a hidden few."""
    left = Membership.objects.for_user(user).filter(leaving=Membership.Leaving.DESERTED)
    if not for_analyst(user):
        if start:
            left = left.filter(end__gte=start)
        if end:
            left = left.filter(end__lte=end)
        rows = left.values("unit__name", "party").annotate(n=Count("id")).order_by("unit__name", "party")
        return list(rows)
    analyst_period(start, end)
    cells = (
        left.annotate(period=Trunc("end", period_kind()))
        .values_list("unit__name", "party", "period")
        .annotate(n=Count("id"))
    )
    base = Base(["unit", "party", "period"], ((tuple(key), n) for *key, n in cells.order_by()))
    first, last = start or dt.date.min, end or dt.date.max
    within = base.where(period=lambda period: first <= period <= last).margin("unit", "party")
    return [{"unit__name": unit, "party": party, "n": n} for (unit, party), n in sorted(within.items())]


# --- units: master data kept by national staff --------------------------------------------


@transaction.atomic
def unit_save(*, unit: Unit | None, by: User, **values: Any) -> Unit:
    """A unit created or corrected; a unit that ends is dissolved (dated), never deleted: its
    members' history points to it."""
    refuse_on(
        rules.unit_dates_problem(
            values.get("established"), values.get("dissolved"), values.get("interim_until")
        ),
        IntegrationRefused,
    )
    return record_save(unit or Unit(), by=by, values=values)


# --- pathways into the State --------------------------------------------------------------


def _facts(placement: Placement, person: Combatant, **override: str) -> rules.PlacementFacts:
    values = {
        "original_corps": placement.original_corps,
        "former_service_number": placement.former_service_number,
        "corps": placement.corps,
        "post": placement.post,
    }
    values.update({k: v for k, v in override.items() if v})
    return rules.PlacementFacts(
        pathway=person.pathway,
        category=person.category,
        medical_fit=person.medical_status == MedicalStatus.FIT,
        **values,
    )


def placement_refusal(intake: Intake, person: Combatant) -> str:
    """Why this person cannot join this intake ('' when they can): barred from every programme
    (a child, a merged record, an exclusion), or oriented to another pathway."""
    if refusal := benefit_refusal(person):
        return refusal
    facts = rules.PlacementFacts(pathway=person.pathway, category=person.category)
    if refusal := rules.pathway_refusal(intake.structure, facts, str(person.get_pathway_display())):
        return f"{person.registration_number}: {refusal}"
    return ""


@transaction.atomic
def intake_create(
    *,
    name: str,
    structure: str,
    region: Region,
    opened_on: dt.date,
    by: User,
    corps: str = "",
    administration: str = "",
    decision: Decision | None = None,
    note: str = "",
) -> Intake:
    """A new intake into one structure of the State, before its people are added."""
    if structure not in Structure.values:
        raise IntegrationRefused(_("Unknown structure."), "structure")
    if structure == Structure.CIVIL_SERVICE:
        corps = Corps.CIVIL_SERVICE
    elif structure == Structure.RECRUITMENT:
        corps = Corps.ARMY
    elif structure == Structure.TERRITORIAL_POLICE:
        corps = Corps.TERRITORIAL_POLICE
    intake = Intake(
        name=name,
        structure=structure,
        corps=corps,
        administration=administration,
        region=region,
        opened_on=opened_on,
        decision=decision,
        note=note,
    )
    intake._history_user = by  # type: ignore[attr-defined]
    intake.save()
    return intake


@transaction.atomic
def placement_add(
    *,
    intake: Intake,
    person: Combatant,
    by: User,
    on: dt.date | None = None,
    original_corps: str = "",
    former_service_number: str = "",
    post: str = "",
    decided_by: str = "",
    decision: Decision | None = None,
) -> Placement:
    """A person proposed for an intake: their pathway must be the structure's, and a recall
    names the original corps and the former service number. One process at a time."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    if refusal := placement_refusal(intake, person):
        raise IntegrationRefused(refusal, "person")
    ongoing = (
        Placement.objects.filter(combatant=person)
        .exclude(status=StateStep.NOT_RETAINED)
        .select_related("intake")
        .first()
    )
    if ongoing:
        raise IntegrationRefused(
            _("%(who)s is already in %(intake)s (%(step)s).")
            % {
                "who": person.registration_number,
                "intake": ongoing.intake,
                "step": ongoing.get_status_display(),
            },
            "person",
        )
    placement = Placement(
        intake=intake,
        combatant=person,
        original_corps=original_corps,
        former_service_number=former_service_number.strip().upper(),
        post=post,
        # A recalled person returns to the corps they left; the others join the intake's.
        corps=original_corps if intake.structure == Structure.RECALL else intake.corps,
    )
    missing = rules.missing_needs(intake.structure, StateStep.PROPOSED, _facts(placement, person))
    if missing:
        raise IntegrationRefused(missing[0][1], missing[0][0])
    placement._history_user = by  # type: ignore[attr-defined]
    placement.save()
    if decision is not None and not decided_by:
        decided_by = decision.acronym
    PlacementStep.objects.create(
        placement=placement,
        status=StateStep.PROPOSED,
        on=on or timezone.localdate(),
        decided_by=decided_by,
        decision=decision,
        recorded_by=by,
    )
    return placement


def _placement_forbidden(placement: Placement, to: str) -> str:
    return _("%(who)s is at the step “%(step)s”: “%(to)s” does not follow it in %(structure)s.") % {
        "who": placement.combatant.registration_number,
        "step": placement.get_status_display(),
        "to": StateStep(to).label if to in StateStep.values else to,
        "structure": placement.intake.get_structure_display(),
    }


# Every structure's steps together; which belong to which is checked on entering (rules.PROCESSES).
PLACEMENTS: Lifecycle[Placement, PlacementStep] = Lifecycle(
    {
        step: frozenset().union(*(p.table.get(step, frozenset()) for p in rules.PROCESSES.values()))
        for step in StateStep.values
    },
    refused=IntegrationRefused,
    forbidden=_placement_forbidden,
    event=PlacementStep,
    owner="placement",
    notes=("note",),
    future=False,
    related=["combatant", "intake"],
)


@PLACEMENTS.entering(*StateStep.values)
def _placement_step(placement: Placement, step: Step) -> list[str]:
    """The structure's own table, the person's pathway (it may have changed since they were
    proposed), what the step needs; the final step dates the placement's completion."""
    structure = placement.intake.structure
    corps, post = step.details.get("corps", ""), step.details.get("post", "")
    facts = _facts(placement, placement.combatant, corps=corps, post=post)
    field, refusal = rules.step_refusal(structure, placement.status, step.to, facts)
    if refusal:
        if field == "person":
            refusal = f"{placement.combatant.registration_number}: {refusal}"
        raise IntegrationRefused(refusal, field)
    changed = []
    if corps and corps != placement.corps:
        placement.corps = corps
        changed.append("corps")
    if post and post != placement.post:
        placement.post = post
        changed.append("post")
    if rules.is_final(structure, step.to):
        placement.completed_on = step.on
        changed.append("completed_on")
    return changed


def placement_advance(
    *,
    placement: Placement,
    to: str,
    on: dt.date,
    by: User,
    decided_by: str = "",
    decision: Decision | None = None,
    note: str = "",
    corps: str = "",
    post: str = "",
) -> Placement:
    """A placement's next step, dated and audited; the person's case follows where its own table
    allows (in training, then integrated: a defector recruited is counted apart by category)."""
    with transaction.atomic():
        done = PLACEMENTS.advance(
            placement,
            to=to,
            on=on,
            by=by,
            decided_by=decided_by,
            decision=decision,
            note=note,
            corps=corps,
            post=post,
        ).record
        follows = rules.PROCESSES[done.intake.structure].case.get(to)
        if follows:
            reason = gettext_noop("pathway into the State")  # the row shows the status reached
            eligibility.case_follow(people=[done.combatant], to=follows, by=by, reason=reason)
    return done


def person_corps(person: Combatant) -> tuple[str, Placement | None]:
    """The corps a person serves in now, and the placement that brought them there: the last
    reclassification's, else the completed placement's, else the army for an assigned candidate."""
    last = Reclassification.objects.filter(combatant=person).order_by("-on", "-id").first()
    placement = (
        Placement.objects.filter(combatant=person, completed_on__isnull=False)
        .order_by("-completed_on")
        .first()
    )
    if last is not None:
        return last.to_corps, placement
    if placement is not None:
        return placement.corps, placement
    if Candidate.objects.filter(combatant=person, status=S.ASSIGNED).exists():
        return Corps.ARMY, None
    return "", None


@transaction.atomic
def reclassify(
    *,
    person: Combatant,
    to_corps: str,
    on: dt.date,
    reason: str,
    by: User,
    decided_by: str = "",
    decision: Decision | None = None,
) -> Reclassification:
    """A person integrated in one corps moved to another (decree 0874/P-RM: rank, command and
    reclassification): a row of its own, the placement's corps updated with its audit row."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    current, placement = person_corps(person)
    if not current:
        raise IntegrationRefused(
            _("%(who)s serves in no corps yet: only an integrated person is reclassified.")
            % {"who": person.registration_number},
            "person",
        )
    if to_corps not in Corps.values:
        raise IntegrationRefused(_("Unknown corps."), "to_corps")
    if to_corps == current:
        raise IntegrationRefused(_("The person already serves in this corps."), "to_corps")
    if not reason.strip():
        raise IntegrationRefused(_("A reclassification needs its reason."), "reason")
    if decision is not None and not decided_by:
        decided_by = decision.acronym
    if not decided_by.strip():
        raise IntegrationRefused(_("Say which body decided the reclassification."), "decided_by")
    if on > timezone.localdate():
        raise IntegrationRefused(_("A step cannot be dated in the future."), "on")
    moved = Reclassification(
        combatant=person,
        placement=placement,
        from_corps=current,
        to_corps=to_corps,
        on=on,
        reason=reason.strip()[:300],
        decided_by=decided_by,
        decision=decision,
        recorded_by=by,
    )
    moved._history_user = by  # type: ignore[attr-defined]
    moved.save()
    if placement is not None:
        placement.corps = to_corps
        save_audited(placement, by, ["corps"], RECLASSIFIED % {"body": decided_by})
    return moved


RECLASSIFIED = reason_template(gettext_noop("reclassified by %(body)s"))


def state_counts(intakes: Any, user: Any, *, suppressed: bool = False) -> dict[int, dict[str, int]]:
    """Each intake's placements by step, in one query: the people the reader may see (their
    region, never a child); `suppressed` (analysts): the visible cells of (intake, step)."""
    rows = (
        Placement.objects.for_user(user)
        .filter(intake__in=intakes)
        .values_list("intake", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells = {(intake, status): n for intake, status, n in rows}
    if suppressed:
        cells = Base(["intake", "status"], cells).cells
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for (intake, status), n in cells.items():
        counts[intake][status] = n
    return counts


def state_base(user: Any) -> Base:
    """The pathways into the State by (structure, step) -> people. For analysts, the sums of the
    visible (intake, step) cells the intakes' page shows: a second table built from the same
    placements would give a hidden small cell back by difference (`core.suppression`)."""
    rows = (
        Placement.objects.for_user(user)
        .values_list("intake", "intake__structure", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    structure_of = {intake: structure for intake, structure, _status, _n in rows}
    by_intake = {(intake, status): n for intake, _structure, status, n in rows}
    if for_analyst(user):
        by_intake = Base(["intake", "status"], by_intake).cells
    totals: dict[tuple[Any, ...], int] = defaultdict(int)
    for (intake, status), n in by_intake.items():
        totals[(structure_of[intake], status)] += n
    return Base(["structure", "step"], totals, exact=True)
