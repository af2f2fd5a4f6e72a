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
    # Command positions asked for or granted under this table: position, for whom, where, outcome.
    command_positions = models.JSONField(_("command positions"), default=list, blank=True)
    # Where the text's figures come from, and where the report gives none.
    note = models.TextField(_("note"), blank=True)
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


class TargetStructure(models.TextChoices):
    """What a target counts: a pathway into one structure of the State, or all of them."""

    ARMY = "integration_army", _("Armed forces")
    SECURITY = "integration_security", _("Security forces")
    CIVIL = "integration_civil", _("Civil service")
    RECALL = "recall", _("Recall of ex-MDSF to their corps")
    STATE = "state", _("Every structure of the State")


# The pathways (ddr.Pathway values) each structure counts, and the two sides of a quota split
# (roadmap of 18 December 2020, item 10: "la question des quotas (civils et militaires)").
MILITARY_PATHWAYS = (TargetStructure.ARMY.value, TargetStructure.SECURITY.value, TargetStructure.RECALL.value)
CIVIL_PATHWAYS = (TargetStructure.CIVIL.value,)
STRUCTURE_PATHWAYS: dict[str, tuple[str, ...]] = {
    **{s.value: (s.value,) for s in TargetStructure if s != TargetStructure.STATE},
    TargetStructure.STATE.value: (*MILITARY_PATHWAYS, *CIVIL_PATHWAYS),
}


class IntegrationTarget(models.Model):
    """So many people into a structure of the State by a date (overall, or for one movement or
    region), with its military and civilian parts where the decision split them."""

    name = models.CharField(_("name"), max_length=200)
    structure = models.CharField(
        _("structure counted"),
        max_length=24,
        choices=TargetStructure.choices,
        default=TargetStructure.ARMY,
        db_default=TargetStructure.ARMY,
    )
    number = models.PositiveIntegerField(_("number"))
    military_number = models.PositiveIntegerField(_("of which military"), null=True, blank=True)
    civil_number = models.PositiveIntegerField(_("of which civilian"), null=True, blank=True)
    start = models.DateField(_("counting from"))
    deadline = models.DateField(_("deadline"))
    source = models.CharField(_("source"), max_length=300, blank=True)
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
        constraints = [
            models.CheckConstraint(
                name="target_split_within_number",
                condition=(
                    models.Q(military_number__isnull=True) | models.Q(military_number__lte=models.F("number"))
                )
                & (models.Q(civil_number__isnull=True) | models.Q(civil_number__lte=models.F("number"))),
            ),
            models.CheckConstraint(
                name="target_deadline_after_start", condition=models.Q(deadline__gte=models.F("start"))
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pathways(self) -> tuple[str, ...]:
        return STRUCTURE_PATHWAYS.get(self.structure, ())
