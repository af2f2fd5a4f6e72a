from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """An administrative region of Mali (reference data, loaded by a migration)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Cercle(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cercles", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("cercle")
        verbose_name_plural = _("cercles")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="cercle_unique_in_region")]

    def __str__(self) -> str:
        return self.name


class Job(models.Model):
    """Long work run on the Celery worker; the page polls it to draw a progress bar."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("type"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("processed"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ExportLog(models.Model):
    """Every export of data: who, why, what filter, how many rows, and the file's fingerprint."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    what = models.CharField(_("what"), max_length=64)
    file_format = models.CharField(_("format"), max_length=8)
    filters = models.CharField(_("filters"), max_length=1000, blank=True)
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    identity = models.BooleanField(_("names or other identifying data"), default=False)
    row_count = models.PositiveIntegerField(_("rows"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.what} {self.file_format} by {self.user_id} ({self.row_count})"
