"""Sites and their lifecycle, and the stays of people on them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import shown_date
from core.lifecycle import DatedEvent
from core.querysets import PersonScopedQuerySet, RegionScopedQuerySet


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
    commune = models.CharField(_("commune"), max_length=100, blank=True)
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
    children_facilities = models.BooleanField(_("separate facilities for children"), default=False)
    # Kept by the check-in and check-out services in the same statement that admits a person;
    # the constraints below make an over-full site impossible, whoever writes.
    occupancy = models.PositiveIntegerField(_("people present"), default=0, editable=False)
    occupancy_women = models.PositiveIntegerField(_("women present"), default=0, editable=False)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    security_notes = models.TextField(_("security notes"), blank=True)
    cost_xof = models.DecimalField(_("cost (XOF)"), max_digits=14, decimal_places=0, null=True, blank=True)
    handed_over_to = models.CharField(_("handed over to"), max_length=200, blank=True)
    intended_reuse = models.CharField(_("intended reuse"), max_length=200, blank=True)
    # An interim arrangement (a pre-cantonment site) carries the end it was meant to have.
    interim_until = models.DateField(
        _("meant to end on"), null=True, blank=True, help_text=_("For an interim site: flagged once past it.")
    )
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
            models.CheckConstraint(
                name="site_occupancy_within_capacity",
                condition=models.Q(occupancy__lte=models.F("capacity")),
            ),
            models.CheckConstraint(
                name="site_women_within_their_places",
                condition=models.Q(occupancy_women__lte=models.F("places_for_women")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The admin edits capacity: refuse there what the constraints would refuse, with the reason.
        if self.pk is None:
            return
        errors = {}
        if self.capacity < self.occupancy:
            errors["capacity"] = _("%(n)s people are on the site: the capacity cannot be lower.") % {
                "n": self.occupancy
            }
        if self.places_for_women < self.occupancy_women:
            errors["places_for_women"] = _("%(n)s women are on the site: their places cannot be fewer.") % {
                "n": self.occupancy_women
            }
        if errors:
            raise ValidationError(errors)

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.occupancy, 0)


class SiteEvent(DatedEvent):
    """One step of a site's lifecycle: when, decided by whom, recorded by whom."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="events", verbose_name=_("site"))
    status = models.CharField(_("status"), max_length=20, choices=Site.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "on", "id"]
        verbose_name = _("site lifecycle step")
        verbose_name_plural = _("site lifecycle steps")

    def __str__(self) -> str:
        return f"{self.site} : {self.get_status_display()} ({shown_date(self.on)})"

    def get_absolute_url(self) -> str:
        return reverse("cantonment:site-detail", args=[self.site_id])


class StayQuerySet(PersonScopedQuerySet["CantonmentStay"]):
    """A stay is the person's: seen when the person is, whatever the site's region."""


class CantonmentStay(models.Model):
    """A person's stay on a site, from check-in to check-out, with the date they must leave by."""

    class Flag(models.TextChoices):
        NONE = "", _("On time")
        ENDING_SOON = "ending_soon", _("Ends within 7 days")
        OVERSTAY = "overstay", _("Overstay")

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="stays", verbose_name=_("person")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="stays", verbose_name=_("site"))
    checked_in_on = models.DateField(_("checked in on"))
    leave_by = models.DateField(_("leave by"))
    checked_out_on = models.DateField(_("checked out on"), null=True, blank=True)
    # Set by the daily job (cantonment.stays.stays_flag), read by the site and home pages.
    flag = models.CharField(_("alert"), max_length=16, choices=Flag.choices, default=Flag.NONE, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = StayQuerySet.as_manager()

    class Meta:
        ordering = ["site", "leave_by", "id"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.UniqueConstraint(
                fields=["combatant"],
                condition=models.Q(checked_out_on__isnull=True),
                name="stay_one_open_per_person",
            ),
            models.CheckConstraint(
                name="stay_out_after_in",
                condition=models.Q(checked_out_on__isnull=True)
                | models.Q(checked_out_on__gte=models.F("checked_in_on")),
            ),
        ]
        indexes = [models.Index(fields=["site", "checked_out_on"], name="stay_site_open")]

    def __str__(self) -> str:
        return f"{self.combatant_id}@{self.site_id} {self.checked_in_on}"

    @property
    def is_open(self) -> bool:
        return self.checked_out_on is None


class SiteHeadcount(models.Model):
    """People present on a site on a day, written by the daily job: what food support is planned on."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="headcounts")
    day = models.DateField(_("day"))
    people = models.PositiveIntegerField(_("people"))
    women = models.PositiveIntegerField(_("women"))

    class Meta:
        ordering = ["site", "-day"]
        verbose_name = _("daily headcount")
        verbose_name_plural = _("daily headcounts")
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="headcount_one_per_day")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}: {self.people}"
