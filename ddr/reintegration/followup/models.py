"""Follow-up after reinsertion: the visits planned at 3, 6 and 12 months, what they found, and the
versioned rules that say when a person counts as reintegrated."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet


def default_follow_up_months() -> list[int]:
    return [3, 6, 12]


class ReintegrationRules(models.Model):
    """When a person counts as reintegrated, as agreed at one time (versioned by date, like
    eligibility): every status change to "reintegrated" names the rules that allowed it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    follow_up_months = models.JSONField(
        _("follow-ups (months after enrolment)"), default=default_follow_up_months
    )
    # A visit is overdue this many days after its planned date.
    grace_days = models.PositiveSmallIntegerField(_("days of grace before a visit is overdue"), default=15)
    min_months = models.PositiveSmallIntegerField(
        _("months after enrolment before reintegration"), default=12
    )
    activity_required = models.BooleanField(_("activity running at the last follow-up"), default=True)
    acceptance_required = models.BooleanField(
        _("accepted by the community at the last follow-up"), default=True
    )
    no_incident_required = models.BooleanField(_("no security incident at the last follow-up"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = _("reintegration rules")
        verbose_name_plural = _("reintegration rules")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="reintegration_rules_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="reintegration_rules_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class IncomeBand(models.TextChoices):
    NONE = "none", _("No income")
    LOW = "low", _("Below 25,000 XOF a month")
    MEDIUM = "medium", _("25,000 to 75,000 XOF a month")
    HIGH = "high", _("Above 75,000 XOF a month")


class Acceptance(models.TextChoices):
    GOOD = "good", _("Accepted")
    MIXED = "mixed", _("Partly accepted")
    POOR = "poor", _("Rejected or stigmatised")


class FollowUp(models.Model):
    """One follow-up of an enrolled person: planned by the worker, recorded by an officer."""

    class Mode(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("By phone (remote)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        MISSED = "missed", _("Person not found")

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("person")
    )
    enrolment = models.ForeignKey("ddr.Enrolment", on_delete=models.PROTECT, related_name="follow_ups")
    month = models.PositiveSmallIntegerField(_("month"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    overdue = models.BooleanField(_("overdue"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    mode = models.CharField(_("how"), max_length=8, choices=Mode.choices, blank=True)
    activity_running = models.BooleanField(_("activity running"), null=True, blank=True)
    income = models.CharField(_("income"), max_length=8, choices=IncomeBand.choices, blank=True)
    acceptance = models.CharField(
        _("social acceptance"), max_length=8, choices=Acceptance.choices, blank=True
    )
    security_incident = models.BooleanField(_("security incident"), null=True, blank=True)
    needs = models.CharField(_("needs"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "month"], name="follow_up_once_per_month"),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(done_on__isnull=False), name="follow_up_done_has_date"
            ),
        ]
        indexes = [models.Index(fields=["due_on"], condition=Q(status="planned"), name="follow_up_planned")]

    def __str__(self) -> str:
        return f"{self.combatant_id} M{self.month}"
