"""Every write of offline work: devices, the operations they send (each through the same service
as the browser), acknowledgements, and the decision on a conflict. Audited, atomic per operation.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import datetime as dt
import io
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.signals import pre_create_historical_record

from accounts.models import Role, User
from accounts.permissions import REGISTER_ROLES, REINTEGRATION_ROLES
from cantonment.sites import services as sites
from cantonment.sites.models import Site
from cantonment.weapons import services as weapons
from cantonment.weapons.models import StorageLocation, WamItem
from core.audit import reason_template, save_audited
from core.errors import Refused
from core.models import Region
from core.uploads import megabytes
from ddr.accountability.consent import services as consent
from ddr.duplicates.models import DuplicatePair, MatchingSettings
from ddr.duplicates.rules import pair_score
from ddr.duplicates.services import register_people
from ddr.lists.models import ArmedGroup
from ddr.registration import services as registration
from ddr.registration.forms import PHOTO_FORMATS
from ddr.registration.models import Category, Combatant, DeclaredWeapon, IdentityDocument
from ddr.reintegration.packages.models import Entitlement
from ddr.reintegration.payments import services as payments
from ddr.screening import services as screening
from ddr.screening.models import MedicalExam, WatchlistEntry
from programme.offline import rules
from programme.offline.models import Device, PersonSyncState, SyncConflict, SyncOperation

log = logging.getLogger("ddr.offline")

# People whose record no longer takes changes from the field.
CLOSED: dict[str, str] = {
    Combatant.Status.MERGED: gettext_noop("merged into another record"),
    Combatant.Status.EXCLUDED: gettext_noop("excluded"),
    Combatant.Status.WITHDRAWN: gettext_noop("withdrawn"),
    Combatant.Status.DECEASED: gettext_noop("deceased"),
    Combatant.Status.DESERTED: gettext_noop("deserted"),
}
KINDS = ("register", "update", "age_assessment", "medical", "check_in", "check_out", "weapon_handin",
         "distribution")  # fmt: skip
# What child protection does from the field: their children's records, nothing else.
CHILD_PROTECTION_KINDS = frozenset({"update"})


class OfflineRefused(Refused):
    """An operation or a decision cannot be made; the message says why. Nothing was changed."""


class DeviceRefused(Refused):
    """The device is revoked, unknown, or not the user's: it must wipe itself (the API answers
    403 `{"revoked": true}` rather than the usual 400)."""

    field = "device"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def lock_after_days() -> int:
    return int(getattr(settings, "DDR_OFFLINE_LOCK_DAYS", 7))


# --- audit: each change an operation makes names it ----------------------------------------

_current: contextvars.ContextVar[str] = contextvars.ContextVar("offline_operation", default="")


@contextmanager
def _stamped(reason: str) -> Iterator[None]:
    token = _current.set(reason)
    try:
        yield
    finally:
        _current.reset(token)


# The audit rows of an operation: the service's own reason, and when it was made on the device and
# when it arrived (shown translated on every history tab: core.audit.reason_label).
OFFLINE = reason_template(gettext_noop("offline, made %(made)s, received %(received)s"))
OFFLINE_WITH_REASON = reason_template(
    gettext_noop("%(reason)s (offline, made %(made)s, received %(received)s)")
)

CONFLICT_DECIDED = reason_template(gettext_noop("sync conflict %(n)s decided"))


@receiver(pre_create_historical_record)
def _stamp_history(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """Every audit row written while an operation is applied says so (an audit annotation, no rule)."""
    stamp = _current.get()
    if stamp:
        made, received = stamp.split("|")
        own = history_instance.history_change_reason
        values = {"reason": own, "made": made, "received": received}
        history_instance.history_change_reason = (OFFLINE_WITH_REASON if own else OFFLINE) % values


# --- devices ------------------------------------------------------------------------------


@transaction.atomic
def device_register(*, device_id: uuid.UUID, name: str, by: User) -> tuple[Device, bool]:
    """The device of `by`, registered now or before. Another user's or a revoked one is refused."""
    device = Device.objects.select_for_update().filter(device_id=device_id).first()
    if device is None:
        device = Device(device_id=device_id, name=name.strip()[:120], user=by)
        device._history_user = by  # type: ignore[attr-defined]
        device.save()
        return device, True
    device_check(device, by)
    return device, False


def device_for(device_id: Any, user: User) -> Device:
    device = Device.objects.filter(device_id=device_id).first()
    if device is None:
        log.warning("offline: unknown device %s of user %s", device_id, user.pk)
        raise DeviceRefused(_("This device is not registered: it must be registered again."))
    device_check(device, user)
    return device


def device_check(device: Device, user: User) -> None:
    if device.user_id != user.pk:
        log.warning(
            "offline: device %s of user %s used by user %s", device.device_id, device.user_id, user.pk
        )
        raise DeviceRefused(_("This device belongs to another user."))
    if device.revoked:
        log.warning("offline: revoked device %s used by user %s", device.device_id, user.pk)
        raise DeviceRefused(_("This device was revoked by an administrator: its data is wiped."))


@transaction.atomic
def device_revoke(*, device: Device, by: User) -> Device:
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.revoked:
        raise OfflineRefused(_("This device is already revoked."))
    device.revoked_at, device.revoked_by = timezone.now(), by
    save_audited(device, by, ["revoked_at", "revoked_by"], gettext_noop("device revoked"))
    return device


# --- field versions -------------------------------------------------------------------------


def current_values(person: Combatant | Mapping[str, Any]) -> dict[str, Any]:
    """The synced fields of a person (an instance, or a `values()` row of attnames) as JSON."""
    out = {}
    for name in rules.SYNCED_FIELDS:
        attname = f"{name}_id" if name in ("region", "movement") else name
        value = person[attname] if isinstance(person, Mapping) else getattr(person, attname)
        out[name] = rules.as_json(value)
    return out


def _state(person: Combatant) -> tuple[PersonSyncState, rules.Versions]:
    """The person's versions, locked, brought up to date with their current values."""
    state, _created = PersonSyncState.objects.select_for_update().get_or_create(person_id=person.pk)
    versions = rules.reconcile(state.versions, state.seen, state.origin, current_values(person))
    return state, versions


def _save_state(state: PersonSyncState, versions: rules.Versions) -> None:
    if versions.changed:
        state.versions, state.seen, state.origin = versions.versions, versions.seen, versions.origin
        state.save(update_fields=["versions", "seen", "origin"])


def versions_of(rows: list[dict[str, Any]]) -> dict[int, dict[str, int]]:
    """The versions of many people (`values()` rows with `id`), brought up to date in a few
    statements: those never synced get their first versions, those changed since are bumped."""
    ids = [row["id"] for row in rows]
    states = PersonSyncState.objects.in_bulk(ids)
    new, changed, out = [], [], {}
    for row in rows:
        state = states.get(row["id"])
        if state is None:
            versions = rules.reconcile({}, {}, {}, current_values(row))
        else:
            versions = rules.reconcile(state.versions, state.seen, state.origin, current_values(row))
        out[row["id"]] = versions.versions
        if state is None:
            new.append(PersonSyncState(person_id=row["id"], versions=versions.versions, seen=versions.seen))
        elif versions.changed:
            state.versions, state.seen, state.origin = versions.versions, versions.seen, versions.origin
            changed.append(state)
    # Another snapshot may write the same new rows at once: the first wins, the values agree.
    PersonSyncState.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    PersonSyncState.objects.bulk_update(changed, ["versions", "seen", "origin"], batch_size=2000)
    return out


# --- operations ---------------------------------------------------------------------------


@dataclass
class Result:
    op_id: str
    status: str
    reason: str = ""
    person: int | None = None
    registration_number: str | None = None
    temp_id: str | None = None
    notes: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=lambda: {"applied": [], "conflicts": []})
    versions: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Context:
    device: Device
    by: User
    received_at: dt.datetime
    temp: dict[str, int]  # temp_id: person id, of this device's registrations
    op: Mapping[str, Any] = field(default_factory=dict)
    result: Result = field(default_factory=lambda: Result("", ""))
    made_at: dt.datetime = field(default_factory=timezone.now)
    conflicts: list[SyncConflict] = field(default_factory=list)
    person_id: int | None = None  # the person the operation is about, once found within scope
    # Reference data read once a batch (regions, movements, whether a watch-list is active).
    cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, read: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = read()
        return self.cache[key]


def operations_apply(*, device: Device, by: User, operations: list[dict[str, Any]]) -> list[Result]:
    """Apply a device's operations in order, each on its own: one refused does not stop the others.
    The same operation sent again changes nothing and gets its first result."""
    now = timezone.now()
    op_ids = [op["op_id"] for op in operations]
    known = {op.op_id: op for op in SyncOperation.objects.filter(op_id__in=op_ids)}
    temp_ids = {op["temp_id"] for op in operations if op.get("temp_id")}
    temp = dict(
        SyncOperation.objects.filter(
            device=device, temp_id__in=temp_ids, kind="register", person__isnull=False
        )
        .exclude(status=SyncOperation.Status.REFUSED)
        .values_list("temp_id", "person_id")
    )
    context = _Context(device=device, by=by, received_at=now, temp=temp)
    results = [_one(context, op, known) for op in operations]
    Device.objects.filter(pk=device.pk).update(last_sync_at=now)
    return results


def _one(context: _Context, op: dict[str, Any], known: dict[uuid.UUID, SyncOperation]) -> Result:
    op_id = op["op_id"]
    result = Result(str(op_id), SyncOperation.Status.APPLIED, temp_id=op.get("temp_id") or None)
    fingerprint = rules.digest(op)
    if prior := known.get(op_id):
        return _again(context, prior, fingerprint, result)
    context.op, context.result, context.made_at, context.conflicts = op, result, op["made_at"], []
    context.person_id = None
    try:
        if op["made_at"] > context.received_at + rules.FUTURE_TOLERANCE:
            raise OfflineRefused(
                _("Made at %(made)s, in the future: the device's clock is wrong. Set it and send again.")
                % {"made": timezone.localtime(op["made_at"]).strftime("%Y-%m-%d %H:%M")}
            )
        stamp = "|".join(
            timezone.localtime(at).strftime("%Y-%m-%d %H:%M") for at in (op["made_at"], context.received_at)
        )
        # The operation and its record commit together: the same op_id sent twice at once (two
        # requests of a device that retried) waits on the record's unique index, and the second
        # is rolled back whole, its changes with it.
        with transaction.atomic(), _stamped(stamp):
            HANDLERS[op["kind"]](context)
            known[op_id] = _record(context, op, fingerprint, result)
        return result
    except _ReceivedMeanwhile:
        prior = SyncOperation.objects.get(op_id=op_id)
        known[op_id] = prior
        return _again(context, prior, fingerprint, result)
    except IntegrityError:  # a database rule met by a change made at the same instant
        refusal: Exception = OfflineRefused(
            _("This clashed with a change made at the same moment: send it again.")
        )
    except (Refused, ValidationError) as exc:
        refusal = exc
    except (DatabaseError, OverflowError, ValueError):  # a value too long or out of range for its column
        refusal = OfflineRefused(_("A value is too long or out of range: the operation was not applied."))
    result = Result(result.op_id, SyncOperation.Status.REFUSED, _reason(refusal), temp_id=result.temp_id)
    result.person = op.get("person")
    log.warning(
        "offline: operation %s (%s) of device %s refused: %s",
        op_id,
        op["kind"],
        context.device.pk,
        result.reason,
    )
    try:
        with transaction.atomic():
            known[op_id] = _record(context, op, fingerprint, result)
    except _ReceivedMeanwhile:
        pass
    return result


class _ReceivedMeanwhile(Refused):
    """The op_id was recorded by a concurrent request while this one applied it: caught in `_one`,
    which answers with that request's result (a Refused, so that nothing could make it a 500)."""


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc)


def _again(context: _Context, prior: SyncOperation, fingerprint: str, result: Result) -> Result:
    """An op_id received before: its first result, unless it comes from elsewhere or changed."""
    if prior.device_id != context.device.pk or prior.digest != fingerprint:
        log.warning(
            "offline: operation %s replayed with other content or from device %s",
            prior.op_id,
            context.device.pk,
        )
        result.status = SyncOperation.Status.REFUSED
        result.reason = _("This operation was already received with other content: refused as tampered.")
        return result
    outcome = prior.outcome
    status = "already_applied" if prior.status == SyncOperation.Status.APPLIED else prior.status
    return Result(
        str(prior.op_id),
        status,
        prior.reason,
        prior.person_id,
        outcome.get("registration_number"),
        prior.temp_id or None,
        outcome.get("notes", []),
        outcome.get("fields", {"applied": [], "conflicts": []}),
        outcome.get("versions", {}),
    )


def _record(context: _Context, op: Mapping[str, Any], fingerprint: str, result: Result) -> SyncOperation:
    record = SyncOperation(
        op_id=op["op_id"],
        device=context.device,
        user=context.by,
        kind=op["kind"],
        digest=fingerprint,
        made_at=op["made_at"],
        received_at=context.received_at,
        person_id=context.person_id,
        temp_id=op.get("temp_id") or "",
        status=result.status,
        reason=result.reason,
        outcome={
            "registration_number": result.registration_number,
            "notes": result.notes,
            "fields": result.fields,
            "versions": result.versions,
        },
    )
    record._history_user = context.by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise _ReceivedMeanwhile("already received") from exc
    if result.status == SyncOperation.Status.CONFLICT:
        for conflict in context.conflicts:
            conflict.operation = record
            conflict._history_user = context.by  # type: ignore[attr-defined]
            conflict.save()
    return record


# --- each kind ----------------------------------------------------------------------------


def _may(context: _Context, kind: str) -> None:
    role = context.by.role
    if role == Role.CHILD_PROTECTION and kind in CHILD_PROTECTION_KINDS:
        return
    if role not in REGISTER_ROLES:
        raise OfflineRefused(_("Your role may not record this from a device."))


def _person(context: _Context) -> Combatant:
    person = _person_or_none(context)
    if person is None:
        raise OfflineRefused(_("Say which person this is about."))
    return person


def _person_or_none(context: _Context) -> Combatant | None:
    """The person the operation is about, within the user's scope, still open to changes."""
    op = context.op
    pk = op.get("person")
    if pk is None and op.get("temp_id"):
        pk = context.temp.get(op["temp_id"])
        if pk is None:
            raise OfflineRefused(
                _("No person was registered under the temporary number %(temp)s.") % {"temp": op["temp_id"]}
            )
    if pk is None:
        return None
    context.result.person = pk
    person = Combatant.objects.for_user(context.by).filter(pk=pk).first()
    context.person_id = person.pk if person else None
    if person is None:
        log.warning("offline: person %s outside the scope of user %s", pk, context.by.pk)
        raise OfflineRefused(_("This person is not in your scope (another region, or a child's record)."))
    if person.status in CLOSED:
        raise OfflineRefused(
            _("%(who)s is %(status)s: nothing can be recorded for them any more.")
            % {"who": person.registration_number, "status": _(CLOSED[person.status])}
        )
    context.result.registration_number = person.registration_number
    return person


def _date(data: Mapping[str, Any], name: str, default: dt.date) -> dt.date:
    raw = data.get(name)
    if raw in (None, ""):
        return default
    try:
        parsed = parse_date(str(raw))
    except ValueError:
        parsed = None
    if parsed is None:
        raise OfflineRefused(_("%(field)s: not a date (YYYY-MM-DD).") % {"field": name}, name)
    return parsed


def _int(data: Mapping[str, Any], name: str, default: int | None = None) -> int:
    raw = data.get(name, default)
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise OfflineRefused(_("%(field)s: a whole number is needed.") % {"field": name}, name)
    try:
        return int(raw)
    except ValueError as exc:
        raise OfflineRefused(_("%(field)s: a whole number is needed.") % {"field": name}, name) from exc


def _text(data: Mapping[str, Any], name: str, default: str = "") -> str:
    raw = data.get(name, default)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise OfflineRefused(_("%(field)s: text is needed.") % {"field": name}, name)
    return raw.strip()


def photo_file(encoded: Any) -> ContentFile[bytes]:
    """A photo sent as base64: an image of a camera's format (its content, not its name), within
    `DDR_PHOTO_MAX_BYTES`, as the registration form checks it."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.DDR_PHOTO_MAX_BYTES
    too_large = OfflineRefused(_("The photo is larger than %(mb)s MB.") % {"mb": megabytes(limit)}, "photo")
    if not isinstance(encoded, str):
        raise OfflineRefused(_("The photo must be a JPEG, PNG or WebP image."), "photo")
    if "," in encoded[:100]:  # a data: URL
        encoded = encoded.split(",", 1)[1]
    if len(encoded) > limit * 4 // 3 + 4:
        raise too_large
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise OfflineRefused(_("The photo must be a JPEG, PNG or WebP image."), "photo") from exc
    if len(data) > limit:
        raise too_large
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise OfflineRefused(_("The photo must be a JPEG, PNG or WebP image."), "photo") from exc
    if image_format not in PHOTO_FORMATS:
        raise OfflineRefused(_("The photo must be a JPEG, PNG or WebP image."), "photo")
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    return ContentFile(data, name=f"offline-{uuid.uuid4().hex[:12]}.{extension}")


def _region(code: Any, context: _Context | None = None) -> Region:
    def read() -> Region | None:
        return Region.objects.filter(code=code).first() if isinstance(code, str) else None

    region = context.cached(f"region:{code}", read) if context and isinstance(code, str) else read()
    if region is None:
        raise OfflineRefused(_("Unknown region: %(code)s.") % {"code": code}, "region")
    return region


def _movement(code: Any, context: _Context | None = None) -> ArmedGroup:
    def read() -> ArmedGroup | None:
        return ArmedGroup.objects.filter(code=code).first() if isinstance(code, str) else None

    movement = context.cached(f"movement:{code}", read) if context and isinstance(code, str) else read()
    if movement is None:
        raise OfflineRefused(_("Unknown movement: %(code)s.") % {"code": code}, "movement")
    return movement


PERSON_TEXT = ("family_name", "given_name", "also_known_as", "place_of_birth", "commune",
               "rank_in_movement", "biometric_ref", "registration_place")  # fmt: skip


def _register(context: _Context) -> None:
    _may(context, "register")
    data = context.op.get("data") or {}
    by = context.by
    region = _region(data.get("region"), context)
    if by.role == Role.REGIONAL_OFFICER and region.pk != by.region_id:
        raise OfflineRefused(_("You register people of your own region only."), "region")
    person = Combatant(
        **{name: _text(data, name) for name in PERSON_TEXT},
        sex=_text(data, "sex"),
        birth_date=_date(data, "birth_date", None) if data.get("birth_date") else None,  # type: ignore[arg-type]
        birth_year=_int(data, "birth_year") if data.get("birth_year") not in (None, "") else None,
        birth_year_approximate=bool(data.get("birth_year_approximate", False)),
        region=region,
        movement=_movement(data.get("movement"), context),
        category=_text(data, "category"),
        registered_at=_date(data, "registered_at", timezone.localtime(context.made_at).date()),
    )
    if not person.birth_date and not person.birth_year:
        raise OfflineRefused(_("Give the birth date or at least the (approximate) year."), "birth_year")
    if data.get("photo"):
        person.photo = photo_file(data["photo"])
    documents = [_document(d) for d in _list(data, "documents")]
    declared = [_weapon(w) for w in _list(data, "weapons")]
    for item in [*documents, *declared]:
        item.full_clean(exclude=["combatant"])
    person = registration.combatant_register(person=person, documents=documents, weapons=declared, by=by)
    result = context.result
    result.person, result.registration_number = person.pk, person.registration_number
    context.person_id = person.pk
    if context.op.get("temp_id"):
        context.temp[context.op["temp_id"]] = person.pk
    _screen(context, person)


def _list(data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    items = data.get(name) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise OfflineRefused(_("%(field)s: a list is needed.") % {"field": name}, name)
    return items


def _document(data: Mapping[str, Any]) -> IdentityDocument:
    return IdentityDocument(
        kind=_text(data, "kind"),
        number=_text(data, "number"),
        issued_on=_date(data, "issued_on", None) if data.get("issued_on") else None,  # type: ignore[arg-type]
        issuer=_text(data, "issuer"),
    )


def _weapon(data: Mapping[str, Any]) -> DeclaredWeapon:
    return DeclaredWeapon(
        kind=_text(data, "kind"),
        serial_number=_text(data, "serial_number"),
        calibre=_text(data, "calibre"),
        ammunition=_int(data, "ammunition", 0),
        condition=_text(data, "condition") or DeclaredWeapon.Condition.UNKNOWN,
    )


# Candidates for the duplicate check of one new person: the same names (as typed, or folded) or
# the same biometric reference, through indexed columns. The whole matcher, with every spelling,
# runs over the register on the duplicate search; this one, at once, catches the same person
# registered on two devices or on a device and in Bamako.
MAX_CANDIDATES = 20


def _screen(context: _Context, person: Combatant) -> None:
    """After a registration: the watch-list, a duplicate check; a child is out of sight at once."""
    by = context.by
    if context.cached("watch-list", lambda: WatchlistEntry.objects.filter(active=True).exists()):
        screening.vetting_screen(people=Combatant.objects.filter(pk=person.pk), by=by)
    same = Q(family_name=person.family_name, given_name=person.given_name) | Q(name_key=person.name_key)
    if person.biometric_ref:
        same |= Q(biometric_ref=person.biometric_ref)
    candidates = Combatant.objects.filter(same).exclude(pk=person.pk).exclude(status=Combatant.Status.MERGED)
    others = list(candidates.values_list("pk", flat=True)[:MAX_CANDIDATES])
    found = 0
    # The note says so only for a match the officer may see: one in another region, or a child's
    # record, must not be revealed by it (the pair goes to review all the same).
    if others:
        seen = set(Combatant.objects.for_user(by).filter(pk__in=others).values_list("pk", flat=True))
        people = list(register_people(Combatant.objects.filter(pk__in=[person.pk, *others])))
        mine = next(p for p in people if p.id == person.pk)
        review = MatchingSettings.current().review
        for other in people:
            scored = pair_score(mine, other) if other.id != person.pk else None
            if scored is not None and scored.score >= review:
                first, second = sorted((person.pk, other.id))
                DuplicatePair.objects.get_or_create(
                    first_id=first,
                    second_id=second,
                    defaults={"score": scored.score, "agreed": scored.agreed, "differed": scored.differed},
                )
                found += other.id in seen
    if found:
        context.result.notes.append(_("A possible duplicate was found and sent to review."))
    if person.category == Category.CHILD:
        context.result.notes.append(
            _("Under 18: registered as a child and referred to child protection; the record is theirs now.")
        )


def _update(context: _Context) -> None:
    _may(context, "update")
    person = _person(context)
    data = dict(context.op.get("data") or {})
    if not data:
        raise OfflineRefused(_("Nothing to change."))
    national = context.by.role in (Role.COMMISSION_OFFICER, Role.ADMINISTRATOR)
    if forbidden := rules.forbidden_fields(data, national=national):
        raise OfflineRefused(
            _("Your role may not change these fields from a device: %(fields)s.")
            % {"fields": ", ".join(forbidden)}
        )
    if "photo" in data:  # a new photo replaces the old one, as on the person page: never a conflict
        photo = photo_file(data.pop("photo"))
        person = consent.person_photo_replace(person=person, photo=photo, by=context.by)
        if not data:
            return
    values = _update_values(data)
    base = context.op.get("base_versions") or {}
    state, versions = _state(Combatant.objects.select_for_update().get(pk=person.pk))
    merged = rules.merge({k: rules.as_json(_as_stored(k, v)) for k, v in values.items()}, base, versions,
                         context.device.pk)  # fmt: skip
    if merged.conflicts:  # who changed the server's value: read before this operation's own change
        context.result.status = SyncOperation.Status.CONFLICT
        context.conflicts = _conflicts(context, person, merged.conflicts)
    if merged.apply:
        changes = {name: values[name] for name in merged.apply}
        person = registration.combatant_update(
            person=person, changes=changes, by=context.by, reason="offline update"
        )
        applied = {name: current_values(person)[name] for name in merged.apply}
        versions = rules.bumped(versions, applied, context.device.pk, base)
        # What the change derived (a birth year from a date, a child's separation) is the server's.
        versions = rules.reconcile(versions.versions, versions.seen, versions.origin, current_values(person))
        versions.changed = True
    _save_state(state, versions)
    context.result.fields = {
        "applied": sorted([*merged.apply, *merged.unchanged]),
        "conflicts": sorted(merged.conflicts),
    }
    context.result.versions = versions.versions


def _as_stored(name: str, value: Any) -> Any:
    if name in ("region", "movement"):
        return value.pk
    return value


def _update_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in data.items():
        if name == "region":
            values[name] = _region(raw)
        elif name == "movement":
            values[name] = _movement(raw)
        elif name == "birth_date":
            values[name] = _date(data, name, None) if raw else None  # type: ignore[arg-type]
        elif name == "birth_year":
            values[name] = _int(data, name) if raw not in (None, "") else None
        elif name == "birth_year_approximate":
            values[name] = bool(raw)
        else:
            values[name] = _text(data, name)
    return values


def _conflicts(context: _Context, person: Combatant, fields: Mapping[str, Any]) -> list[SyncConflict]:
    """Both values of each field changed on both sides, with who changed the server's and when
    (the person's latest audit row: one query, whatever the fields)."""
    latest = (
        person.history.order_by("-history_date", "-history_id").only("history_user", "history_date").first()
    )
    current = current_values(person)
    return [
        SyncConflict(
            person=person,
            field=name,
            device_value=value,
            device_by=context.by,
            device_at=context.made_at,
            server_value=current[name],
            server_by_id=latest.history_user_id if latest else None,
            server_at=latest.history_date if latest else None,
        )
        for name, value in fields.items()
    ]


MAX_AGE = 120


def _age(context: _Context) -> None:
    _may(context, "age_assessment")
    person = _person(context)
    data = context.op.get("data") or {}
    age = _int(data, "assessed_age")
    if not 0 < age < MAX_AGE:
        raise OfflineRefused(_("An age in years, from 1 to %(max)s.") % {"max": MAX_AGE - 1}, "assessed_age")
    assessment = screening.age_assess(
        person=person,
        assessed_on=_date(data, "assessed_on", timezone.localtime(context.made_at).date()),
        evidence=_text(data, "evidence"),
        assessed_age=age,
        by=context.by,
    )
    if assessment.decision == assessment.Decision.CHILD:
        context.result.notes.append(
            _("Under 18: registered as a child and referred to child protection; the record is theirs now.")
        )


def _choice(data: Mapping[str, Any], key: str, values: Sequence[str], default: str = "") -> str:
    """A coded value from the device: one of `values`, or refused (never stored as typed)."""
    value = _text(data, key) or default
    if value not in values:
        unknown = _("%(field)s: unknown value “%(value)s”.") % {"field": key, "value": value[:40]}
        raise OfflineRefused(unknown, key)
    return value


def _medical(context: _Context) -> None:
    _may(context, "medical")
    person = _person(context)
    data = context.op.get("data") or {}
    _choice(data, "result", MedicalExam.Result.values)
    screening.medical_record(
        person=person,
        examined_on=_date(data, "examined_on", timezone.localtime(context.made_at).date()),
        examiner=_text(data, "examiner"),
        result=_text(data, "result"),
        final=bool(data.get("final", True)),
        disputed=bool(data.get("disputed", False)),
        note=_text(data, "note"),
        by=context.by,
    )


def _site(context: _Context, data: Mapping[str, Any]) -> Site:
    pk = data.get("site")
    site = Site.objects.for_user(context.by).filter(pk=pk).first() if isinstance(pk, int) else None
    if site is None:
        raise OfflineRefused(_("Unknown site, or a site outside your region."), "site")
    return site


def _check_in(context: _Context) -> None:
    _may(context, "check_in")
    person = _person(context)
    data = context.op.get("data") or {}
    site = _site(context, data)
    sites.check_in(
        person=person,
        site=site,
        on=_date(data, "on", timezone.localtime(context.made_at).date()),
        by=context.by,
    )


def _check_out(context: _Context) -> None:
    _may(context, "check_out")
    person = _person(context)
    data = context.op.get("data") or {}
    stay = person.stays.filter(checked_out_on__isnull=True).first()
    if stay is None:
        raise OfflineRefused(_("%(who)s is on no site.") % {"who": person.registration_number}, "person")
    sites.check_out(
        stay=stay, on=_date(data, "on", timezone.localtime(context.made_at).date()), by=context.by
    )


def _weapon_handin(context: _Context) -> None:
    _may(context, "weapon_handin")
    person = _person_or_none(context)
    data = context.op.get("data") or {}
    site = _site(context, data)
    pk = data.get("location")
    location = (
        StorageLocation.objects.for_user(context.by).filter(pk=pk).first() if isinstance(pk, int) else None
    )
    if location is None:
        raise OfflineRefused(_("Unknown storage location, or one outside your region."), "location")
    _choice(data, "kind", WamItem.Kind.values, "weapon")
    if _text(data, "weapon_type"):
        _choice(data, "weapon_type", DeclaredWeapon.Kind.values)
    _choice(data, "condition", DeclaredWeapon.Condition.values, DeclaredWeapon.Condition.UNKNOWN)
    weapons.hand_in(
        site=site,
        location=location,
        kind=_text(data, "kind") or "weapon",
        received_on=_date(data, "received_on", timezone.localtime(context.made_at).date()),
        custodian=_text(data, "custodian"),
        by=context.by,
        person=person,
        weapon_type=_text(data, "weapon_type"),
        calibre=_text(data, "calibre"),
        serial_number=_text(data, "serial_number"),
        quantity=_int(data, "quantity", 1),
        condition=_text(data, "condition") or DeclaredWeapon.Condition.UNKNOWN,
    )


def _distribution(context: _Context) -> None:
    """An entitlement in kind handed over on the card's token, through the browser's service: the
    card, the holder's scope, an appeal holding it, a hand-over already made are refused there."""
    if context.by.role not in REINTEGRATION_ROLES:
        raise OfflineRefused(_("Your role may not record this from a device."))
    data = context.op.get("data") or {}
    pk = data.get("entitlement")
    entitlement = Entitlement.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if entitlement is None:
        raise OfflineRefused(_("Unknown entitlement."), "entitlement")
    distribution = payments.distribution_record(
        token=_text(data, "token"),
        entitlement=entitlement,
        place=_text(data, "place"),
        confirmation=_text(data, "confirmation"),
        on=_date(data, "on", timezone.localtime(context.made_at).date()),
        by=context.by,
    )
    context.person_id = context.result.person = distribution.combatant_id
    context.result.registration_number = distribution.combatant.registration_number


HANDLERS: dict[str, Callable[[_Context], None]] = {
    "register": _register,
    "update": _update,
    "age_assessment": _age,
    "medical": _medical,
    "check_in": _check_in,
    "check_out": _check_out,
    "weapon_handin": _weapon_handin,
    "distribution": _distribution,
}


# --- refusals and conflicts -----------------------------------------------------------------


def refusals_acknowledge(*, device: Device, op_ids: list[uuid.UUID], by: User) -> int:
    """The device showed these refusals to its officer: they are no longer sent back."""
    acknowledged = 0
    for operation in SyncOperation.objects.filter(
        device=device, op_id__in=op_ids, status=SyncOperation.Status.REFUSED, acknowledged_at__isnull=True
    ):
        operation.acknowledged_at = timezone.now()
        save_audited(operation, by, ["acknowledged_at"], gettext_noop("refusal acknowledged"))
        acknowledged += 1
    return acknowledged


@transaction.atomic
def conflict_resolve(*, conflict: SyncConflict, choice: str, combined: str = "", by: User) -> SyncConflict:
    """Keep the device's value, the server's, or a combined one typed by the reviewer: written
    through the registration service (audited), and the conflict closed."""
    conflict = SyncConflict.objects.select_for_update().select_related("person").get(pk=conflict.pk)
    if conflict.status != SyncConflict.Status.OPEN:
        raise OfflineRefused(_("This conflict was already decided."))
    if choice not in SyncConflict.Choice.values:
        raise OfflineRefused(_("Choose one of the values, or type a combined one."), "choice")
    if choice == SyncConflict.Choice.COMBINED and not combined.strip():
        raise OfflineRefused(_("Type the combined value."), "combined")
    value = {
        SyncConflict.Choice.DEVICE: conflict.device_value,
        SyncConflict.Choice.SERVER: conflict.server_value,
        SyncConflict.Choice.COMBINED: combined.strip(),
    }[SyncConflict.Choice(choice)]
    person = conflict.person
    if conflict.field in ("region", "movement") and str(value).isdecimal():
        # A kept region or movement is stored as its id; the update reads a code.
        model = Region if conflict.field == "region" else ArmedGroup
        value = model.objects.filter(pk=int(value)).values_list("code", flat=True).first() or value
    if choice != SyncConflict.Choice.SERVER:
        stored = _update_values({conflict.field: value})
        if (
            rules.as_json(_as_stored(conflict.field, stored[conflict.field]))
            != current_values(person)[conflict.field]
        ):
            try:
                person = registration.combatant_update(
                    person=person, changes=stored, by=by, reason=CONFLICT_DECIDED % {"n": conflict.pk}
                )
            except ValidationError as exc:
                raise OfflineRefused(_reason(exc), "combined") from exc
    conflict.status, conflict.choice = SyncConflict.Status.RESOLVED, choice
    conflict.resolved_value = current_values(person)[conflict.field]
    conflict.resolved_by, conflict.resolved_at = by, timezone.now()
    save_audited(
        conflict, by, ["status", "choice", "resolved_value", "resolved_by", "resolved_at"], "decided"
    )
    return conflict
