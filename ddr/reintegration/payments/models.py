"""Payment batches (four eyes), the provider's statements, and distributions in kind.

Never twice, by the database and not only by the code:
- an entitlement has at most one *live* payment line (waiting or paid): it cannot sit in two
  open batches, nor be paid twice; a failed or returned line frees it for a later batch;
- an entitlement is handed over at most once (one distribution);
- the approver of a batch is not its preparer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet, RegionScopedQuerySet


class Channel(models.TextChoices):
    MOBILE_MONEY = "mobile_money", _("Mobile money")
    CASH_PARTNER = "cash_partner", _("Cash through a partner")


class PaymentBatch(models.Model):
    class Status(models.TextChoices):
        PREPARED = "prepared", _("Prepared, waiting for approval")
        APPROVED = "approved", _("Approved")
        EXPORTED = "exported", _("Sent to the provider")
        RECONCILED = "reconciled", _("Reconciled")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREPARED)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.MOBILE_MONEY
    )
    provider = models.CharField(_("payment provider"), max_length=200)
    # What the preparer selected (region, package, component type, due by), as shown to the approver.
    criteria = models.JSONField(_("selection"), default=dict, blank=True)
    # A regional batch is seen by that region's officers; a national one (no region) by national staff.
    region = models.ForeignKey(
        "core.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total_xof = models.BigIntegerField(_("total (XOF)"), default=0)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    exported_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-prepared_at", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")),
                name="payment_batch_four_eyes",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentLine(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn from the batch")

    LIVE = (Status.WAITING, Status.PAID)

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines")
    entitlement = models.ForeignKey(
        "ddr.Entitlement",
        on_delete=models.PROTECT,
        related_name="payment_lines",
        verbose_name=_("entitlement"),
    )
    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="payment_lines", verbose_name=_("person")
    )
    # Unique per line, given to the provider and read back from its statement.
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    amount_xof = models.BigIntegerField(_("amount (XOF)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    provider_reference = models.CharField(_("provider's reference"), max_length=64, blank=True)
    statement = models.ForeignKey(
        "ddr.Statement", null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement"], condition=Q(status__in=["waiting", "paid"]), name="payment_live_once"
            ),
            models.CheckConstraint(condition=Q(amount_xof__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.reference


class Statement(models.Model):
    """A provider's statement for a batch, imported once it passed every check."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="statements")
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    paid = models.PositiveIntegerField(_("paid"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    returned = models.PositiveIntegerField(_("returned"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    job = models.OneToOneField("core.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("payment statement")
        verbose_name_plural = _("payment statements")
        constraints = [models.UniqueConstraint(fields=["batch", "sha256"], name="statement_once_per_batch")]

    def __str__(self) -> str:
        return self.file_name


class Confirmation(models.TextChoices):
    SIGNATURE = "signature", _("Signature")
    THUMBPRINT = "thumbprint", _("Thumbprint")
    CARD_AND_PHOTO = "card_photo", _("Card shown and photo checked")


class Distribution(models.Model):
    """An entitlement in kind handed over (a kit, a course's start...): once, with the recipient's
    confirmation."""

    entitlement = models.OneToOneField(
        "ddr.Entitlement",
        on_delete=models.PROTECT,
        related_name="distribution",
        verbose_name=_("entitlement"),
    )
    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="distributions", verbose_name=_("person")
    )
    handed_over_on = models.DateField(_("handed over on"))
    place = models.CharField(_("site or event"), max_length=200)
    confirmation = models.CharField(
        _("recipient's confirmation"), max_length=12, choices=Confirmation.choices
    )
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-handed_over_on", "-id"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return f"{self.entitlement_id} on {self.handed_over_on}"


class StatementImport(models.Model):
    """A provider's statement on its way in: kept until the worker has checked it, then either
    refused (every bad line named, nothing changed) or imported (its `statement`)."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking and reconciling")
        REFUSED = "refused", _("Refused: errors found, nothing changed")
        IMPORTED = "imported", _("Reconciled")
        FAILED = "failed", _("Failed, nothing changed")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="statement_imports")
    job = models.OneToOneField("core.Job", on_delete=models.PROTECT, related_name="statement_import")
    file = models.FileField(upload_to="statements/%Y/", blank=True)
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKING)
    total_rows = models.PositiveIntegerField(_("lines read"), default=0)
    errors = models.JSONField(default=list, blank=True)  # the first DDR_IMPORT_MAX_ERRORS
    error_count = models.PositiveIntegerField(default=0)  # all of them
    message = models.TextField(blank=True)
    statement = models.OneToOneField(
        Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="import_record"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("statement import")
        verbose_name_plural = _("statement imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
