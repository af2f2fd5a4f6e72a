from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import RegionScopedQuerySet


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
    established = models.DateField(_("established on"), null=True, blank=True)
    dissolved = models.DateField(_("dissolved on"), null=True, blank=True)
    authorised_strength = models.PositiveIntegerField(_("authorised strength"), default=0)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name
