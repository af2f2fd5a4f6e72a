"""The package catalogue (versioned by date), funding sources with their envelope, enrolments and
the entitlements they give (each tranche, kit and course, with its planned date)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet

CURRENCY = "XOF"


class FundingSource(models.Model):
    """Who pays (World Bank, PBF, Trust Fund, government...) and how much they committed."""

    code = models.SlugField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=200)
    envelope_xof = models.BigIntegerField(_("envelope (XOF)"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        constraints = [
            models.CheckConstraint(condition=Q(envelope_xof__gte=0), name="funding_envelope_positive")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ddr:funding-source-list") + f"#source-{self.pk}"


class Phase(models.TextChoices):
    # IDDRS 4.30: short-term reinsertion, then long-term reintegration.
    REINSERTION = "reinsertion", _("Reinsertion (short term)")
    REINTEGRATION = "reintegration", _("Reintegration (long term)")


class Package(models.Model):
    """One version of a package: what it gives, who may receive it, from when to when."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.REINSERTION)
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="packages", verbose_name=_("funding source")
    )
    envelope_xof = models.BigIntegerField(_("envelope (XOF)"), default=0)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    # Who may receive it: empty means any. Pathways and categories are the register's codes.
    pathways = models.JSONField(_("pathways"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    women_only = models.BooleanField(_("women only"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="package_code_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="package_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Delivery(models.TextChoices):
    CASH = "cash", _("Payment (mobile money or cash through a partner)")
    IN_KIND = "in_kind", _("Distribution in kind")
    SERVICE = "service", _("Service (training, education, loan support)")


class Component(models.Model):
    """One thing a package gives: a tranche of the allowance, a toolkit, a course, a grant..."""

    class Kind(models.TextChoices):
        ALLOWANCE = "allowance", _("Transitional safety allowance (tranche)")
        TOOLKIT = "toolkit", _("Toolkit")
        TRAINING = "training", _("Vocational training or apprenticeship")
        GRANT = "grant", _("Grant for an income-generating activity")
        EDUCATION = "education", _("Education")
        LOAN_SUPPORT = "loan_support", _("Support to obtain a loan")

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="components")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=200)
    trade = models.ForeignKey(
        "ddr.Trade",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("trade"),
    )
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices)
    amount_xof = models.BigIntegerField(_("amount or value (XOF)"), default=0)
    # Planned date of the entitlement: the enrolment date plus this many days.
    due_after_days = models.PositiveSmallIntegerField(_("due (days after enrolment)"), default=0)
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["package", "position", "id"]
        verbose_name = _("package component")
        verbose_name_plural = _("package components")
        constraints = [
            models.CheckConstraint(condition=Q(amount_xof__gte=0), name="component_amount_positive")
        ]

    def __str__(self) -> str:
        return self.label


class Enrolment(models.Model):
    """A person enrolled in one package version."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Delivered")
        DROPPED = "dropped", _("Dropped out")

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("person")
    )
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("package")
    )
    enrolled_on = models.DateField(_("enrolled on"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("enrolled by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    dropped_on = models.DateField(_("dropped out on"), null=True, blank=True)
    dropout_reason = models.CharField(_("reason for dropping out"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["combatant", "package"], name="enrolment_once_per_package")
        ]

    def __str__(self) -> str:
        return f"{self.combatant_id} in {self.package_id}"


class Entitlement(models.Model):
    """What one enrolment gives, one row per component, with its planned date and state.

    `state` says where it stands; whether it was paid or handed over is decided by the payment
    lines and distributions themselves, each under a database constraint (ddr.reintegration.payments).
    """

    class State(models.TextChoices):
        DUE = "due", _("Due")
        IN_BATCH = "in_batch", _("In a payment batch")
        PAID = "paid", _("Paid")
        DELIVERED = "delivered", _("Handed over or delivered")
        CANCELLED = "cancelled", _("Cancelled")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="entitlements")
    # The person again, so that every read is scoped without a join through the enrolment.
    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="entitlements", verbose_name=_("person")
    )
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, related_name="+", verbose_name=_("component")
    )
    amount_xof = models.BigIntegerField(_("amount (XOF)"))
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DUE)
    settled_on = models.DateField(_("paid or delivered on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "component"], name="entitlement_once_per_component"),
            models.CheckConstraint(condition=Q(amount_xof__gte=0), name="entitlement_amount_positive"),
        ]
        # A batch is prepared from the due entitlements by date.
        indexes = [models.Index(fields=["due_on"], condition=Q(state="due"), name="entitlement_due")]

    def __str__(self) -> str:
        return f"{self.component_id} for {self.combatant_id} ({self.due_on})"
