"""Pathway services: activating a rule set, recomputing every decision set-based, the what-if
of a draft, quotas and waiting lists, and the transitions of each person's case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import Region
from ddr.eligibility.models import RuleSet, WaitingPlace
from ddr.eligibility.rules import STATE_PATHWAYS, Decision, Requirements, Rules, decide, pathway_case
from ddr.registration.models import Combatant, Pathway

S = Combatant.Status
# Rules decide for people not yet engaged on a pathway; later changes go through transitions.
DECIDABLE = (S.PRE_REGISTERED, S.REGISTERED, S.SCREENED, S.ORIENTED)
# Not oriented yet: over a quota, these wait. Oriented and further (enrolled in a package, in
# training, integrated...) is a place taken in the pathway's quota, never given back to a newcomer:
# counting only the people beyond orientation left the oriented out of the places taken (the demo's
# 460 enrolled in reinsertion counted as none) and put them on the waiting list behind newcomers.
BEFORE_ORIENTATION = (S.PRE_REGISTERED, S.REGISTERED, S.SCREENED)
# No longer on a pathway: no place, no wait.
GONE = (S.REFERRED, S.EXCLUDED, S.WITHDRAWN, S.DECEASED, S.DESERTED, S.MERGED)
NOT_HOLDING = (*BEFORE_ORIENTATION, *GONE)


def holding_place(prefix: str = "") -> Q:
    """People holding a place in their pathway's quota: oriented or further on it, not gone."""
    return ~Q(**{f"{prefix}status__in": NOT_HOLDING})


def quota_use(pathway: str, region_code: str | None = None) -> int:
    """Places already taken on a pathway (nationally, or in one region)."""
    qs = Combatant.objects.filter(holding_place(), pathway=pathway)
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs.count()


@dataclass(frozen=True)
class QuotaRow:
    """One line of the quota page: a pathway nationally (`region` empty) or in one region, measured
    against the quota of that level when there is one."""

    pathway: str
    label: str
    region: str
    people: int  # on the pathway, not gone
    taken: int  # places taken: oriented or further
    waiting: int
    quota: int | None

    @property
    def percent(self) -> int | None:
        if self.quota is None:
            return None
        return round(100 * self.taken / self.quota) if self.quota else (100 if self.taken else 0)

    @property
    def full(self) -> bool:
        return self.quota is not None and self.taken >= self.quota


def quota_table(user: User, ruleset: RuleSet | None) -> list[QuotaRow]:
    """Per pathway, nationally then per region, the people the user may see: on it, holding a
    place, waiting; with the quota in force at each level. One grouped query."""
    counts = (
        Combatant.objects.for_user(user)
        .exclude(status__in=GONE)
        .values("pathway", "region__code")
        .annotate(
            people=Count("id"), taken=Count("id", filter=holding_place()), waiting=Count("waiting_place")
        )
        .order_by()
    )
    by_pathway: dict[str, list[dict[str, Any]]] = {}
    for row in counts:
        by_pathway.setdefault(row["pathway"], []).append(row)
    quotas = (ruleset.quotas if ruleset else None) or {}
    labels = dict(Pathway.choices)
    order = {p: i for i, p in enumerate(Pathway.values)}
    table = []
    for pathway in sorted(set(by_pathway) | set(quota_pathways(ruleset)), key=lambda p: order.get(p, 99)):
        regions = sorted(by_pathway.get(pathway, []), key=lambda r: r["region__code"])
        quota = quotas.get(pathway) or {}
        regional = quota.get("regions") or {}
        label = str(labels.get(pathway, pathway))
        table.append(
            QuotaRow(
                pathway,
                label,
                "",
                sum(r["people"] for r in regions),
                sum(r["taken"] for r in regions),
                sum(r["waiting"] for r in regions),
                quota.get("total"),
            )
        )
        table.extend(
            QuotaRow(
                pathway,
                label,
                r["region__code"],
                r["people"],
                r["taken"],
                r["waiting"],
                regional.get(r["region__code"]),
            )
            for r in regions
        )
    return table


def waiting_list(user: User, pathway: str) -> QuerySet[WaitingPlace]:
    """The people the user may see who wait for a place on `pathway`, next in first."""
    return (
        WaitingPlace.objects.for_user(user)
        .filter(pathway=pathway)
        .select_related("combatant__region", "combatant__movement")
        .order_by("position")
    )


def waiting_counts(user: User) -> dict[str, int]:
    """How many of the people the user may see wait on each pathway."""
    return dict(WaitingPlace.objects.for_user(user).values_list("pathway").annotate(n=Count("pk")).order_by())


def superseded_by(ruleset: RuleSet) -> QuerySet[RuleSet]:
    """The rule set in force that `ruleset` replaces: active, open-ended, started before it.
    Activating `ruleset` closes that one's period at its start; any other overlap is refused."""
    return RuleSet.objects.filter(
        status=RuleSet.Status.ACTIVE, effective_to__isnull=True, effective_from__lt=ruleset.effective_from
    ).exclude(pk=ruleset.pk)


@dataclass(frozen=True)
class RequirementRow:
    """What one pathway into the State asks under a rule set: `needs` every value given, `own`
    the rule set's own line (a value None there follows the general fields)."""

    pathway: str
    label: str
    needs: Requirements
    own: Requirements

    def asked(self) -> list[tuple[bool, bool]]:
        """Weapon, medical fitness, vetting, age verification: (asked, by the pathway's own line)."""
        keys = ("weapon", "medical", "vetting", "age_verification")
        return [(bool(getattr(self.needs, k)), getattr(self.own, k) is not None) for k in keys]


def requirement_table(ruleset: RuleSet) -> list[RequirementRow]:
    rules = Rules.of(ruleset)
    return [
        RequirementRow(
            p.value, str(p.label), rules.requirements(p), rules.pathway_requirements.get(p, Requirements())
        )
        for p in STATE_PATHWAYS
    ]


def ruleset_check(ruleset: RuleSet) -> list[str]:
    """What forbids activating this rule set: overlapping active periods, quotas below use."""
    problems = []
    far = dt.date(9999, 12, 31)
    others = RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).exclude(pk=ruleset.pk)
    for other in others.exclude(pk__in=superseded_by(ruleset)):
        if ruleset.effective_from < (other.effective_to or far) and other.effective_from < (
            ruleset.effective_to or far
        ):
            problems.append(
                _("Its period overlaps the active rule set %(other)s; end that one first.") % {"other": other}
            )
    for pathway, quota in (ruleset.quotas or {}).items():
        if pathway not in Pathway.values:
            problems.append(_("Unknown pathway in the quotas: %(p)s.") % {"p": pathway})
            continue
        limits = [(None, quota.get("total"))] + list((quota.get("regions") or {}).items())
        for region, limit in limits:
            if limit is None:
                continue
            used = quota_use(pathway, region)
            if int(limit) < used:
                problems.append(
                    _("Quota %(limit)s for %(pathway)s%(where)s is below the %(used)s places already taken.")
                    % {
                        "limit": limit,
                        "pathway": Pathway(pathway).label,
                        "where": f" ({region})" if region else "",
                        "used": used,
                    }
                )
    for category, pathway in (ruleset.category_pathways or {}).items():
        if pathway not in Pathway.values:
            problems.append(_("Unknown pathway for %(c)s: %(p)s.") % {"c": category, "p": pathway})
    for pathway in ruleset.pathway_requirements or {}:
        if pathway not in STATE_PATHWAYS:  # written in the admin: the rules would ignore it
            problems.append(
                _("Requirements for a pathway that is not into the State: %(p)s.") % {"p": pathway}
            )
    return problems


def active_ruleset(on: dt.date | None = None) -> RuleSet | None:
    on = on or timezone.localdate()
    return (
        RuleSet.objects.filter(status=RuleSet.Status.ACTIVE, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-effective_from")
        .first()
    )


def decidable() -> QuerySet[Combatant]:
    return Combatant.objects.filter(status__in=DECIDABLE)


def draft_pathway(ruleset: RuleSet) -> Case:
    """Each person's pathway once `ruleset` is activated and its run is done, as SQL: decided by its
    rules for the people a run decides (not yet engaged, not under an open appeal), as it stands
    for everyone else. The what-if reads the future through this, so it predicts what a run does."""
    from ddr.accountability.appeals.selectors import pathway_frozen_people

    pathway, _reason = pathway_case(Rules.of(ruleset), timezone.localdate())
    decided = Q(status__in=DECIDABLE) & ~Q(pk__in=pathway_frozen_people())
    return Case(When(decided, then=pathway), default=F("pathway"))


def what_if(ruleset: RuleSet) -> dict[str, Any]:
    """What activating `ruleset` would change, before it is activated: who changes pathway (one
    grouped query) and who would wait for a place under its quotas (`what_if_waiting`)."""
    rows = (
        decidable()
        .annotate(new_pathway=draft_pathway(ruleset))
        .exclude(pathway=F("new_pathway"))  # the same CASE compared in SQL: only changes are grouped
        .values("pathway", "new_pathway", "region__code", "movement__code")
        .annotate(n=Count("id"))
        .order_by("pathway", "new_pathway", "region__code", "movement__code")
    )
    transitions: dict[tuple[str, str], int] = {}
    by_region: dict[str, int] = {}
    by_movement: dict[str, int] = {}
    detail = []
    for r in rows:
        key = (r["pathway"], r["new_pathway"])
        transitions[key] = transitions.get(key, 0) + r["n"]
        by_region[r["region__code"]] = by_region.get(r["region__code"], 0) + r["n"]
        by_movement[r["movement__code"]] = by_movement.get(r["movement__code"], 0) + r["n"]
        detail.append(r)
    labels = dict(Pathway.choices)
    waiting = what_if_waiting(ruleset).by_pathway()
    return {
        "changes": sum(transitions.values()),
        "people": decidable().count(),
        "transitions": sorted(
            ((labels.get(a, a), labels.get(b, b), a, b, n) for (a, b), n in transitions.items()),
            key=lambda t: -t[4],
        ),
        "by_region": sorted(by_region.items(), key=lambda t: -t[1]),
        "by_movement": sorted(by_movement.items(), key=lambda t: -t[1]),
        "waiting": waiting,
        "waiting_total": sum(w["waiting"] for w in waiting),
    }


def what_if_people(ruleset: RuleSet, *, from_pathway: str, to_pathway: str) -> QuerySet[Combatant]:
    """The people behind one line of the what-if, to inspect."""
    return (
        decidable()
        .annotate(new_pathway=draft_pathway(ruleset))
        .filter(pathway=from_pathway, new_pathway=to_pathway)
        .select_related("region", "movement")
        .order_by("family_name", "given_name", "pk")
    )


# --- waiting lists --------------------------------------------------------------------------


def quota_pathways(ruleset: RuleSet | None) -> list[str]:
    """The pathways under a quota (national or regional) in `ruleset`: the ones with a waiting list."""
    quotas = (ruleset.quotas if ruleset else None) or {}
    return sorted(p for p, q in quotas.items() if q.get("total") is not None or q.get("regions"))


def waiting_sql(ruleset: RuleSet, *, draft: bool = False) -> tuple[str, list[Any]]:
    """A WITH clause that ends in `waiting (id, pathway, position)`: who waits for a place under
    `ruleset`'s quotas and priority. Pathways as they stand (`draft=False`: what a run rebuilds the
    waiting lists from, after deciding) or as `ruleset` would decide them (`draft=True`: the
    what-if). One query either way, so the prediction is the run's own computation.

    On each quota pathway, people holding a place rank first, then the rest in the rule set's
    priority; whoever is not oriented yet and is passed over (their region's places all given, or
    the national ones) waits, in that order: position 1 is the next to get a place."""
    quotas = ruleset.quotas or {}
    totals = [(p, int(q["total"])) for p, q in quotas.items() if q.get("total") is not None]
    region_ids = dict(Region.objects.values_list("code", "id"))
    regional = [
        (p, region_ids[r], int(n))
        for p, q in quotas.items()
        for r, n in (q.get("regions") or {}).items()
        if r in region_ids
    ]
    # Only the pathways under a quota are ranked, and by region only if one has a regional quota.
    limited = sorted({p for p, _n in totals} | {p for p, _r, _n in regional})
    people = Combatant.objects.exclude(status__in=GONE).annotate(
        quota_pathway=draft_pathway(ruleset) if draft else F("pathway")
    )
    people = people.filter(quota_pathway__in=limited) if limited else people.filter(pk__isnull=True)
    people_sql, people_params = (
        people.order_by()
        .values("id", "status", "region_id", "registered_at", "birth_year", "quota_pathway")
        .query.sql_with_params()
    )
    # Unknown birth years last on both databases (SQLite sorts NULL first, PostgreSQL last).
    priority = (
        "c.registered_at, c.id"
        if ruleset.priority == RuleSet.Priority.REGISTRATION
        else "c.birth_year IS NULL, c.birth_year, c.id"
    )
    not_oriented = ", ".join(f"'{s}'" for s in BEFORE_ORIENTATION)
    total_case = (
        "CASE " + " ".join(f"WHEN c.quota_pathway = %s THEN {n}" for _, n in totals) + " END"
        if totals
        else "CAST(NULL AS integer)"
    )
    region_case = (
        "CASE "
        + " ".join(f"WHEN c.quota_pathway = %s AND c.region_id = {int(r)} THEN {n}" for _p, r, n in regional)
        + " END"
    )
    # places held first (0), then the rule set's priority
    rank = f"CASE WHEN c.status IN ({not_oriented}) THEN 1 ELSE 0 END, {priority}"
    # In that order, places are given as a clerk would: someone whose region is full is passed
    # over (blocked), and the national places go to the next ones who are not. So the national
    # rank counts only the people not blocked, and a region's quota never leaves a place empty.
    blocked, total_rank = "0", "queue_rank"
    if regional:
        region_rank = f"row_number() OVER (PARTITION BY c.quota_pathway, c.region_id ORDER BY {rank})"
        blocked = (
            f"CASE WHEN c.status IN ({not_oriented}) AND {region_rank} > {region_case} THEN 1 ELSE 0 END"
        )
        total_rank = "row_number() OVER (PARTITION BY pathway, blocked ORDER BY queue_rank)"
    sql = f"""
        WITH people AS ({people_sql}),
        ranked AS (
            SELECT c.id, c.quota_pathway AS pathway, c.status, {total_case} AS total_quota,
                   row_number() OVER (PARTITION BY c.quota_pathway ORDER BY {rank}) AS queue_rank,
                   {blocked} AS blocked
            FROM people c
        ),
        placed AS (
            SELECT id, pathway, status, total_quota, queue_rank, blocked, {total_rank} AS total_rank
            FROM ranked
        ),
        waiting AS (
            SELECT id, pathway, row_number() OVER (PARTITION BY pathway ORDER BY queue_rank) AS position
            FROM placed
            WHERE status IN ({not_oriented}) AND (blocked = 1 OR total_rank > total_quota)
        )
    """  # noqa: S608 - identifiers, status values and ids are ours; quotas are integers; the rest are params
    return sql, [*people_params, *(p for p, _n in totals), *(p for p, _r, _n in regional)]


@dataclass(frozen=True)
class PredictedWaiting:
    """Who would wait under a draft rule set, in the order they would get a place: a sequence a
    paginator reads (`count`, slices of places), narrowed to a pathway and to the people a user may
    see. Positions are the national ones, whoever reads."""

    ruleset: RuleSet
    pathway: str | None = None
    visible: QuerySet[Combatant] | None = None

    def _query(self, select: str, *, join: str = "", tail: str = "") -> list[tuple[Any, ...]]:
        sql, params = waiting_sql(self.ruleset, draft=True)
        where, where_params = ["1 = 1"], []
        if self.pathway is not None:
            where.append("w.pathway = %s")
            where_params.append(self.pathway)
        if self.visible is not None:
            visible_sql, visible_params = self.visible.order_by().values("id").query.sql_with_params()
            where.append(f"w.id IN ({visible_sql})")
            where_params.extend(visible_params)
        sql += f" SELECT {select} FROM waiting w {join} WHERE {' AND '.join(where)} {tail}"  # noqa: S608 - ours
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *where_params])
            return list(cursor.fetchall())

    @cached_property
    def _rows(self) -> list[tuple[int, str, int]]:
        # Read once, ids and positions only: the ranking costs the same for a count as for a page
        # (every person on the pathway is ranked), so a paginator's count and page share it.
        found = self._query("w.id, w.pathway, w.position", tail="ORDER BY w.pathway, w.position")
        return [(int(pk), str(pathway), int(position)) for pk, pathway, position in found]

    def count(self) -> int:
        return len(self._rows)

    def rows(self) -> list[tuple[int, str, int]]:
        """Every (person id, pathway, position), in order: what the run's waiting lists will hold."""
        return self._rows

    def __getitem__(self, window: slice) -> list[WaitingPlace]:
        """One page, as places (not saved) that the waiting list's template reads."""
        found = self._rows[window]
        people = Combatant.objects.select_related("region", "movement").in_bulk([pk for pk, _p, _n in found])
        return [WaitingPlace(combatant=people[pk], pathway=p, position=n) for pk, p, n in found]

    def by_pathway(self) -> list[dict[str, Any]]:
        """Per quota pathway: how many would wait, how many of them wait there already, and how many
        waiting there today would not. Two queries."""
        places = WaitingPlace._meta.db_table
        found = self._query(
            "w.pathway, COUNT(*), COUNT(p.combatant_id)",
            join=f'LEFT JOIN "{places}" p ON p.combatant_id = w.id AND p.pathway = w.pathway',
            tail="GROUP BY w.pathway",
        )
        predicted = {pathway: (int(n), int(already)) for pathway, n, already in found}
        today = dict(WaitingPlace.objects.values_list("pathway").annotate(n=Count("pk")).order_by())
        labels = dict(Pathway.choices)
        table = []
        for pathway in sorted(set(quota_pathways(self.ruleset)) | set(predicted) | set(today)):
            waiting, already = predicted.get(pathway, (0, 0))
            table.append(
                {
                    "pathway": pathway,
                    "label": labels.get(pathway, pathway),
                    "waiting": waiting,
                    "newly": waiting - already,
                    "leaving": today.get(pathway, 0) - already,
                    "quota": (self.ruleset.quotas or {}).get(pathway) or {},
                }
            )
        return table


def what_if_waiting(
    ruleset: RuleSet, *, pathway: str | None = None, visible: QuerySet[Combatant] | None = None
) -> PredictedWaiting:
    """Who would wait for a place if `ruleset` were activated (see `PredictedWaiting`)."""
    return PredictedWaiting(ruleset, pathway, visible)


def decided_by(person: Combatant) -> RuleSet | None:
    """The rule set behind a person's decision. A run writes only the decisions it changes, so
    `pathway_ruleset` names the rule set that last changed it; the rule set in force stands
    behind it instead when it gives the same decision (its run confirmed it, or will)."""
    return _decision(person)[0]


def explain(person: Combatant) -> Decision | None:
    """The decision for one person, with its reason and the rule set that gives it (`decided_by`;
    the one in force for a person no rule set has decided yet), in Python."""
    return _decision(person)[1]


def _decision(person: Combatant) -> tuple[RuleSet | None, Decision | None]:
    on = timezone.localdate()
    stamped = person.pathway_ruleset if person.pathway_ruleset_id else None
    # The rules in force no longer decide for people engaged on a pathway: theirs stands.
    if stamped is None or person.status in DECIDABLE:
        active = active_ruleset(on)
        if active is not None and active != stamped:
            decision = decide(person, Rules.of(active), on)
            if stamped is None:
                return None, decision  # never decided: what the rules in force would say
            if (decision.pathway, decision.reason) == (person.pathway, person.pathway_reason):
                return active, decision
    if stamped is None:
        return None, None
    return stamped, decide(person, Rules.of(stamped), on)


