"""Integration: MOC mixed units and reconstituted battalions, who serves in them over time, the
one-third rule, patrols, accelerated-integration cohorts, rank allocation, desertions, targets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import past_interim_end
from core.querysets import PersonScopedQuerySet, RegionScopedQuerySet


class Party(models.TextChoices):
    FAMA = "fama", _("National armed forces (FAMa)")
    CMA = "cma", _("CMA")
    PLATFORM = "platform", _("Platform")
    CMI = "cmi", _("Inclusivity movements (CMI)")


class Unit(models.Model):
    """A MOC mixed unit or a reconstituted battalion (BATFAR)."""

    class Kind(models.TextChoices):
        MOC = "moc", _("MOC mixed unit")
        BATFAR = "batfar", _("Reconstituted battalion (BATFAR)")
        COMPANY = "company", _("Reconstituted company")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    location = models.CharField(_("garrison"), max_length=120, blank=True)
    parent_structure = models.CharField(_("parent structure"), max_length=200, blank=True)
    established = models.DateField(_("established on"), null=True, blank=True)
    dissolved = models.DateField(_("dissolved on"), null=True, blank=True)
    authorised_strength = models.PositiveIntegerField(_("authorised strength"), default=0)
    # The MOC was an interim arrangement: the end it was meant to have (recommendation V).
    interim_until = models.DateField(
        _("meant to end on"), null=True, blank=True, help_text=_("For an interim unit: flagged once past it.")
    )
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("integration:unit-detail", args=[self.pk])

    @property
    def interim_late_days(self) -> int:
        """Days this interim unit has outlived the end it was meant to have (0: none, or ended)."""
        return past_interim_end(self.interim_until, self.dissolved is not None, timezone.localdate())


class MembershipQuerySet(PersonScopedQuerySet["Membership"]):
    """A registered member is seen when the person is; a soldier of the forces by the unit's region."""

    region_field = "unit__region"

    def active_on(self, day: object) -> MembershipQuerySet:
        return self.filter(start__lte=day).filter(models.Q(end__isnull=True) | models.Q(end__gt=day))


class Membership(models.Model):
    """Someone serving in a unit from `start` to `end`: a registered ex-combatant, or a soldier of
    the national forces known by service number (they are not in the DDR register)."""

    class Role(models.TextChoices):
        COMMAND = "command", _("Command position")
        RANK_AND_FILE = "rank_and_file", _("Rank and file")

    class Leaving(models.TextChoices):
        NONE = "", _("Still serving")
        TRANSFERRED = "transferred", _("Transferred")
        DESERTED = "deserted", _("Deserted")
        DECEASED = "deceased", _("Deceased")
        DISCHARGED = "discharged", _("Discharged")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("unit")
    )
    combatant = models.ForeignKey(
        "ddr.Combatant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_memberships",
        verbose_name=_("registered person"),
    )
    service_number = models.CharField(_("service number"), max_length=30, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    role = models.CharField(_("role"), max_length=14, choices=Role.choices, default=Role.RANK_AND_FILE)
    rank = models.CharField(_("rank"), max_length=60, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    leaving = models.CharField(
        _("reason for leaving"), max_length=12, choices=Leaving.choices, default="", blank=True
    )
    circumstances = models.CharField(_("circumstances"), max_length=500, blank=True)
    returned_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("return after desertion"),
    )
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "party", "name", "id"]
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")
        constraints = [
            # One unit at a time: a second open membership of the same person is impossible.
            models.UniqueConstraint(
                fields=["combatant"],
                condition=models.Q(end__isnull=True, combatant__isnull=False),
                name="membership_one_open_person",
            ),
            models.UniqueConstraint(
                fields=["service_number"],
                condition=models.Q(end__isnull=True) & ~models.Q(service_number=""),
                name="membership_one_open_soldier",
            ),
            models.CheckConstraint(
                name="unit_membership_end_after_start",
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
            ),
            models.CheckConstraint(
                name="membership_identified",
                condition=models.Q(combatant__isnull=False) | ~models.Q(service_number=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.combatant_id or self.service_number}"


class ComplianceCheck(models.Model):
    """The one-third rule for a unit on a day, as the worker measured it: kept, for the history."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="compliance")
    day = models.DateField(_("day"))
    strength = models.JSONField(_("strength by party"), default=dict)
    command = models.JSONField(_("command positions by party"), default=dict)
    deviations = models.JSONField(_("deviations"), default=list)
    compliant = models.BooleanField(_("compliant"))
    checked_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit", "-day"]
        verbose_name = _("one-third check")
        verbose_name_plural = _("one-third checks")
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="compliance_once_a_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.compliant}"


class Patrol(models.Model):
    """A mixed patrol: who was planned and who turned up, per party; incidents."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("unit"))
    on = models.DateField(_("date"))
    planned = models.JSONField(_("planned by party"), default=dict)
    present = models.JSONField(_("present by party"), default=dict)
    incidents = models.TextField(_("incidents"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit", "-on"]
        verbose_name = _("mixed patrol")
        verbose_name_plural = _("mixed patrols")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.on}"


from integration.models.cohorts import (  # noqa: E402
    Candidate,
    Cohort,
    IntegrationTarget,
    RankRule,
    RankTable,
    TargetStructure,
)
from integration.models.state import (  # noqa: E402
    Corps,
    Intake,
    Placement,
    PlacementStep,
    Reclassification,
    Step,
    Structure,
)

__all__ = [
    "Candidate",
    "Cohort",
    "ComplianceCheck",
    "Corps",
    "Intake",
    "IntegrationTarget",
    "Membership",
    "Party",
    "Patrol",
    "Placement",
    "PlacementStep",
    "RankRule",
    "RankTable",
    "Reclassification",
    "Step",
    "Structure",
    "TargetStructure",
    "Unit",
]
