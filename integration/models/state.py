"""Every pathway into the State besides the army's cohorts: the recall of ex-MDSF to their original
corps, the civil service for civilian cadres, the territorial police and the other security forces,
and the defectors' recruitment into the armed forces (roadmap 2020, items 7, 13, 15, 16; report
3.2.2). One shape for all: an intake of one structure, its people (placements) and their dated
steps; which step may follow which, and what each needs, is data in `integration.rules`. After
integration, a person may be reclassified from one corps to another (decree 0874/P-RM)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.lifecycle import DatedEvent
from core.querysets import PersonScopedQuerySet, RegionScopedQuerySet


class Structure(models.TextChoices):
    RECALL = "recall", _("Recall of ex-MDSF to their original corps")
    CIVIL_SERVICE = "civil_service", _("Civil service (civilian cadres)")
    TERRITORIAL_POLICE = "territorial_police", _("Territorial police")
    SECURITY_FORCES = "security_forces", _("Other security forces")
    RECRUITMENT = "recruitment", _("Recruitment into the armed forces (defectors)")


class Corps(models.TextChoices):
    """The constituted corps of the State a person serves in (or served in, for an ex-MDSF)."""

    ARMY = "army", _("Armed forces (FAMa)")
    NATIONAL_GUARD = "national_guard", _("National guard")
    GENDARMERIE = "gendarmerie", _("National gendarmerie")
    NATIONAL_POLICE = "national_police", _("National police")
    TERRITORIAL_POLICE = "territorial_police", _("Territorial police")
    CIVIL_PROTECTION = "civil_protection", _("Civil protection")
    CUSTOMS = "customs", _("Customs")
    WATER_FORESTS = "water_forests", _("Water and forests")
    CIVIL_SERVICE = "civil_service", _("Civil service")


class Step(models.TextChoices):
    """Every step of every structure's process (which belong to which: `rules.PROCESSES`)."""

    PROPOSED = "proposed", _("Proposed")
    FILE_VERIFIED = "file_verified", _("File verified")
    FIT = "fit", _("Medically fit")
    IN_TRAINING = "in_training", _("In training")
    REPORTED = "reported", _("Reported to the corps")
    REINSTATED = "reinstated", _("Reinstated in the original corps")
    APPOINTED = "appointed", _("Appointed to a post")
    ASSIGNED = "assigned", _("Assigned to the corps")
    RECRUITED = "recruited", _("Recruited into the armed forces")
    NOT_RETAINED = "not_retained", _("Not retained")


class Intake(models.Model):
    """One intake into a structure of the State ("Recall of ex-MDSF, Gao 2021")."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    structure = models.CharField(_("structure"), max_length=20, choices=Structure.choices)
    corps = models.CharField(
        _("corps"),
        max_length=20,
        choices=Corps.choices,
        blank=True,
        help_text=_("The corps receiving the people; for a recall, each person's original corps."),
    )
    administration = models.CharField(
        _("administration or service"), max_length=200, blank=True, help_text=_("For the civil service.")
    )
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    opened_on = models.DateField(_("opened on"))
    decision = models.ForeignKey(
        "core.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="state_intakes",
        verbose_name=_("decision"),
    )
    # Where the report gives no figure, the demo says so here.
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["structure", "-opened_on", "name"]
        verbose_name = _("intake into the State")
        verbose_name_plural = _("intakes into the State")

    def __str__(self) -> str:
        return self.name


class PlacementQuerySet(PersonScopedQuerySet["Placement"]):
    """A placement is the person's: seen when the person is (their region; a child never)."""


class Placement(models.Model):
    """A person in an intake, at one step of its structure's process."""

    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, related_name="placements", verbose_name=_("intake")
    )
    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="state_placements", verbose_name=_("person")
    )
    status = models.CharField(_("step"), max_length=16, choices=Step.choices, default=Step.PROPOSED)
    # A recall: the corps the person left and their service number there.
    original_corps = models.CharField(_("original corps"), max_length=20, choices=Corps.choices, blank=True)
    former_service_number = models.CharField(_("former service number"), max_length=30, blank=True)
    # The corps served in now: the intake's (or the original one, for a recall), then as reclassified.
    corps = models.CharField(_("corps"), max_length=20, choices=Corps.choices, blank=True)
    post = models.CharField(_("post"), max_length=200, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["intake", "id"]
        verbose_name = _("placement in the State")
        verbose_name_plural = _("placements in the State")
        constraints = [
            models.UniqueConstraint(fields=["intake", "combatant"], name="placement_once_per_intake"),
        ]

    def __str__(self) -> str:
        return f"{self.intake_id}:{self.combatant_id}"


class PlacementStepQuerySet(PersonScopedQuerySet["PlacementStep"]):
    """Seen when the placement is: a decision's page only counts them (`core.decisions`)."""

    def for_user(self, user: object) -> PlacementStepQuerySet:
        return self.filter(placement__in=Placement.objects.for_user(user))  # type: ignore[arg-type]


class PlacementStep(DatedEvent):
    """One step of a placement: its date, the body that decided it, the decision in the register."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="steps")
    status = models.CharField(_("step"), max_length=16, choices=Step.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = PlacementStepQuerySet.as_manager()

    class Meta:
        ordering = ["placement", "on", "id"]
        verbose_name = _("placement step")
        verbose_name_plural = _("placement steps")

    def __str__(self) -> str:
        return f"{self.placement_id} {self.status} {self.on}"


class ReclassificationQuerySet(PersonScopedQuerySet["Reclassification"]):
    pass


class Reclassification(models.Model):
    """A person moved from one corps to another after integration: who decided it, when and why.
    Kept as a row of its own, never edited: the person's corps is the last one's `to_corps`."""

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="reclassifications", verbose_name=_("person")
    )
    placement = models.ForeignKey(
        Placement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reclassifications",
        verbose_name=_("placement"),
    )
    from_corps = models.CharField(_("from corps"), max_length=20, choices=Corps.choices)
    to_corps = models.CharField(_("to corps"), max_length=20, choices=Corps.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=300)
    decided_by = models.CharField(_("deciding body"), max_length=200, blank=True)
    decision = models.ForeignKey(
        "core.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reclassifications",
        verbose_name=_("decision"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ReclassificationQuerySet.as_manager()

    class Meta:
        ordering = ["combatant", "on", "id"]
        verbose_name = _("reclassification")
        verbose_name_plural = _("reclassifications")
        constraints = [
            models.CheckConstraint(
                name="reclassification_changes_corps", condition=~models.Q(from_corps=models.F("to_corps"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.combatant_id}: {self.from_corps} → {self.to_corps}"
