from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import RegionScopedQuerySet


class Site(models.Model):
    """A cantonment, pre-cantonment or transit site and where it stands in its lifecycle."""

    class Kind(models.TextChoices):
        PRE_CANTONMENT = "pre_cantonment", _("Pre-cantonment site")
        CANTONMENT = "cantonment", _("Cantonment site")
        TRANSIT = "transit", _("Transit camp")
        PROCESSING = "processing", _("Processing or demobilisation centre")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        VALIDATED = "validated", _("Validated by the CTS")
        UNDER_CONSTRUCTION = "under_construction", _("Under construction")
        BUILT = "built", _("Built")
        OPERATIONAL = "operational", _("Operational")
        CLOSED = "closed", _("Closed")
        HANDED_OVER = "handed_over", _("Handed over")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
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
    proposed_by = models.ForeignKey(
        "ddr.ArmedGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    places_for_women = models.PositiveIntegerField(_("places for women"), default=0)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.CheckConstraint(
                name="site_women_places_within_capacity",
                condition=models.Q(places_for_women__lte=models.F("capacity")),
            ),
        ]

    def __str__(self) -> str:
        return self.name
