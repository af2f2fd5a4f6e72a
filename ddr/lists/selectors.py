"""Duplicate detection on the register: the job that finds pairs, the review decisions, merges
that can be undone, and the integrity of each list. Matching itself is `ddr.duplicates`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from ddr.duplicates.models import DuplicatePair
from ddr.lists import commit
from ddr.lists.models import ListEntry, SubmittedList
from ddr.lists.parse import ParsedRow
from ddr.registration.models import Category, Combatant, DeclaredWeapon
from ddr.screening.services import documents_issued_just_before_registration

S = Combatant.Status


def list_integrity(lists: QuerySet[SubmittedList]) -> dict[str, Any]:
    """For the people of these lists: how many are probable duplicates inside them, already on
    another list, on another movement's list; weapons declared twice; documents issued just
    before registration; people under 18 by any source. Counts, and shares of the people."""
    entries = ListEntry.objects.filter(submitted_list__in=lists)
    people_ids = set(entries.values_list("combatant_id", flat=True))
    total = len(people_ids)
    movements = set(lists.values_list("movement_id", flat=True))
    pairs = DuplicatePair.objects.exclude(status="different").touching(people_ids)
    inside, elsewhere = set(), set()
    for first, second in pairs.values_list("first_id", "second_id"):
        if first in people_ids and second in people_ids:
            inside |= {first, second}
        else:
            elsewhere |= {first, second} & people_ids
    other_lists = ListEntry.objects.filter(combatant__in=people_ids).exclude(submitted_list__in=lists)
    elsewhere |= set(other_lists.values_list("combatant_id", flat=True))
    other_movement = set(
        other_lists.exclude(submitted_list__movement__in=movements).values_list("combatant_id", flat=True)
    )
    serials = DeclaredWeapon.objects.filter(combatant__in=people_ids).exclude(serial_number="")
    twice = (
        DeclaredWeapon.objects.filter(serial_number__in=serials.values("serial_number"))
        .values("serial_number")
        .annotate(holders=Count("combatant", distinct=True))
        .filter(holders__gt=1)
        .count()
    )
    flagged = documents_issued_just_before_registration(settings.DDR_DOCUMENT_FLAG_DAYS).filter(
        combatant__in=people_ids
    )
    people = Combatant.objects.filter(pk__in=people_ids)
    minors = people.filter(
        Q(category=Category.CHILD) | Q(status=S.REFERRED) | Q(birth_year__gt=timezone.localdate().year - 18)
    )
    counts = {
        "people": total,
        "duplicates_inside": len(inside),
        "registered_elsewhere": len(elsewhere),
        "other_movement": len(other_movement),
        "weapons_declared_twice": twice,
        "documents_just_before": flagged.values("combatant").distinct().count(),
        "under_18": minors.count(),
    }
    shares = {
        k: (v / total if total else 0.0)
        for k, v in counts.items()
        if k not in ("people", "weapons_declared_twice")
    }
    return {"counts": counts, "shares": shares}


def _snapshot(values: dict[str, Any]) -> dict[str, str]:
    return {
        "family_name": values["family_name"],
        "given_name": values["given_name"],
        "sex": values["sex"],
        "birth": str(values.get("birth_date") or values.get("birth_year") or ""),
        "region": values["region_code"],
        "category": values.get("category") or "",
        "rank": values.get("rank") or "",
    }


def version_diff(
    previous: SubmittedList, rows: list[ParsedRow], *, user: User, sample: int = 100
) -> dict[str, Any]:
    """What a new version changes against the previous one: added, removed and changed people,
    as `user` may see them. A person of the previous version the user may not see (a child, for
    anyone but child protection) is never described: not removed, not changed, no name, sex, birth
    or region. A row that finds such a person is only counted, with its line in the user's own
    file, because it will be linked to that record at commit (never re-registered as somebody new,
    which would process a child as an adult)."""
    old, hidden = _previous_people(previous, user)
    new = {r.key: _snapshot(r.values) for r in rows}
    lines = {r.key: r.line for r in rows}
    # A row that becomes a child's record is counted, never named: the preview stays readable by
    # every importer (and after the commit) while the child's record is child protection's only.
    today = timezone.localdate()
    unnamed = {r.key for r in rows if commit.is_child_row(r.values, today=today)}
    hidden_lines = sorted(lines[k] for k in new if k in hidden)
    added = [k for k in new if k not in old and k not in hidden]
    removed = [k for k in old if k not in new]
    changed = _changed(old, new)
    return {
        "previous": str(previous),
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed),
        "not_visible": len(hidden_lines),
        "not_visible_lines": hidden_lines[:sample],
        "added_sample": [new[k] for k in added if k not in unnamed][:sample],
        "removed_sample": [old[k] for k in removed[:sample]],
        "changed_sample": sorted(
            (c for c in changed if c["key"] not in unnamed), key=lambda c: str(c["name"])
        )[:sample],
    }


def _previous_people(previous: SubmittedList, user: User) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """The people of the previous version by key, as snapshots with their record (`person`), and
    the keys of those `user` may not see (described nowhere)."""
    on_previous = commit.people_on(previous)
    visible = set(
        Combatant.objects.for_user(user)
        .filter(pk__in=[c.pk for c in on_previous.values()])
        .values_list("pk", flat=True)
    )
    old: dict[str, dict[str, Any]] = {}
    hidden: set[str] = set()
    for key, c in on_previous.items():
        if c.pk not in visible:
            hidden.add(key)
            continue
        old[key] = _snapshot(
            {
                "family_name": c.family_name,
                "given_name": c.given_name,
                "sex": c.sex,
                "birth_date": c.birth_date,
                "birth_year": c.birth_year,
                "region_code": c.region.code,
                "category": c.category,
                "rank": c.rank_in_movement,
            }
        ) | {"person": c.pk}
    return old, hidden


def _changed(old: dict[str, dict[str, Any]], new: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """People on both versions whose details differ: each changed field as [before, after] (a value
    left empty in the new version is not a change)."""
    changed: list[dict[str, Any]] = []
    for key in new.keys() & old.keys():
        fields = {
            f: [old[key][f], new[key][f]] for f in new[key] if old[key][f] != new[key][f] and new[key][f]
        }
        if fields:
            changed.append(
                {
                    "key": key,
                    "person": old[key]["person"],
                    "name": f"{new[key]['family_name']} {new[key]['given_name']}",
                    "fields": fields,
                }
            )
    return changed




def import_outcome(submitted: SubmittedList) -> dict[str, int]:
    """What an import wrote, for the page that says "Imported": its lines, and those that became a
    child's record (counted, never shown: only child protection reads them)."""
    entries = ListEntry.objects.filter(submitted_list=submitted)
    counts = entries.aggregate(
        lines=Count("id"),
        children=Count("id", filter=Q(combatant__category=Category.CHILD)),
    )
    return {"lines": counts["lines"], "children": counts["children"]}
