"""Pathway services: activating a rule set, recomputing every decision set-based, the what-if
of a draft, quotas and waiting lists, and the transitions of each person's case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from core.audit import save_audited
from core.bulk import with_history
from core.errors import Refused
from core.models import Decision, Job
from ddr.eligibility.models import EligibilityRun, RuleSet, WaitingPlace
from ddr.eligibility.rules import Rules, decide, pathway_case
from ddr.eligibility.selectors import DECIDABLE, S, decidable, ruleset_check, superseded_by, waiting_sql
from ddr.registration.models import Combatant, Pathway

BATCHES = 20
WORK_MEM = "64MB"  # per sort or hash of a recompute's statements

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PRE_REGISTERED: frozenset({S.REGISTERED}),
    S.REGISTERED: frozenset({S.SCREENED}),
    S.SCREENED: frozenset({S.ORIENTED}),
    S.ORIENTED: frozenset({S.CANTONED, S.DEMOBILISED, S.IN_TRAINING, S.REINSERTED}),
    S.CANTONED: frozenset({S.DEMOBILISED}),
    S.DEMOBILISED: frozenset({S.REINSERTED, S.IN_TRAINING}),
    S.REINSERTED: frozenset({S.REINTEGRATED}),
    S.IN_TRAINING: frozenset({S.INTEGRATED, S.REINSERTED}),
    S.INTEGRATED: frozenset({S.DESERTED}),
    S.REINTEGRATED: frozenset(),
}
EXITS = frozenset({S.REFERRED, S.EXCLUDED, S.WITHDRAWN, S.DECEASED, S.DESERTED})
TERMINAL = frozenset({S.REFERRED, S.EXCLUDED, S.WITHDRAWN, S.DECEASED, S.DESERTED, S.REINTEGRATED, S.MERGED})


class PathwayRefused(Refused):
    """The change cannot be made; the message says why. Nothing was changed."""


# --- rule sets ----------------------------------------------------------------------------


@transaction.atomic
def ruleset_draft_from(source: RuleSet | None, *, by: User) -> RuleSet:
    """A new draft: a copy of `source` (the rule set in force) as the next version, or defaults."""
    draft = RuleSet(name=_("Eligibility rules"), effective_from=timezone.localdate(), created_by=by)
    if source is not None:
        for field in RuleSet._meta.concrete_fields:
            if field.name not in {"id", "status", "created_by", "activated_by", "activated_at", "decision"}:
                setattr(draft, field.attname, getattr(source, field.attname))
        draft.effective_from = max(timezone.localdate(), source.effective_from + dt.timedelta(days=1))
        draft.effective_to = None
    latest = RuleSet.objects.filter(name=draft.name).order_by("-version").first()
    draft.version = latest.version + 1 if latest else 1
    draft._history_user = by  # type: ignore[attr-defined]
    draft.save()
    return draft


def ruleset_save(*, ruleset: RuleSet, by: User) -> RuleSet:
    if ruleset.status != RuleSet.Status.DRAFT:
        raise PathwayRefused(_("Only a draft rule set can be changed."))
    ruleset._history_user = by  # type: ignore[attr-defined]
    ruleset.save()
    return ruleset


@transaction.atomic
def ruleset_activate(*, ruleset: RuleSet, by: User, decision: Decision | None = None) -> EligibilityRun:
    """Activate a draft and queue the recomputation of every pathway under it; `decision`: the
    decision of the register that adopted it and agreed its quotas."""
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.status != RuleSet.Status.DRAFT:
        raise PathwayRefused(_("Only a draft rule set can be activated."))
    problems = ruleset_check(ruleset)
    if problems:
        raise PathwayRefused(" ".join(problems))
    for previous in superseded_by(ruleset).select_for_update():
        previous.effective_to = ruleset.effective_from
        if previous.effective_to <= timezone.localdate():
            previous.status = RuleSet.Status.RETIRED
        save_audited(previous, by, ["effective_to", "status"])
    ruleset.status, ruleset.activated_by, ruleset.activated_at = RuleSet.Status.ACTIVE, by, timezone.now()
    ruleset.decision = decision
    save_audited(ruleset, by, ["status", "activated_by", "activated_at", "decision"])
    return recompute_queue(ruleset=ruleset, by=by)


def recompute_queue(*, ruleset: RuleSet, by: User) -> EligibilityRun:
    from ddr.eligibility import tasks

    with transaction.atomic():
        job = Job.objects.create(kind="eligibility_recompute", created_by=by, total=BATCHES)
        run = EligibilityRun.objects.create(ruleset=ruleset, job=job, started_by=by)
        transaction.on_commit(lambda: tasks.eligibility_recompute.delay(run.pk))
    return run


# --- recompute, set-based -----------------------------------------------------------------


def eligibility_recompute(*, run_id: int) -> EligibilityRun:
    """Decide every person under the run's rule set, in id batches (each one statement and its
    own transaction, so the progress bar moves and a killed run resumes where it stopped).
    Only decisions that change are written; their history rows are written with them.
    Running it again changes nothing."""
    run = EligibilityRun.objects.select_related("ruleset", "job", "started_by").get(pk=run_id)
    job = run.job
    if not job.start(total=BATCHES + 1):
        return run  # finished meanwhile (a task delivered twice, a job already failed)
    rules, on = Rules.of(run.ruleset), timezone.localdate()
    bounds = Combatant.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"] or 0, bounds["high"] or 0
    step = max(1, (high - low + BATCHES) // BATCHES)
    changed = 0
    for i in range(BATCHES):
        start = low + i * step
        with transaction.atomic():
            changed += _decide_batch(run, rules, on, start, start + step)
        job.advance(i + 1)
    with transaction.atomic():
        waitlisted = waitlists_refresh(run.ruleset)
    counts = dict(decidable().values_list("pathway").annotate(n=Count("id")).order_by())
    EligibilityRun.objects.filter(pk=run.pk).update(
        changed=changed, waitlisted=waitlisted, counts=counts, finished_at=timezone.now()
    )
    job.finish(done=BATCHES + 1)
    run.refresh_from_db()
    return run


def _decide_batch(run: EligibilityRun, rules: Rules, on: dt.date, start: int, stop: int) -> int:
    """One id batch decided; a person whose pathway is under an open appeal is left out (frozen:
    only the appeal's decision moves it)."""
    from ddr.accountability.appeals.selectors import pathway_frozen_people, pathway_frozen_sql

    pathway, reason = pathway_case(rules, on)
    if connection.vendor != "postgresql":
        decided = (
            decidable()
            .filter(id__gte=start, id__lt=stop)
            .exclude(pk__in=pathway_frozen_people())
            .annotate(new_pathway=pathway, new_reason=reason)
            .values("id", "pathway", "pathway_reason", "pathway_ruleset_id", "new_pathway", "new_reason")
        )
        return _decide_batch_orm(run, decided)
    query = Combatant.objects.all().query
    compiler = query.get_compiler(connection=connection)
    new_pathway, pathway_params = compiler.compile(pathway.resolve_expression(query))
    new_reason, reason_params = compiler.compile(reason.resolve_expression(query))
    table = Combatant._meta.db_table
    frozen_sql, frozen_params = pathway_frozen_sql()
    # psycopg adapts a list, not a tuple
    batch = f'"id" >= %s AND "id" < %s AND "status" = ANY(%s) AND "id" NOT IN ({frozen_sql})'
    batch_params: list[Any] = [start, stop, list(DECIDABLE), *frozen_params]
    # One straight UPDATE over the batch (no self-join), audited in the same statement. It writes
    # only the decisions that change (and a first decision's rule set): re-stamping the rule set
    # on every unchanged row would rewrite the wide, heavily indexed row of nearly everyone at
    # each new rule set; `selectors.decided_by` names the rule set that stands behind it.
    decide_sql, history_params = with_history(
        Combatant,
        f'UPDATE "{table}" SET "pathway" = {new_pathway}, '  # noqa: S608 - ours
        f'"pathway_reason" = {new_reason}, "pathway_ruleset_id" = %s '
        f'WHERE {batch} AND ("pathway" <> {new_pathway} OR "pathway_reason" <> {new_reason} '
        f'OR "pathway_ruleset_id" IS NULL)',
        kind="~",
        user=run.started_by_id,
        reason=f"rule set {run.ruleset_id}",
    )
    decide_params = [
        *pathway_params,
        *reason_params,
        run.ruleset_id,
        *batch_params,
        *pathway_params,
        *reason_params,
        *history_params,
    ]
    with connection.cursor() as cursor:
        set_local_for_bulk(cursor)
        cursor.execute(decide_sql, decide_params)
        changed: int = cursor.rowcount
    return changed


def set_local_for_bulk(cursor: Any) -> None:
    """For the rest of the transaction (PostgreSQL): memory to keep a batch's written rows, the
    register tally trigger's transition tables and the waiting lists' sorts off disk, and no JIT,
    whose compilation of the rules' long CASE expressions costs more than it saves at each batch."""
    cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    cursor.execute("SET LOCAL jit = off")


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    return (ids[i : i + size] for i in range(0, len(ids), size))


def _decide_batch_orm(run: EligibilityRun, decided: Any) -> int:
    """The same on SQLite (the quick start): one UPDATE per decision, then the history rows in bulk."""
    rows = {
        r["id"]: (r["new_pathway"], r["new_reason"])
        for r in decided
        if (r["pathway"], r["pathway_reason"]) != (r["new_pathway"], r["new_reason"])
        or r["pathway_ruleset_id"] is None
    }
    by_decision: dict[tuple[str, str], list[int]] = {}
    for pk, decision in rows.items():
        by_decision.setdefault(decision, []).append(pk)
    for (pathway, reason), ids in by_decision.items():
        for chunk in _chunks(list(ids), 5000):  # SQLite's limit on bound parameters
            Combatant.objects.filter(pk__in=chunk).update(
                pathway=pathway, pathway_reason=reason, pathway_ruleset_id=run.ruleset_id
            )
    for chunk in _chunks(list(rows), 5000):
        Combatant.history.bulk_history_create(
            list(Combatant.objects.filter(pk__in=chunk)),
            batch_size=500,
            default_user=run.started_by,
            default_change_reason=f"rule set {run.ruleset_id}",
            update=True,
        )
    return len(rows)


def waitlists_refresh(ruleset: RuleSet) -> int:
    """Over a pathway's quota (national or regional), people not yet oriented wait in priority
    order: the first beyond the quota is position 1 (`selectors.waiting_sql`, which the what-if
    runs on the pathways a rule set would give). People holding a place keep it."""
    sql, params = waiting_sql(ruleset)
    places = WaitingPlace._meta.db_table
    now = timezone.now()
    if connection.vendor == "postgresql":
        # One statement: leavers deleted, newcomers inserted, moved places updated; a place
        # keeps its `since` while the person waits for the same pathway.
        sql += f"""
        , gone AS (
            DELETE FROM "{places}" p WHERE NOT EXISTS (SELECT 1 FROM waiting w WHERE w.id = p.combatant_id)
        )
        INSERT INTO "{places}" AS p (combatant_id, pathway, position, since)
        SELECT id, pathway, position, %s FROM waiting
        ON CONFLICT (combatant_id) DO UPDATE SET
            position = EXCLUDED.position,
            pathway = EXCLUDED.pathway,
            since = CASE WHEN p.pathway = EXCLUDED.pathway THEN p.since ELSE EXCLUDED.since END
        WHERE (p.pathway, p.position) IS DISTINCT FROM (EXCLUDED.pathway, EXCLUDED.position)
        """  # noqa: S608 - table names are ours, values are params
        with transaction.atomic(), connection.cursor() as cursor:
            set_local_for_bulk(cursor)
            cursor.execute(sql, [*params, now])
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql + " SELECT id, pathway, position FROM waiting", params)  # noqa: S608
            waiting = cursor.fetchall()
        since = {
            (pk, pathway): at
            for pk, pathway, at in WaitingPlace.objects.values_list("combatant_id", "pathway", "since")
        }
        WaitingPlace.objects.all().delete()
        WaitingPlace.objects.bulk_create(
            [
                WaitingPlace(
                    combatant_id=pk, pathway=pathway, position=position, since=since.get((pk, pathway), now)
                )
                for pk, pathway, position in waiting
            ],
            batch_size=1000,
        )
    return WaitingPlace.objects.count()


# --- what-if ------------------------------------------------------------------------------


def person_decide(*, person: Combatant, ruleset: RuleSet, by: User) -> Combatant:
    """One person decided again (after a screening step), the same rules as the set-based run."""
    from ddr.accountability.appeals.selectors import pathway_frozen_people

    person = Combatant.objects.get(pk=person.pk)
    if person.status not in DECIDABLE or pathway_frozen_people().filter(combatant_id=person.pk).exists():
        return person  # past deciding, or its pathway under an open appeal
    decision = decide(person, Rules.of(ruleset), timezone.localdate())
    # as the run: the rule set is written with a changed (or first) decision only
    if (person.pathway, person.pathway_reason) != (decision.pathway, decision.reason) or (
        person.pathway_ruleset_id is None
    ):
        person.pathway, person.pathway_reason, person.pathway_ruleset = (
            decision.pathway,
            decision.reason,
            ruleset,
        )
        save_audited(person, by, ["pathway", "pathway_reason", "pathway_ruleset"], f"rule set {ruleset.pk}")
    return person


@transaction.atomic
def pathway_set(*, person: Combatant, to: str, reason: str, by: User, note: str = "") -> Combatant:
    """A pathway given outside a rule set's decision (a candidate found unfit for integration,
    say), with its reason code; the rule set that decided before is left as it was."""
    if to not in Pathway.values:
        raise PathwayRefused(_("Unknown pathway."))
    Combatant.objects.select_for_update().only("pk").get(pk=person.pk)  # one change at a time
    person.pathway, person.pathway_reason = to, reason
    save_audited(person, by, ["pathway", "pathway_reason"], note[:100])
    return person


# --- case transitions ---------------------------------------------------------------------


@transaction.atomic
def case_transition(*, people: Iterable[Combatant], to: str, by: User, reason: str = "") -> int:
    """Move people (one, or a whole cohort) to status `to`; every illegal move refuses the lot.
    Each person gets a history row saying who, when and why."""
    people = list(Combatant.objects.select_for_update().filter(pk__in=[p.pk for p in people]))
    if to not in S.values:
        raise PathwayRefused(_("Unknown status %(s)s.") % {"s": to})
    refused = [p for p in people if not allowed(p.status, to)]
    if refused:
        first = refused[0]
        raise PathwayRefused(
            _(
                "%(n)s of %(total)s cannot go from “%(from)s” to “%(to)s” (for example %(who)s); "
                "nothing was changed."
            )
            % {
                "n": len(refused),
                "total": len(people),
                "from": first.get_status_display(),
                "to": S(to).label,
                "who": first.registration_number,
            }
        )
    for person in people:
        person.status = to
    bulk_update_with_history(
        people, Combatant, ["status"], batch_size=1000, default_user=by, default_change_reason=reason[:100]
    )
    return len(people)


@transaction.atomic
def case_follow(*, people: Iterable[Combatant], to: str, by: User, reason: str = "") -> int:
    """A step another app records (a check-in, a training, an assignment, a desertion) moves the
    case of each of `people` whose status allows it by the transition table; the others keep
    their status. Returns how many moved; their instances are given the new status too."""
    people = list(people)
    current = Combatant.objects.select_for_update().filter(pk__in=[p.pk for p in people])
    moving = {pk for pk, status in current.values_list("pk", "status") if allowed(status, to)}
    if not moving:
        return 0
    case_transition(people=[p for p in people if p.pk in moving], to=to, by=by, reason=reason)
    for person in people:
        if person.pk in moving:
            person.status = to
    return len(moving)


def next_statuses(statuses: Iterable[str]) -> frozenset[str]:
    """The statuses every one of `statuses` may move to (none if any is terminal)."""
    moves = [frozenset(s for s in S.values if allowed(current, s)) for current in set(statuses)]
    return frozenset.intersection(*moves) if moves else frozenset()


def allowed(current: str, to: str) -> bool:
    if current in TERMINAL:
        return False
    if to in EXITS - {S.DESERTED}:
        return True
    return to in TRANSITIONS.get(current, frozenset())
