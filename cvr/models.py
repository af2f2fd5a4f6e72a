from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import RegionScopedQuerySet


class Partner(models.Model):
    """An implementing partner: local NGO, UNOPS, IOM..."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    acronym = models.CharField(_("sigle"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")

    def __str__(self) -> str:
        return self.acronym or self.name


class Project(models.Model):
    """A Community Violence Reduction project."""

    class Kind(models.TextChoices):
        VOCATIONAL = "vocational", _("Formation professionnelle")
        INFRASTRUCTURE = "infrastructure", _("Réhabilitation d'infrastructures")
        INCOME = "income", _("Activité génératrice de revenus")
        LIGHTING = "lighting", _("Éclairage et sécurité")
        AGRICULTURE = "agriculture", _("Agriculture et maraîchage")
        WATER = "water", _("Eau et irrigation")
        LIVESTOCK = "livestock", _("Élevage")
        SENSITISATION = "sensitisation", _("Sensibilisation")
        WAM = "wam", _("Gestion des armes et munitions")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposé")
        APPROVED = "approved", _("Approuvé")
        ONGOING = "ongoing", _("En cours")
        COMPLETED = "completed", _("Achevé")
        CANCELLED = "cancelled", _("Annulé")

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("intitulé"), max_length=250)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("statut"), max_length=16, choices=Status.choices,
                              default=Status.PROPOSED)
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("région"))
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="projects",
                                verbose_name=_("partenaire"))
    budget_usd = models.DecimalField(_("budget (USD)"), max_digits=12, decimal_places=2)
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    beneficiaries_ex_combatants = models.PositiveIntegerField(_("bénéficiaires ex-combattants"), default=0)
    beneficiaries_community = models.PositiveIntegerField(_("bénéficiaires communautaires"), default=0)
    beneficiaries_women = models.PositiveIntegerField(_("dont femmes"), default=0)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "code"]
        verbose_name = _("projet de RVC")
        verbose_name_plural = _("projets de RVC")
        constraints = [
            models.CheckConstraint(name="project_ends_after_start", condition=models.Q(end__gte=models.F("start"))),
            models.CheckConstraint(name="project_budget_positive", condition=models.Q(budget_usd__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def beneficiaries(self) -> int:
        return self.beneficiaries_ex_combatants + self.beneficiaries_community
