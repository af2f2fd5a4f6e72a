"""What a community asked for and how it was consulted, project by project (the report's
recommendation X: not only "requests from communities and/or local authorities", but recorded)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import RegionScopedQuerySet


class ConsultationQuerySet(RegionScopedQuerySet["CommunityConsultation"]):
    region_field = "project__region"


class CommunityConsultation(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "request", _("Request from the community or local authorities")
        CONSULTATION = "consultation", _("Community consultation")
        FEEDBACK = "feedback", _("Feedback meeting during implementation")

    project = models.ForeignKey(
        "cvr.Project", on_delete=models.PROTECT, related_name="consultations", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    # Who spoke for the community: a village chief, the mayor, a women's association.
    raised_by = models.CharField(_("raised by"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    women = models.PositiveIntegerField(_("of whom women"), default=0)
    summary = models.TextField(_("what was asked or said"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    history = HistoricalRecords()

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["project", "on", "id"]
        verbose_name = _("community consultation")
        verbose_name_plural = _("community consultations")
        constraints = [
            models.CheckConstraint(
                name="consultation_women_within_participants",
                condition=models.Q(women__lte=models.F("participants")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.get_kind_display()} ({self.on})"
