"""Weapons and ammunition management (WAM): what was handed in, where it is, who holds it, and the
stock checks that prove it is still there (IDDRS 4.10)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import RegionScopedQuerySet
from ddr.models import DeclaredWeapon


class StorageLocation(models.Model):
    """An armoury, container or store where weapons and ammunition are kept."""

    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    site = models.ForeignKey(
        "cantonment.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="storage_locations",
        verbose_name=_("site"),
    )
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="storage_name_unique")]

    def __str__(self) -> str:
        return self.name


class WamQuerySet(RegionScopedQuerySet["WamItem"]):
    # The store's region: every item has one, those collected outside a site included.
    region_field = "location__region"


class WamItem(models.Model):
    """A weapon, or a lot of ammunition, handed in on a site, or collected outside the sites (by a
    CVR project's weapons and ammunition component, at a collection point): one register for all."""

    class Kind(models.TextChoices):
        WEAPON = "weapon", _("Weapon")
        AMMUNITION = "ammunition", _("Ammunition lot")

    class Status(models.TextChoices):
        HELD = "held", _("Held in storage")
        DESTROYED = "destroyed", _("Destroyed")
        TRANSFERRED = "transferred", _("Transferred to the national forces")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.WEAPON)
    weapon_type = models.CharField(
        _("weapon type"), max_length=20, choices=DeclaredWeapon.Kind.choices, blank=True
    )
    calibre = models.CharField(_("calibre"), max_length=30, blank=True)
    # Upper case, no spaces: serials are compared as written on the weapon, whatever the typing.
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    condition = models.CharField(
        _("condition"),
        max_length=16,
        choices=DeclaredWeapon.Condition.choices,
        default=DeclaredWeapon.Condition.UNKNOWN,
    )
    combatant = models.ForeignKey(
        "ddr.Combatant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handed_in",
        verbose_name=_("handed in by"),
    )
    declared = models.ForeignKey(
        DeclaredWeapon,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handed_in",
        verbose_name=_("weapon declared at registration"),
    )
    site = models.ForeignKey(
        "cantonment.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wam_items",
        verbose_name=_("site"),
    )
    collection_place = models.CharField(_("collected at (outside a site)"), max_length=200, blank=True)
    project = models.ForeignKey(
        "cvr.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collected_weapons",
        verbose_name=_("collected by the CVR project"),
    )
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    location = models.ForeignKey(
        StorageLocation, on_delete=models.PROTECT, related_name="items", verbose_name=_("storage location")
    )
    custodian = models.CharField(_("custodian"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.HELD)
    disposed_on = models.DateField(_("disposed of on"), null=True, blank=True)
    disposal_reference = models.CharField(_("disposal reference"), max_length=100, blank=True)
    history = HistoricalRecords()

    objects = WamQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("weapon or ammunition handed in")
        verbose_name_plural = _("weapons and ammunition handed in")
        constraints = [
            models.CheckConstraint(
                name="wam_received_somewhere",
                condition=models.Q(site__isnull=False) | ~models.Q(collection_place=""),
            ),
            # A serial is handed in once: a second hand-in is a mistake or a fraud.
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=models.Q(kind="weapon") & ~models.Q(serial_number=""),
                name="wam_weapon_serial_unique",
            ),
        ]
        indexes = [models.Index(fields=["location", "status"], name="wam_location_status")]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.get_kind_display()} {self.serial_number}".strip()

    @property
    def where(self) -> str:
        """Where it was received: the site, or the collection point (and the CVR project)."""
        if self.site_id:
            return str(self.site)
        return f"{self.collection_place} ({self.project.code})" if self.project else self.collection_place

    @property
    def receipt_number(self) -> str:
        return f"RM-{self.pk:06d}"

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD


class CustodyEvent(models.Model):
    """One link of the chain of custody: received, moved to another place or custodian, disposed of."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRANSFER = "transfer", _("Transfer")
        DISPOSAL = "disposal", _("Final disposal")

    item = models.ForeignKey(
        WamItem, on_delete=models.PROTECT, related_name="custody", verbose_name=_("item")
    )
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("date"))
    from_location = models.ForeignKey(
        StorageLocation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
    )
    to_location = models.ForeignKey(
        StorageLocation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
    )
    from_custodian = models.CharField(_("previous custodian"), max_length=200, blank=True)
    to_custodian = models.CharField(_("custodian"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "on", "id"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.on}"


class StockCheck(models.Model):
    """A check list for one storage location: a random 10% of its serials each week, all every six months."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly sample (10%)")
        FULL = "full", _("Full check (six-monthly)")

    location = models.ForeignKey(
        StorageLocation, on_delete=models.PROTECT, related_name="checks", verbose_name=_("storage location")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    generated_on = models.DateField(_("generated on"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "location__name"]
        verbose_name = _("stock check")
        verbose_name_plural = _("stock checks")
        constraints = [
            models.UniqueConstraint(fields=["location", "kind", "due_on"], name="stock_check_once"),
        ]

    def __str__(self) -> str:
        return f"{self.location} {self.kind} {self.due_on}"


class StockCheckLine(models.Model):
    class Result(models.TextChoices):
        PENDING = "", _("Not checked yet")
        FOUND = "found", _("Found")
        MISSING = "missing", _("Missing")
        DISCREPANCY = "discrepancy", _("Discrepancy")

    check_list = models.ForeignKey(StockCheck, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(WamItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    result = models.CharField(_("result"), max_length=12, choices=Result.choices, default="", blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["check_list", "item"]
        constraints = [models.UniqueConstraint(fields=["check_list", "item"], name="stock_check_line_once")]

    def __str__(self) -> str:
        return f"{self.check_list_id}:{self.item_id} {self.result}"
