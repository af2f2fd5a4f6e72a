"""Devices that work offline, the operations they send, the versions of each person's fields, and
the conflicts a person decides."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet


class Device(models.Model):
    """A laptop, tablet or phone an officer installed the app on: theirs alone, revocable."""

    device_id = models.UUIDField(_("device id"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="devices", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=120)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    last_sync_at = models.DateTimeField(_("last synced at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-last_sync_at", "name"]
        verbose_name = _("offline device")
        verbose_name_plural = _("offline devices")

    def __str__(self) -> str:
        return self.name

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class OperationQuerySet(PersonScopedQuerySet["SyncOperation"]):
    person_fields = ("person",)


class SyncOperation(models.Model):
    """Every operation a device sent, once (its `op_id`), with what came of it: the sync's own log,
    and what makes the same operation sent twice change nothing."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        CONFLICT = "conflict", _("Conflict")
        REFUSED = "refused", _("Refused")

    op_id = models.UUIDField(_("operation id"), unique=True)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="operations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16)
    # SHA-256 of the operation as sent: the same op_id with other content is a tampered replay.
    digest = models.CharField(max_length=64)
    made_at = models.DateTimeField(_("made at"))
    received_at = models.DateTimeField(_("received at"))
    person = models.ForeignKey(
        "ddr.Combatant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    temp_id = models.CharField(_("temporary number"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    # {"notes": [...], "fields": {"applied": [...], "conflicts": [...]}}: sent back as it was.
    outcome = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("synced operation")
        verbose_name_plural = _("synced operations")
        indexes = [
            models.Index(fields=["device", "temp_id"], name="sync_op_temp_id", condition=~Q(temp_id="")),
            models.Index(
                fields=["device"],
                name="sync_op_refusal_open",
                condition=Q(status="refused", acknowledged_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.op_id}"


class StateQuerySet(PersonScopedQuerySet["PersonSyncState"]):
    person_fields = ("person",)


class PersonSyncState(models.Model):
    """The version of each synced field of a person (see `programme.offline.rules.reconcile`).

    Why this shape: one row per person, read and locked with the person, keeps an operation to a
    constant number of queries; and the versions are bumped by comparing the person's current
    values with those last `seen`, at each read by the sync, so that every path that changes a
    person (a form, the admin, a list import's COPY, an eligibility run's single UPDATE, the
    merges) is noticed without a signal on each of them (bulk paths fire none). Derived
    bookkeeping, without its own history: every value it mirrors is in the person's history.
    """

    person = models.OneToOneField(
        "ddr.Combatant", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    versions = models.JSONField(default=dict)  # {field: int}
    seen = models.JSONField(default=dict)  # {field: value as JSON}
    # {field: [device pk, base version]} for a field last changed through the sync: that device's
    # later operations, still based on the version before its own change, are no conflict.
    origin = models.JSONField(default=dict)

    objects = StateQuerySet.as_manager()

    class Meta:
        verbose_name = _("field versions of a person")
        verbose_name_plural = _("field versions of people")

    def __str__(self) -> str:
        return f"{self.person_id}"


class ConflictQuerySet(PersonScopedQuerySet["SyncConflict"]):
    person_fields = ("person",)

    def open(self) -> ConflictQuerySet:
        return self.filter(status=SyncConflict.Status.OPEN)


class SyncConflict(models.Model):
    """A field changed on a device and on the server since the device's version: both values kept,
    the person flagged (an open conflict), until a reviewer chooses or combines."""

    class Status(models.TextChoices):
        OPEN = "open", _("To decide")
        RESOLVED = "resolved", _("Decided")

    class Choice(models.TextChoices):
        DEVICE = "device", _("The device's value")
        SERVER = "server", _("The server's value")
        COMBINED = "combined", _("A combined value")

    person = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    field = models.CharField(_("field"), max_length=40)
    operation = models.ForeignKey(SyncOperation, on_delete=models.PROTECT, related_name="conflicts")
    device_value: Any = models.JSONField(_("value on the device"), null=True)
    device_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed on the device by"),
    )
    device_at = models.DateTimeField(_("changed on the device at"))
    server_value: Any = models.JSONField(_("value on the server"), null=True)
    server_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed on the server by"),
    )
    server_at = models.DateTimeField(_("changed on the server at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices, blank=True)
    resolved_value: Any = models.JSONField(_("value kept"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    resolved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-operation__received_at", "-id"]
        verbose_name = _("sync conflict")
        verbose_name_plural = _("sync conflicts")
        indexes = [models.Index(fields=["person"], name="sync_conflict_open", condition=Q(status="open"))]

    def __str__(self) -> str:
        return f"{self.person_id}.{self.field}"
