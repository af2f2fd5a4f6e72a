"""Roadmaps of priority actions (the report's annex 6.2: 22 March 2018 and 18 December 2020)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Roadmap(models.Model):
    title = models.CharField(_("title"), max_length=300)
    adopted_on = models.DateField(_("adopted on"))
    decision = models.ForeignKey(
        "core.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roadmaps",
        verbose_name=_("decision"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-adopted_on"]
        verbose_name = _("roadmap")
        verbose_name_plural = _("roadmaps")

    def __str__(self) -> str:
        return self.title


class RoadmapAction(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Not started")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    roadmap = models.ForeignKey(Roadmap, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveSmallIntegerField(_("number"))
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    text = models.TextField(_("action"))
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    deadline_text = models.CharField(
        _("deadline as written"),
        max_length=120,
        blank=True,
        help_text=_("“mars-avril 2018”, “1er trim. 2021”…"),
    )
    deadline = models.DateField(_("deadline"), help_text=_("The last day the deadline allows."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    # Set by the worker each morning (`governance.services.flag_overdue`): lists filter on it.
    overdue = models.BooleanField(_("overdue"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["roadmap", "number"]
        verbose_name = _("roadmap action")
        verbose_name_plural = _("roadmap actions")
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "number"], name="roadmap_action_number_once"),
            models.CheckConstraint(
                name="roadmap_action_done_has_date",
                condition=~models.Q(status="done") | models.Q(done_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roadmap_id}.{self.number}"
