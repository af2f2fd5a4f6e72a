"""Appeals: read-only queries. What an appeal freezes while open (payments, a pathway), the
decisions a person may contest, their appeals for the person's page, timeline and subject access,
and the analysts' figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser
from accounts.permissions import has_role
from core.audit import Change, HistoryEntry
from core.suppression import Base, for_analyst
from ddr.accountability.appeals import rules
from ddr.accountability.appeals.models import NATIONAL, Appeal
from ddr.registration.models import Combatant, Pathway

K = Appeal.Kind

# Who files an appeal (a regional officer in their region); who schedules and decides it (national
# staff, and child protection for the children only they see).
FILE_ROLES = frozenset({"commission_officer", "regional_officer", "child_protection", "administrator"})
DECIDE_ROLES = frozenset({"commission_officer", "administrator", "child_protection"})
LIST_ROLES = NATIONAL


def appeals_for(user: AnyUser) -> QuerySet[Appeal]:
    """Appeals `user` may see, with what a list or a page shows of each."""
    return Appeal.objects.for_user(user).select_related(
        "combatant", "movement", "region", "submitted_list", "decided_by", "filed_by"
    )


# --- what an open appeal freezes ----------------------------------------------------------


def payment_held_people() -> QuerySet[Combatant, Any]:
    """The people whose payments an open appeal holds: the appellant of a contested pathway or
    merge, and both records of a contested merge (who is paid is in question). As a subquery of ids."""
    holding = Appeal.objects.filter(status__in=Appeal.OPEN, kind__in=rules.HOLDS_PAYMENT)
    merges = holding.filter(kind=K.MERGE)
    return Combatant.objects.filter(
        Q(pk__in=holding.values("combatant"))
        | Q(pk__in=merges.values("merge__kept"))
        | Q(pk__in=merges.values("merge__absorbed"))
    ).values("pk")


def payment_held(person_id: int) -> bool:
    return payment_held_people().filter(pk=person_id).exists()


def pathway_frozen_people() -> QuerySet[Appeal, Any]:
    """Ids of the people whose pathway an open appeal contests: no recompute moves it meanwhile."""
    return Appeal.objects.filter(kind=K.ELIGIBILITY, status__in=Appeal.OPEN, combatant__isnull=False).values(
        "combatant_id"
    )


def pathway_frozen_sql() -> tuple[str, list[Any]]:
    """The same as SQL, for the set-based recompute: `"id" NOT IN (<this>)`."""
    sql, params = (
        Appeal.objects.filter(kind=K.ELIGIBILITY, status__in=Appeal.OPEN, combatant__isnull=False)
        .values("combatant_id")
        .query.sql_with_params()
    )
    return sql, list(params)


def open_appeal_on(**decision: Any) -> Appeal | None:
    """The open appeal against this decision (`merge=`, `submitted_list=`...), if any."""
    return Appeal.objects.filter(status__in=Appeal.OPEN, **decision).first()


# --- what a person may contest -----------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    key: str  # "<kind>:<id>", what the form posts
    kind: str
    label: str


def decisions_of(person: Combatant, appeals: list[Appeal]) -> list[Decision]:
    """The person's decisions that may be contested now (none already under an open appeal): their
    pathway, final medical results, age assessments, assigned ranks and merges. One query."""
    from ddr.duplicates.models import Merge
    from ddr.screening.models import AgeAssessment, MedicalExam
    from integration.models import Candidate

    text: Any = CharField()
    medical = MedicalExam.objects.filter(combatant=person, final=True).values_list(
        Value("medical", output_field=text), "pk", Cast("examined_on", text), "result"
    )
    ages = AgeAssessment.objects.filter(combatant=person).values_list(
        Value("age", output_field=text), "pk", Cast("assessed_on", text), Cast("assessed_age", text)
    )
    ranks = Candidate.objects.filter(combatant=person, status=Candidate.Status.ASSIGNED).values_list(
        Value("rank", output_field=text), "pk", Coalesce(Cast("training_end", text), Value("")), "army_rank"
    )
    merges = Merge.objects.filter(Q(kept=person) | Q(absorbed=person), undone_at__isnull=True).values_list(
        Value("merge", output_field=text), "pk", Cast("merged_at", text), F("absorbed__registration_number")
    )
    # Default orderings off: a compound statement orders only as a whole (sorted below).
    parts = [q.order_by() for q in (medical, ages, ranks, merges)]
    rows = list(parts[0].union(*parts[1:], all=True))
    taken = {(a.kind, a_decision_id(a)) for a in appeals if a.is_open}
    found: list[Decision] = []
    if person.pathway and (K.ELIGIBILITY, person.pk) not in taken:
        found.append(
            Decision(
                f"eligibility:{person.pk}",
                K.ELIGIBILITY,
                _("Pathway: %(p)s") % {"p": person.get_pathway_display()},
            )
        )
    for kind, pk, day, value in sorted(rows, key=lambda r: (r[0], r[2] or "")):
        if (kind, pk) in taken:
            continue
        day = (day or "")[:10]
        found.append(Decision(f"{kind}:{pk}", kind, f"{K(kind).label}: {value_label(kind, value)} ({day})"))
    return found


def a_decision_id(appeal: Appeal) -> int | None:
    field = Appeal.DECISION_FIELDS[K(appeal.kind)]
    decision_id: int | None = getattr(appeal, f"{field}_id")
    return decision_id


def value_label(kind: str, value: str) -> str:
    """A decision's value as read (a medical result's label, a pathway's...)."""
    from ddr.lists.models import SubmittedList
    from ddr.screening.models import MedicalExam

    choices: dict[str, Any] = {
        K.MEDICAL: MedicalExam.Result,
        K.ELIGIBILITY: Pathway,
        K.LIST_STATUS: SubmittedList.Status,
    }
    if kind in choices and value in choices[kind].values:
        return str(choices[kind](value).label)
    if kind == K.AGE and value:
        return _("%(age)s years") % {"age": value}
    if kind == K.MERGE and value:
        return _("merged with %(number)s") % {"number": value}
    return value


# --- the person's page -------------------------------------------------------------------


def _when(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def timeline(appeals: list[Appeal]) -> list[tuple[HistoryEntry, list[Change]]]:
    """The appeals as entries of the case timeline: filed, then decided (or withdrawn)."""
    field = str(_("Appeal"))
    entries: list[tuple[HistoryEntry, list[Change]]] = []
    for appeal in appeals:
        what = f"{field} ({appeal.get_kind_display()})"
        filed = Change(what, value_label(appeal.kind, appeal.contested_value), str(_("Filed")), "appeal")
        entries.append(
            (HistoryEntry(_when(appeal.filed_on), str(appeal.filed_by), "+", "", (filed,)), [filed])
        )
        if appeal.decided_on and appeal.status in rules.OUTCOMES or appeal.status == rules.WITHDRAWN:
            after = appeal.get_status_display()
            if appeal.status == rules.OVERTURNED:
                after = f"{after}: {value_label(appeal.kind, appeal.new_value)}"
            end = Change(what, str(_("Filed")), after, "appeal")
            when = _when(appeal.decided_on) if appeal.decided_on else appeal.filed_at
            who = str(appeal.decided_by) if appeal.decided_by else ""
            entries.append((HistoryEntry(when, who, "~", appeal.reasons[:100], (end,)), [end]))
    return entries


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of appeals: theirs (two queries: the appeals, the decisions)."""
    from ddr.accountability.appeals.forms import AppealForm

    if not has_role(user, FILE_ROLES):
        return {}
    appeals = list(
        appeals_for(user)
        .filter(Q(combatant=person) | Q(merge__kept=person) | Q(merge__absorbed=person))
        .distinct()
    )
    decisions = decisions_of(person, appeals)
    return {
        "appeals": appeals,
        "appeal_timeline": timeline(appeals),
        "appeal_form": AppealForm(decisions=decisions, initial={"filed_on": timezone.localdate()}),
        "appeal_decisions": decisions,
    }


def subject_access(person: Combatant) -> list[dict[str, Any]]:
    """The person's appeals, with outcome and reasons, for their subject-access export."""
    rows = Appeal.objects.filter(combatant=person).select_related("decided_by").order_by("filed_on", "pk")
    return [
        {
            "id": a.pk,
            "decision": a.get_kind_display(),
            "decision_contested": value_label(a.kind, a.contested_value),
            "grounds": a.grounds,
            "filed_on": a.filed_on.isoformat(),
            "deciding_body": a.deciding_body,
            "hearing_on": a.hearing_on.isoformat() if a.hearing_on else None,
            "status": a.get_status_display(),
            "decided_on": a.decided_on.isoformat() if a.decided_on else None,
            "reasons": a.reasons,
            "new_decision": value_label(a.kind, a.new_value) if a.new_value else "",
        }
        for a in rows
    ]


# --- figures ------------------------------------------------------------------------------


def figures(user: AnyUser) -> dict[str, Any]:
    """Appeals by decision type, outcome and region. Analysts read them through suppression (cells
    below 5 dropped before anything is summed; a child's appeal counted only in cells of 5 or more
    like any other); everyone else exactly, over the appeals they may see."""
    analyst = for_analyst(user)
    rows = Appeal.objects.all() if analyst else Appeal.objects.for_user(user)
    counts = rows.values_list("kind", "status", Coalesce("region__code", Value(""))).annotate(n=Count("id"))
    base = Base(
        ("kind", "status", "region"),
        ((tuple(key), n) for *key, n in counts.order_by()),
        exact=not analyst,
    )
    kinds, statuses = dict(K.choices), dict(Appeal.Status.choices)
    return {
        "suppressed": analyst,
        "total": base.total(),
        "by_kind": [
            {"kind": k, "label": str(kinds[k]), "count": n}
            for (k,), n in sorted(base.margin("kind").items())
            if n
        ],
        "by_outcome": [
            {"status": s, "label": str(statuses[s]), "count": n}
            for (s,), n in sorted(base.margin("status").items())
            if n
        ],
        "by_region": [
            {"region": r or None, "count": n} for (r,), n in sorted(base.margin("region").items()) if n
        ],
        "by_kind_and_outcome": [
            {"kind": k, "status": s, "count": n}
            for (k, s), n in sorted(base.margin("kind", "status").items())
            if n
        ],
    }


def list_context(submitted: Any, user: AnyUser) -> dict[str, Any]:
    """What a list's page shows of appeals: the movement's against its status, and the form to
    file one (national staff). One query."""
    from ddr.accountability.appeals.forms import ListAppealForm

    if not has_role(user, FILE_ROLES):
        return {}
    appeals = list(appeals_for(user).filter(submitted_list=submitted))
    may_file = has_role(user, LIST_ROLES) and not any(a.is_open for a in appeals)
    return {
        "list_appeals": appeals,
        "list_appeal_form": ListAppealForm(initial={"filed_on": timezone.localdate()}) if may_file else None,
    }
