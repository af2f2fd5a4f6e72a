"""A person's choice of future and socio-economic profile, and the opportunity map they are read against."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet, RegionScopedQuerySet


class ChoiceOption(models.TextChoices):
    INTEGRATION_FORCES = "integration_forces", _("Integration into the defence and security forces")
    CIVIL_SERVICE = "civil_service", _("Civil service")
    CIVILIAN_LIFE = "civilian_life", _("Return to civilian life (socio-economic reinsertion)")


class Choice(models.Model):
    """What the person said they want, when, before whom. The latest is copied to
    `Combatant.choice`, so that a rule set reads it in its one UPDATE over the register."""

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="choices", verbose_name=_("person")
    )
    option = models.CharField(_("choice"), max_length=24, choices=ChoiceOption.choices)
    # The first reinsertion operation took volunteers (300 per region).
    volunteer_first_operation = models.BooleanField(
        _("volunteer for the first reinsertion operation"), default=False
    )
    chosen_on = models.DateField(_("chosen on"))
    witnessed_by = models.CharField(_("witnessed by"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-chosen_on", "-id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return f"{self.combatant_id}: {self.option} ({self.chosen_on})"


class Trade(models.Model):
    """A trade or activity (reference data): what people know, want, and what places need."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("trade or activity")
        verbose_name_plural = _("trades and activities")

    def __str__(self) -> str:
        return self.name


class Education(models.TextChoices):
    NONE = "none", _("No schooling")
    KORANIC = "koranic", _("Koranic school")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    HIGHER = "higher", _("Higher education")


class Housing(models.TextChoices):
    UNKNOWN = "", _("Not stated")
    OWN_LAND = "own_land", _("Owns land or a house")
    FAMILY = "family", _("Family land or house")
    RENTS = "rents", _("Rents")
    NONE = "none", _("No land or housing")


class Profile(models.Model):
    """The socio-economic profile (one per person, updated over time; every version kept)."""

    combatant = models.OneToOneField(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="profile", verbose_name=_("person")
    )
    education = models.CharField(
        _("education"), max_length=12, choices=Education.choices, default=Education.NONE
    )
    literate = models.BooleanField(_("reads and writes"), default=False)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    occupation_before = models.CharField(_("occupation before joining"), max_length=200, blank=True)
    skills = models.ManyToManyField(Trade, blank=True, related_name="+", verbose_name=_("skills and trades"))
    preferred_trade = models.ForeignKey(
        Trade,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preferred trade or activity"),
    )
    dependants = models.PositiveSmallIntegerField(_("dependants"), default=0)
    household_size = models.PositiveSmallIntegerField(_("household size"), default=1)
    health_needs = models.CharField(_("disability or health needs"), max_length=300, blank=True)
    return_region = models.ForeignKey(
        "core.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region of return"),
    )
    return_cercle = models.ForeignKey(
        "core.Cercle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cercle of return"),
    )
    return_commune = models.CharField(_("commune of return"), max_length=100, blank=True)
    housing = models.CharField(_("land or housing"), max_length=12, choices=Housing.choices, blank=True)
    mobile_money = models.CharField(_("mobile-money number"), max_length=20, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    profiled_on = models.DateField(_("profiled on"))
    profiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("profiled by")
    )
    history = HistoricalRecords(m2m_fields=[skills])

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("socio-economic profile")
        verbose_name_plural = _("socio-economic profiles")

    def __str__(self) -> str:
        return f"profile {self.combatant_id}"


class Demand(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Opportunity(models.Model):
    """One line of the opportunity map: a trade's demand in a region (or one of its cercles),
    who trains for it and how many, from a named study (the report asks for real studies)."""

    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    cercle = models.ForeignKey(
        "core.Cercle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cercle"),
    )
    trade = models.ForeignKey(
        Trade, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("trade")
    )
    demand = models.CharField(_("demand"), max_length=8, choices=Demand.choices)
    provider = models.CharField(_("training provider"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("training places"), default=0)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    source = models.CharField(_("study"), max_length=300)
    studied_on = models.DateField(_("study date"))
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region__name", "cercle__name", "trade__name"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunity map")
        constraints = [
            # One line per trade and place: a cercle's, or the whole region's (no cercle).
            models.UniqueConstraint(
                fields=["region", "cercle", "trade"],
                condition=models.Q(cercle__isnull=False),
                name="opportunity_once_per_cercle",
            ),
            models.UniqueConstraint(
                fields=["region", "trade"],
                condition=models.Q(cercle__isnull=True),
                name="opportunity_once_per_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trade} @ {self.cercle or self.region}"

    def clean(self) -> None:
        """The map's checks (`rules.opportunity_problems`), for every form: the screen's and the admin's."""
        from ddr.reintegration.profiles.rules import opportunity_problems

        errors: dict[str, list[str]] = {}
        for field, message in opportunity_problems(self, today=timezone.localdate()):
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)
