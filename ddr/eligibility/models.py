"""Versioned eligibility rules and the record of each recomputation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet


def default_category_pathways() -> dict[str, str]:
    # The 2018 agreement: armed combatants towards integration, the unarmed to community
    # reinsertion (CRP), ex-MDSF recalled to their corps, civilian cadres to the civil service.
    return {
        "combatant_armed": "integration_army",
        "combatant_unarmed": "community",
        "woman_associated": "reinsertion",
        "ex_mdsf": "recall",
        "civilian_cadre": "integration_civil",
        "defector": "integration_army",
    }


def default_pathway_requirements() -> dict[str, dict[str, Any]]:
    """A new rule set's requirements per pathway (`ddr.eligibility.rules.Requirements`); a pathway
    not listed, or a value not given, follows the general fields.

    Civilian cadres join the civil service as civilians: no weapon, no military medical examination
    (roadmap of 18 December 2020, items 7 and 13: "intégrer les cadres civils des mouvements dans la
    fonction publique"). The age ceiling of 45 for the army and the security forces is ours, not the
    report's (it gives none): a draft to be set by the commission."""
    return {
        "integration_army": {"max_age": 45},
        "integration_security": {"max_age": 45},
        "integration_civil": {"weapon": False, "medical": False},
    }


def default_quotas() -> dict[str, Any]:
    # 10,000 integration / 16,000 DDR (2018 agreement); no quota elsewhere.
    return {"integration_army": {"total": 10_000}, "reinsertion": {"total": 16_000}}


class RuleSet(models.Model):
    """Eligibility criteria as negotiated at one time: every decision names the rule set that made it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    class Priority(models.TextChoices):
        REGISTRATION = "registration", _("First registered first")
        OLDEST = "oldest", _("Oldest first")

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    # Cantonment is an interim measure: every stay gets a leave-by date from this.
    max_stay_days = models.PositiveSmallIntegerField(_("maximum stay in cantonment (days)"), default=45)
    integration_requires_weapon = models.BooleanField(_("integration requires a weapon"), default=True)
    medical_fitness_required = models.BooleanField(
        _("medical fitness required for integration"), default=True
    )
    vetting_required = models.BooleanField(_("vetting required"), default=True)
    age_verification_required = models.BooleanField(_("age verification required"), default=False)
    # A volunteer for civilian life goes to reinsertion even when integration is open to them.
    civilian_choice_respected = models.BooleanField(
        _("a choice of civilian life leads to reinsertion"), default=True, db_default=True
    )
    category_pathways = models.JSONField(_("pathway of each category"), default=default_category_pathways)
    pathway_requirements = models.JSONField(
        _("requirements of each pathway"), default=default_pathway_requirements, blank=True
    )
    integration_fallback = models.CharField(
        _("pathway when integration is refused"), max_length=24, default="reinsertion"
    )
    quotas = models.JSONField(_("quotas"), default=default_quotas, blank=True)
    priority = models.CharField(
        _("priority when a quota is full"),
        max_length=16,
        choices=Priority.choices,
        default=Priority.REGISTRATION,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("activated by"),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    # The decision of the register that adopted the rule set and agreed its quotas, when one did.
    decision = models.ForeignKey(
        "core.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rulesets",
        verbose_name=_("decision (register)"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        constraints = [
            models.CheckConstraint(
                name="ruleset_period_ends_after_start",
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gt=models.F("effective_from")),
            ),
            models.UniqueConstraint(fields=["name", "version"], name="ruleset_name_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("ddr:ruleset-detail", args=[self.pk])


class EligibilityRun(models.Model):
    """One recomputation of every pathway under a rule set: who, when, what changed."""

    ruleset = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="runs", verbose_name=_("rule set")
    )
    job = models.OneToOneField("core.Job", on_delete=models.PROTECT, related_name="eligibility_run")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    changed = models.PositiveIntegerField(_("decisions changed"), default=0)
    waitlisted = models.PositiveIntegerField(_("on waiting lists"), default=0)
    counts = models.JSONField(_("people per pathway"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("eligibility run")
        verbose_name_plural = _("eligibility runs")

    def __str__(self) -> str:
        return f"{self.ruleset} @ {self.started_at:%Y-%m-%d %H:%M}"


class WaitingPlace(models.Model):
    """A person waiting for a place in a pathway's quota (position 1 is next in).

    Its own narrow table, not a column of the person: one departure moves everyone behind up,
    and rewriting a wide, heavily indexed person row for each would make every recompute slow.
    The list is derived (decisions, quotas, priority, all audited) and rebuilt by every run."""

    combatant = models.OneToOneField(
        "ddr.Combatant",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="waiting_place",
        verbose_name=_("person"),
    )
    pathway = models.CharField(_("pathway"), max_length=24)
    position = models.PositiveIntegerField(_("position"))
    since = models.DateTimeField(_("waiting since"))

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["pathway", "position"]
        indexes = [models.Index(fields=["pathway", "position"], name="waiting_place_order")]
        verbose_name = _("waiting place")
        verbose_name_plural = _("waiting places")

    def __str__(self) -> str:
        return f"{self.pathway} #{self.position}"
