"""Pathway services: activating a rule set, recomputing every decision set-based, the what-if
of a draft, quotas and waiting lists, and the transitions of each person's case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ddr.eligibility.models import RuleSet
from ddr.eligibility.rules import Rules, decide, pathway_case
from ddr.registration.models import Combatant, Pathway

S = Combatant.Status
# Rules decide for people not yet engaged on a pathway; later changes go through transitions.
DECIDABLE = (S.PRE_REGISTERED, S.REGISTERED, S.SCREENED, S.ORIENTED)
# People holding a place in a pathway's quota: engaged on it, not gone.
GONE = (S.REFERRED, S.EXCLUDED, S.WITHDRAWN, S.DECEASED, S.DESERTED, S.MERGED)



def quota_use(pathway: str, region_code: str | None = None) -> int:
    """People engaged on a pathway (beyond orientation, not gone): places already taken."""
    qs = Combatant.objects.filter(pathway=pathway).exclude(status__in=(*DECIDABLE, *GONE))
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs.count()


def superseded_by(ruleset: RuleSet) -> QuerySet[RuleSet]:
    """The rule set in force that `ruleset` replaces: active, open-ended, started before it.
    Activating `ruleset` closes that one's period at its start; any other overlap is refused."""
    return RuleSet.objects.filter(
        status=RuleSet.Status.ACTIVE, effective_to__isnull=True, effective_from__lt=ruleset.effective_from
    ).exclude(pk=ruleset.pk)


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


def what_if(ruleset: RuleSet) -> dict[str, Any]:
    """What activating `ruleset` would change, before it is activated: one grouped query."""
    pathway, reason = pathway_case(Rules.of(ruleset), timezone.localdate())
    rows = (
        decidable()
        .annotate(new_pathway=pathway)
        .exclude(pathway=pathway)  # the same CASE compared in SQL: only changes are grouped
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
    return {
        "changes": sum(transitions.values()),
        "people": decidable().count(),
        "transitions": sorted(
            ((labels.get(a, a), labels.get(b, b), a, b, n) for (a, b), n in transitions.items()),
            key=lambda t: -t[4],
        ),
        "by_region": sorted(by_region.items(), key=lambda t: -t[1]),
        "by_movement": sorted(by_movement.items(), key=lambda t: -t[1]),
    }


def what_if_people(ruleset: RuleSet, *, from_pathway: str, to_pathway: str) -> QuerySet[Combatant]:
    """The people behind one line of the what-if, to inspect."""
    pathway, _reason = pathway_case(Rules.of(ruleset), timezone.localdate())
    return (
        decidable()
        .annotate(new_pathway=pathway)
        .filter(pathway=from_pathway, new_pathway=to_pathway)
        .select_related("region", "movement")
        .order_by("family_name", "given_name", "pk")
    )


def explain(person: Combatant) -> Any:
    """The decision the active rule set makes for one person, with its reason, in Python."""
    ruleset = person.pathway_ruleset or active_ruleset()
    return decide(person, Rules.of(ruleset), timezone.localdate()) if ruleset else None


