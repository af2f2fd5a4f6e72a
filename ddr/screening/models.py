"""Screening: age verification and child separation, vetting against the watch-list, medical
examinations. Each step is recorded here; its outcome is also kept on the person
(`Combatant.age_verified`, `medical_status`, `vetting_status`) for the eligibility rules."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet

# IDDRS 5.20: at most 48 hours between identifying a child and handing them to an interim care centre.
CHILD_HANDOVER_DELAY = dt.timedelta(hours=48)


class AgeAssessment(models.Model):
    class Decision(models.TextChoices):
        ADULT = "adult", _("Adult (18 or over)")
        CHILD = "child", _("Child (under 18)")

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="age_assessments", verbose_name=_("person")
    )
    assessed_on = models.DateField(_("assessed on"))
    evidence = models.CharField(_("evidence seen"), max_length=300)
    assessed_age = models.PositiveSmallIntegerField(_("assessed age"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("age assessment")
        verbose_name_plural = _("age assessments")
        constraints = [
            models.CheckConstraint(
                name="age_decision_matches_age",
                condition=models.Q(decision="child", assessed_age__lt=18)
                | models.Q(decision="adult", assessed_age__gte=18),
            )
        ]

    def __str__(self) -> str:
        return f"{self.combatant_id}: {self.decision} ({self.assessed_on})"


class ChildReferral(models.Model):
    """A child separated and referred to child protection, with the 48-hour hand-over deadline."""

    combatant = models.OneToOneField(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="child_referral", verbose_name=_("child")
    )
    identified_at = models.DateTimeField(_("identified at"))
    handover_deadline = models.DateTimeField(_("hand-over deadline"))
    partner = models.CharField(_("child-protection partner"), max_length=200, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("referred by")
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["handover_deadline"]
        verbose_name = _("child referral")
        verbose_name_plural = _("child referrals")

    def __str__(self) -> str:
        return f"{self.combatant_id} → {self.partner or '?'}"

    @property
    def overdue(self) -> bool:
        return self.handed_over_at is None and timezone.now() > self.handover_deadline


class MedicalExam(models.Model):
    class Result(models.TextChoices):
        FIT = "fit", _("Fit")
        UNFIT = "unfit", _("Unfit")
        REEXAMINATION = "reexamination", _("Re-examination requested")

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="medical_exams", verbose_name=_("person")
    )
    examined_on = models.DateField(_("examined on"))
    examiner = models.CharField(_("examiner"), max_length=200)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    # A provisional finding does not decide; the latest final one does.
    final = models.BooleanField(_("final decision"), default=True)
    disputed = models.BooleanField(_("disputed"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-examined_on", "-id"]
        verbose_name = _("medical examination")
        verbose_name_plural = _("medical examinations")

    def __str__(self) -> str:
        return f"{self.combatant_id}: {self.result} ({self.examined_on})"


class WatchlistEntry(models.Model):
    """Someone suspected of grave crimes (HRDDP); maintained by administrators."""

    name = models.CharField(_("name"), max_length=200)
    aliases = models.CharField(_("aliases (separated by ;)"), max_length=500, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    movement = models.ForeignKey(
        "ddr.ArmedGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("movement"),
    )
    reason = models.CharField(_("reason"), max_length=300)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("watch-list entry")
        verbose_name_plural = _("watch-list entries")

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        return [self.name, *(a.strip() for a in self.aliases.split(";") if a.strip())]


class VettingMatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("To review")
        CLEARED = "cleared", _("Cleared: not the same person")
        CONFIRMED = "confirmed", _("Confirmed: excluded")

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="vetting_matches", verbose_name=_("person")
    )
    entry = models.ForeignKey(
        WatchlistEntry, on_delete=models.PROTECT, related_name="matches", verbose_name=_("watch-list entry")
    )
    score = models.FloatField(_("score"))
    matched_name = models.CharField(_("matched name"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-score"]
        verbose_name = _("vetting match")
        verbose_name_plural = _("vetting matches")
        constraints = [models.UniqueConstraint(fields=["combatant", "entry"], name="vetting_match_once")]

    def __str__(self) -> str:
        return f"{self.combatant_id} ~ {self.entry_id} ({self.score:.2f})"
