"""Subject access: everything the system holds about one person, gathered section by section, for
a PDF and a machine-readable JSON file (both logged like every export).

Each section is a plain dict, the same shape for every source (and for the hooks below):
    {"key": "documents", "title": "Identity documents", "labels": {field: label}, "items": [{field: value}]}
Values are JSON-ready (codes, ISO dates, strings); a choice field also gives its label as
"<field>_label" for readers. A section a reader cannot see would never be reached: the view has
already opened the person through `Combatant.objects.for_user`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import history_of
from ddr.accountability.appeals import selectors as appeals
from ddr.accountability.consent import rules as R
from ddr.accountability.grievances import selectors as grievances
from ddr.registration.models import Combatant

Section = dict[str, Any]
# A source of sections about one person.
Source = Callable[[Combatant], list[Section]]

# Never in the file: the search key derived from the name (it is the name), and the person
# themself in each of their records.
SKIPPED = {"name_key", "combatant"}


def _value(obj: models.Model, field: Any) -> Any:
    if field.is_relation:
        if field.is_cached(obj):
            related = getattr(obj, field.name)
            return None if related is None else str(related)
        return getattr(obj, field.attname)
    value = getattr(obj, field.attname)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def item(obj: models.Model, skip: Iterable[str] = ()) -> dict[str, Any]:
    """One record as a dict of its fields (choices with their label)."""
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED or field.name in skip:
            continue
        row[field.name] = _value(obj, field)
        if field.choices and row[field.name] not in (None, ""):
            row[f"{field.name}_label"] = str(getattr(obj, f"get_{field.name}_display")())
    return row


def section(key: str, title: str, records: Iterable[models.Model], skip: Iterable[str] = ()) -> Section:
    rows = list(records)
    labels: dict[str, str] = {}
    if rows:
        labels = {
            f.name: str(f.verbose_name)
            for f in rows[0]._meta.concrete_fields
            if f.name not in SKIPPED and f.name not in skip
        }
    return {"key": key, "title": title, "labels": labels, "items": [item(r, skip) for r in rows]}


# --- the sources ------------------------------------------------------------------------------


def record(person: Combatant) -> list[Section]:
    person = Combatant.objects.select_related(
        "region", "movement", "registered_by", "pathway_ruleset", "merged_into"
    ).get(pk=person.pk)
    return [section("record", _("Record"), [person])]


def identity(person: Combatant) -> list[Section]:
    return [
        section("documents", _("Identity documents"), person.documents.all()),
        section("weapons", _("Declared weapons"), person.weapons.all()),
        section("handed_in", _("Weapons and ammunition handed in"), person.handed_in.all()),
        section(
            "lists", _("Lists this person appears on"), person.list_entries.select_related("submitted_list")
        ),
    ]


def screening(person: Combatant) -> list[Section]:
    from ddr.eligibility import selectors as eligibility

    decision = eligibility.explain(person) if person.pathway_ruleset_id else None
    decisions: list[dict[str, Any]] = []
    if decision is not None:
        decisions.append(
            {
                "pathway": decision.pathway,
                "pathway_label": str(
                    dict(Combatant._meta.get_field("pathway").flatchoices).get(decision.pathway, "")
                ),
                "reason": decision.reason,
                "explanation": decision.explanation,
                "ruleset": decision.ruleset,
            }
        )
    from ddr.screening.models import ChildReferral

    referral = ChildReferral.objects.filter(combatant=person)
    return [
        {
            "key": "eligibility",
            "title": _("Eligibility decision, with its reason"),
            "labels": {
                "pathway": _("Pathway"),
                "reason": _("Reason"),
                "explanation": _("Why"),
                "ruleset": _("Rule set"),
            },
            "items": decisions,
        },
        section(
            "age_assessments", _("Age assessments"), person.age_assessments.select_related("assessed_by")
        ),
        section("medical_exams", _("Medical examinations"), person.medical_exams.all()),
        section("child_referral", _("Child-protection referral"), referral),
        # Vetting against lists of grave crimes is not in the file: a match under review would
        # warn its subject (an exemption for investigations); its outcome is on the record.
    ]


def cantonment(person: Combatant) -> list[Section]:
    return [section("stays", _("Stays on cantonment sites"), person.stays.select_related("site"))]


def reintegration(person: Combatant) -> list[Section]:
    from ddr.reintegration.profiles.models import Profile

    return [
        section("choices", _("Choices of pathway"), person.choices.all()),
        section("profile", _("Socio-economic profile"), Profile.objects.filter(combatant=person)),
        section("enrolments", _("Enrolments in packages"), person.enrolments.select_related("package")),
        section("entitlements", _("Entitlements"), person.entitlements.all()),
        section("payments", _("Payments"), person.payment_lines.all()),
        section("distributions", _("Distributions in kind"), person.distributions.all()),
        section("follow_ups", _("Follow-ups"), person.follow_ups.all()),
    ]


def integration(person: Combatant) -> list[Section]:
    return [
        section(
            "integration_candidacies", _("Integration candidacies"), person.integration_candidacies.all()
        ),
        section("unit_memberships", _("Units"), person.unit_memberships.all()),
        section("cvr", _("Community violence reduction projects"), person.cvr_participations.all()),
    ]


def duplicates(person: Combatant) -> list[Section]:
    from ddr.duplicates.models import Merge

    merges = Merge.objects.filter(models.Q(kept=person) | models.Q(absorbed=person))
    return [section("merges", _("Duplicate records merged"), merges)]


def consent(person: Combatant) -> list[Section]:
    from ddr.accountability.consent.models import ConsentRecord, ConsentWithdrawal

    return [
        section(
            "consent_records",
            _("Consent records"),
            ConsentRecord.objects.filter(combatant=person).select_related("text", "read_by", "recorded_by"),
        ),
        section(
            "consent_withdrawals",
            _("Consent withdrawn"),
            ConsentWithdrawal.objects.filter(combatant=person).select_related("recorded_by"),
        ),
        {
            "key": "retained",
            "title": _("Kept whatever is withdrawn, and why"),
            "labels": {"what": _("What"), "basis": _("Basis")},
            "items": [{"what": str(what), "basis": str(basis)} for what, basis in R.RETAINED],
        },
    ]


def history(person: Combatant) -> list[Section]:
    entries = history_of(person, limit=1000)
    return [
        {
            "key": "history",
            "title": _("History of the record"),
            "labels": {
                "when": _("When"),
                "who": _("Who"),
                "action": _("Action"),
                "reason": _("Reason"),
                "changes": _("Changes"),
            },
            "items": [
                {
                    "when": timezone.localtime(e.when).isoformat(),
                    "who": e.who,
                    "action": e.action,
                    "reason": e.reason,
                    "changes": [{"field": c.name, "before": c.before, "after": c.after} for c in e.changes],
                }
                for e in entries
            ],
        }
    ]


# The sections of the file, in order.
SOURCES: list[Source] = [
    record,
    identity,
    screening,
    cantonment,
    reintegration,
    integration,
    duplicates,
    consent,
]


def _listed(key: str, title: str, items: list[dict[str, Any]], labels: dict[str, Any]) -> list[Section]:
    """A section from rows another part already shaped (its labels translated here)."""
    plain = [{k: str(v) if isinstance(v, Promise) else v for k, v in row.items()} for row in items]
    return [{"key": key, "title": title, "labels": labels, "items": plain}]


def grievances_made(person: Combatant) -> list[Section]:
    labels = {
        "reference": _("Reference"),
        "received_on": _("Received on"),
        "channel": _("Channel"),
        "category": _("Category"),
        "status": _("Status"),
        "sensitive": _("Sensitive"),
        "note": _("Note"),
        "about": _("About what"),
        "description": _("Description"),
        "region": _("Region"),
        "answer": _("Answer given"),
        "accepted": _("Accepted"),
        "resolved_on": _("Resolved on"),
        "steps": _("Steps"),
    }
    return _listed("grievances", _("Grievances made"), grievances.subject_access(person), labels)


def appeals_made(person: Combatant) -> list[Section]:
    labels = {
        "id": _("Number"),
        "decision": _("Decision contested"),
        "decision_contested": _("What was decided"),
        "grounds": _("Grounds"),
        "filed_on": _("Filed on"),
        "deciding_body": _("Deciding body"),
        "hearing_on": _("Hearing on"),
        "status": _("Status"),
        "decided_on": _("Decided on"),
        "reasons": _("Reasons"),
        "new_decision": _("New decision"),
    }
    return _listed("appeals", _("Appeals"), appeals.subject_access(person), labels)


# What the person asked of the programme: the grievances they made and their appeals.
ACCOUNTABILITY_SOURCES: list[Source] = [grievances_made, appeals_made]


def sources() -> list[Source]:
    """Every source, the history last."""
    return [*SOURCES, *ACCOUNTABILITY_SOURCES, history]


def subject_access(person: Combatant, by: User) -> dict[str, Any]:
    """Everything held about `person`, as one JSON-ready dict."""
    sections = [s for source in sources() for s in source(person)]
    return {
        "person": {
            "id": person.pk,
            "registration_number": person.registration_number,
            "name": person.full_name,
        },
        "produced_at": timezone.localtime().isoformat(),
        "produced_by": by.get_full_name() or by.username,
        "sections": [
            {**s, "title": str(s["title"]), "labels": {k: str(v) for k, v in s.get("labels", {}).items()}}
            for s in sections
        ],
    }
