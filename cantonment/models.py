from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import RegionScopedQuerySet


class Site(models.Model):
    """A cantonment, pre-cantonment or transit site and where it stands in its lifecycle."""

    class Kind(models.TextChoices):
        PRE_CANTONMENT = "pre_cantonment", _("Site de pré-cantonnement")
        CANTONMENT = "cantonment", _("Site de cantonnement")
        TRANSIT = "transit", _("Camp de transit")
        PROCESSING = "processing", _("Centre de traitement ou de démobilisation")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposé")
        VALIDATED = "validated", _("Validé par la CTS")
        UNDER_CONSTRUCTION = "under_construction", _("En construction")
        BUILT = "built", _("Construit")
        OPERATIONAL = "operational", _("Opérationnel")
        CLOSED = "closed", _("Fermé")
        HANDED_OVER = "handed_over", _("Remis")

    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices,
                              default=Status.PROPOSED)
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("région"))
    cercle = models.ForeignKey("core.Cercle", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("cercle"))
    proposed_by = models.ForeignKey("ddr.ArmedGroup", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposé par"))
    capacity = models.PositiveIntegerField(_("capacité"), default=0)
    places_for_women = models.PositiveIntegerField(_("places pour femmes"), default=0)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    history = HistoricalRecords()

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.CheckConstraint(name="site_women_places_within_capacity",
                                   condition=models.Q(places_for_women__lte=models.F("capacity"))),
        ]

    def __str__(self) -> str:
        return self.name
