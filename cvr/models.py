from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import RegionScopedQuerySet


class Partner(models.Model):
    """An implementing partner: local NGO, UNOPS, IOM..."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.acronym or self.name


class Project(models.Model):
    """A Community Violence Reduction project."""

    class Kind(models.TextChoices):
        VOCATIONAL = "vocational", _("Vocational training")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure rehabilitation")
        INCOME = "income", _("Income-generating activity")
        LIGHTING = "lighting", _("Lighting and security")
        AGRICULTURE = "agriculture", _("Agriculture and gardening")
        WATER = "water", _("Water and irrigation")
        LIVESTOCK = "livestock", _("Animal husbandry")
        SENSITISATION = "sensitisation", _("Sensitisation")
        WAM = "wam", _("Weapons and ammunition management")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        ONGOING = "ongoing", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="projects", verbose_name=_("partner")
    )
    budget_usd = models.DecimalField(_("budget (USD)"), max_digits=12, decimal_places=2)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    beneficiaries_ex_combatants = models.PositiveIntegerField(_("ex-combatant beneficiaries"), default=0)
    beneficiaries_community = models.PositiveIntegerField(_("community beneficiaries"), default=0)
    beneficiaries_women = models.PositiveIntegerField(_("of whom women"), default=0)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "code"]
        verbose_name = _("CVR project")
        verbose_name_plural = _("CVR projects")
        constraints = [
            models.CheckConstraint(
                name="project_ends_after_start", condition=models.Q(end__gte=models.F("start"))
            ),
            models.CheckConstraint(name="project_budget_positive", condition=models.Q(budget_usd__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def beneficiaries(self) -> int:
        return self.beneficiaries_ex_combatants + self.beneficiaries_community
