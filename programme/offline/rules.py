"""Pure rules of the sync: which fields are versioned, how versions follow the values, and how an
update merges field by field. Data in, result out, no database."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The person's own fields a device holds and may send back (`versions` keys).
SYNCED_FIELDS = (
    "family_name",
    "given_name",
    "also_known_as",
    "sex",
    "birth_date",
    "birth_year",
    "birth_year_approximate",
    "place_of_birth",
    "commune",
    "rank_in_movement",
    "biometric_ref",
    "photo",
    "region",
    "movement",
    "category",
    "status",
)
# What an `update` may change; the rest changes only through its own step (screening, a
# transition, a check-in), never as a plain value.
WRITABLE = frozenset(SYNCED_FIELDS) - {"region", "movement", "category", "status"}
# National staff may also move a person to another region or movement; a regional officer
# would move them out of their own scope.
WRITABLE_NATIONALLY = WRITABLE | {"region", "movement"}

FUTURE_TOLERANCE = dt.timedelta(minutes=10)  # a device's clock ahead of the server's, at most


def as_json(value: Any) -> Any:
    """A field's value as the versions compare and the conflicts keep it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def digest(operation: Mapping[str, Any]) -> str:
    """The operation's fingerprint: an op_id sent again with other content is refused."""
    return hashlib.sha256(json.dumps(operation, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Versions:
    versions: dict[str, int]
    seen: dict[str, Any]
    origin: dict[str, list[int]]
    changed: bool = False


def reconcile(versions: Mapping[str, int], seen: Mapping[str, Any], origin: Mapping[str, Any],
              current: Mapping[str, Any]) -> Versions:  # fmt: skip
    """Versions after comparing the person's current values with those last seen: each field whose
    value moved is one version further, and no longer the sync's own change."""
    result = Versions(dict(versions), dict(seen), dict(origin))
    for name, value in current.items():
        if name not in seen:
            result.seen[name] = value
            result.versions.setdefault(name, 0)
            result.changed = True
        elif seen[name] != value:
            result.seen[name] = value
            result.versions[name] = result.versions.get(name, 0) + 1
            result.origin.pop(name, None)
            result.changed = True
    return result


@dataclass(frozen=True)
class Merge:
    apply: dict[str, Any] = field(default_factory=dict)
    conflicts: dict[str, Any] = field(default_factory=dict)  # field: the device's value
    unchanged: tuple[str, ...] = ()


def merge(changes: Mapping[str, Any], base: Mapping[str, int], state: Versions, device: int) -> Merge:
    """Field by field: a field nobody changed since the device's base version is applied; one
    changed on the server since is a conflict, unless the server already holds the device's value
    or the change since was this device's own (an earlier operation of the same batch)."""
    apply, conflicts, unchanged = {}, {}, []
    for name, value in changes.items():
        since = state.versions.get(name, 0)
        based_on = base.get(name, 0)
        own = state.origin.get(name)
        if state.seen.get(name) == value:
            unchanged.append(name)
        elif since <= based_on or (own and own[0] == device and own[1] <= based_on):
            apply[name] = value
        else:
            conflicts[name] = value
    return Merge(apply, conflicts, tuple(unchanged))


def bumped(state: Versions, values: Mapping[str, Any], device: int, base: Mapping[str, int]) -> Versions:
    """Versions after the sync applied `values` itself (the new values seen, the device noted)."""
    result = Versions(dict(state.versions), dict(state.seen), dict(state.origin), True)
    for name, value in values.items():
        result.origin[name] = [device, base.get(name, 0)]
        result.versions[name] = result.versions.get(name, 0) + 1
        result.seen[name] = value
    return result


def forbidden_fields(fields: Iterable[str], *, national: bool) -> list[str]:
    """The fields of `fields` the role may not write through an update."""
    allowed = WRITABLE_NATIONALLY if national else WRITABLE
    return sorted(set(fields) - allowed)
