from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import RegionScopedQuerySet


class Unit(models.Model):
    """A MOC mixed unit or a reconstituted battalion (BATFAR)."""

    class Kind(models.TextChoices):
        MOC = "moc", _("Unité mixte du MOC")
        BATFAR = "batfar", _("Bataillon reconstitué (BATFAR)")
        COMPANY = "company", _("Compagnie reconstituée")

    name = models.CharField(_("nom"), max_length=120, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("région"))
    location = models.CharField(_("garnison"), max_length=120, blank=True)
    established = models.DateField(_("créée le"), null=True, blank=True)
    dissolved = models.DateField(_("dissoute le"), null=True, blank=True)
    authorised_strength = models.PositiveIntegerField(_("effectif autorisé"), default=0)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("unité")
        verbose_name_plural = _("unités")

    def __str__(self) -> str:
        return self.name
