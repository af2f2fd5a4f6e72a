"""Accelerated integration: cohorts of candidates from medical screening to a BATFAR unit, the rank
allocation table, and the targets progress is measured against."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet, RegionScopedQuerySet


class Education(models.TextChoices):
    NONE = "none", _("None")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    HIGHER = "higher", _("Higher")


EDUCATION_ORDER = [Education.NONE, Education.PRIMARY, Education.SECONDARY, Education.HIGHER]

# FAMa ranks, lowest first: a cap reached sends the allocation one rank down.
ARMY_RANKS = [
    "Soldat de 2e classe",
    "Soldat de 1re classe",
    "Caporal",
    "Caporal-chef",
    "Sergent",
    "Sergent-chef",
    "Adjudant",
    "Adjudant-chef",
    "Sous-lieutenant",
    "Lieutenant",
    "Capitaine",
    "Commandant",
    "Lieutenant-colonel",
    "Colonel",
]


class RankTable(models.Model):
    """A version of the rank allocation rules (decree 0874/P-RM of 30 October 2019 first)."""

    name = models.CharField(_("name"), max_length=200)
    decree = models.CharField(_("decree"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    # Army rank -> most people who may receive it under this table.
    caps = models.JSONField(_("caps per rank"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("rank allocation table")
        verbose_name_plural = _("rank allocation tables")

    def __str__(self) -> str:
        return self.name


class RankRule(models.Model):
    """One line of the table, tried in order: a rank held in a movement, with at least so many
    years of service and such schooling, gives this army rank."""

    table = models.ForeignKey(RankTable, on_delete=models.PROTECT, related_name="rules")
    order = models.PositiveSmallIntegerField(_("order"))
    movement_rank = models.CharField(_("rank in the movement"), max_length=60)
    min_years = models.PositiveSmallIntegerField(_("minimum years of service"), default=0)
    min_education = models.CharField(
        _("minimum education"), max_length=10, choices=Education.choices, default=Education.NONE
    )
    army_rank = models.CharField(_("army rank"), max_length=60)
    history = HistoricalRecords()

    class Meta:
        ordering = ["table", "order"]
        verbose_name = _("rank rule")
        verbose_name_plural = _("rank rules")
        constraints = [models.UniqueConstraint(fields=["table", "order"], name="rank_rule_order_unique")]

    def __str__(self) -> str:
        return f"{self.movement_rank} → {self.army_rank}"


class Cohort(models.Model):
    """An accelerated-integration cohort ("Gao, November 2018")."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    training_partner = models.CharField(_("training partner"), max_length=200, blank=True)
    training_start = models.DateField(_("training starts"), null=True, blank=True)
    training_end = models.DateField(_("training ends"), null=True, blank=True)
    target_unit = models.ForeignKey(
        "integration.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("BATFAR unit"),
    )
    # Figures as reported, for cohorts run before individual candidates were recorded here.
    reported_registered = models.PositiveIntegerField(_("first registered (reported)"), null=True, blank=True)
    reported_biometric = models.PositiveIntegerField(
        _("biometrically registered (reported)"), null=True, blank=True
    )
    reported_fit = models.PositiveIntegerField(_("fit and integrated (reported)"), null=True, blank=True)
    reported_unfit = models.PositiveIntegerField(_("unfit (reported)"), null=True, blank=True)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-training_start", "name"]
        verbose_name = _("integration cohort")
        verbose_name_plural = _("integration cohorts")
        constraints = [
            models.CheckConstraint(
                name="cohort_training_ends_after_start",
                condition=models.Q(training_end__isnull=True)
                | models.Q(training_start__isnull=True)
                | models.Q(training_end__gte=models.F("training_start")),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CandidateQuerySet(PersonScopedQuerySet["Candidate"]):
    """A candidate is the person's: seen when the person is."""


class Candidate(models.Model):
    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate: medical screening pending")
        FIT = "fit", _("Fit: waiting for training")
        REDIRECTED = "redirected", _("Unfit: redirected to socio-economic reinsertion")
        IN_TRAINING = "in_training", _("In training")
        FAILED = "failed", _("Training failed")
        TRAINED = "trained", _("Trained")
        ASSIGNED = "assigned", _("Assigned to a unit")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="candidates")
    combatant = models.ForeignKey(
        "ddr.Combatant",
        on_delete=models.PROTECT,
        related_name="integration_candidacies",
        verbose_name=_("person"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CANDIDATE)
    years_of_service = models.PositiveSmallIntegerField(_("years of service"), default=0)
    education = models.CharField(
        _("education"), max_length=10, choices=Education.choices, default=Education.NONE
    )
    training_start = models.DateField(_("training started"), null=True, blank=True)
    training_end = models.DateField(_("training ended"), null=True, blank=True)
    army_rank = models.CharField(_("army rank"), max_length=60, blank=True)
    rank_explanation = models.CharField(_("why this rank"), max_length=500, blank=True)
    rank_override_reason = models.CharField(_("reason for overriding the table"), max_length=300, blank=True)
    membership = models.OneToOneField(
        "integration.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="candidacy"
    )
    history = HistoricalRecords()

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "id"]
        verbose_name = _("integration candidate")
        verbose_name_plural = _("integration candidates")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "combatant"], name="candidate_once_per_cohort"),
            models.CheckConstraint(
                name="candidate_training_ends_after_start",
                condition=models.Q(training_end__isnull=True)
                | models.Q(training_start__isnull=True)
                | models.Q(training_end__gte=models.F("training_start")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id}:{self.combatant_id}"


class IntegrationTarget(models.Model):
    """So many people integrated by a date (overall, or for one movement or region)."""

    name = models.CharField(_("name"), max_length=200)
    number = models.PositiveIntegerField(_("number"))
    start = models.DateField(_("counting from"))
    deadline = models.DateField(_("deadline"))
    movement = models.ForeignKey(
        "ddr.ArmedGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("movement"),
    )
    region = models.ForeignKey(
        "core.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline"]
        verbose_name = _("integration target")
        verbose_name_plural = _("integration targets")

    def __str__(self) -> str:
        return self.name
