"""Containers and stocks of DDR and CVR equipment, their movements, and their handover to a national
authority. What has been handed over is frozen."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.errors import Refused
from core.querysets import RegionScopedQuerySet


class HandedOverError(Refused):
    """The item belongs to a handover: it can no longer be changed."""


class InventoryItem(models.Model):
    class Kind(models.TextChoices):
        CONTAINER = "container", _("Container")
        STOCK = "stock", _("Stock of supplies")

    code = models.CharField(_("ID"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CONTAINER)
    contents = models.CharField(_("contents"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    site = models.ForeignKey(
        "cantonment.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory",
        verbose_name=_("site"),
    )
    location = models.CharField(_("location"), max_length=200)
    custodian = models.CharField(_("custodian"), max_length=200)
    handover = models.ForeignKey(
        "cantonment.Handover",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("handover"),
        editable=False,
    )
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("inventory item")
        verbose_name_plural = _("inventory items")

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever path writes (service, admin, API), a handed-over item stays as it was handed over.
        if self.pk and InventoryItem.objects.filter(pk=self.pk, handover__isnull=False).exists():
            raise HandedOverError(
                str(_("%(code)s has been handed over: it cannot be changed.") % {"code": self.code})
            )
        super().save(*args, **kwargs)


class InventoryMovement(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("In")
        OUT = "out", _("Out")

    item = models.ForeignKey(
        InventoryItem, on_delete=models.PROTECT, related_name="movements", verbose_name=_("item")
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    on = models.DateField(_("date"))
    counterpart = models.CharField(_("from or to"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "on", "id"]
        verbose_name = _("inventory movement")
        verbose_name_plural = _("inventory movements")
        constraints = [
            models.CheckConstraint(name="movement_quantity_positive", condition=models.Q(quantity__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.direction} {self.quantity}"


class Handover(models.Model):
    """Equipment handed over to a national authority, with the signed receipt that lists it."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    authority = models.CharField(_("handed over to (authority)"), max_length=200)
    received_by = models.CharField(_("received by (name and title)"), max_length=200)
    on = models.DateField(_("date"))
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    note = models.TextField(_("note"), blank=True)
    receipt = models.FileField(_("receipt (PDF)"), upload_to="handovers/%Y/", blank=True)
    receipt_sha256 = models.CharField(_("SHA-256 of the receipt"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return self.reference
