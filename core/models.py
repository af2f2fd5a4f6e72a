from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


@functools.cache
def _choice_labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    return dict(field.flatchoices)


class ChoiceLabels:
    """`get_<field>_display()` from a dict of labels built once per field. Django's own rebuilds
    the dict, hashing every (lazy, translated) label, at each call: a table of 50 people with four
    such columns spent more on it than on its query. Labels stay lazy: each call is translated
    into the language of the request."""

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(value, value), strings_only=True)


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


# A job task's hard limit is its soft one plus this: time for it to write its failure.
TIME_LIMIT_GRACE = 60


def task_time_limits() -> tuple[int, int]:
    """(soft, hard) seconds a job task may run: at the soft limit it stops and fails its job, at
    the hard one the worker kills it."""
    soft = settings.DDR_TASK_TIME_LIMIT
    return soft, soft + TIME_LIMIT_GRACE


# What each kind of job is called, for the people who read the list of jobs (the admin); each
# app names its own kinds (`job_kind`), core knowing none of them.
JOB_KINDS: dict[str, Any] = {}


def job_kind(code: str, label: Any) -> str:
    JOB_KINDS[code] = label
    return code


class JobQuerySet(models.QuerySet["Job"]):
    def stale(self) -> JobQuerySet:
        """Running jobs with no sign of life for longer than a task may run: their task was killed
        (the hard time limit, a lost worker) and nothing will ever finish them."""
        since = timezone.now() - dt.timedelta(seconds=task_time_limits()[1])
        return self.filter(status=Job.Status.RUNNING).filter(
            Q(updated_at__lt=since) | Q(updated_at__isnull=True, created_at__lt=since)
        )

    def expire_stale(self) -> int:
        return self.stale().update(
            status=Job.Status.FAILED,
            message=_("Stopped: the work gave no sign of life for longer than its time limit."),
            finished_at=timezone.now(),
        )


class Job(models.Model):
    """Long work run on the Celery worker; the page polls it to draw a progress bar.

    Its state changes only through start / advance / finish / fail, each a conditional update:
    a finished job stays finished, so a late or duplicate task never overwrites its outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    OPEN = (Status.QUEUED, Status.RUNNING)

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
    # The last sign of life of its task (start, progress): a running job silent for longer than a
    # task may run is dead (JobQuerySet.stale).
    updated_at = models.DateTimeField(_("last progress"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:  # in the reader's language: a history names a list's job by it
        return f"{JOB_KINDS.get(self.kind, self.kind)} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def _update(self, statuses: tuple[str, ...], **fields: Any) -> bool:
        """Write `fields` if the job is still in one of `statuses`; the instance follows."""
        if not Job.objects.filter(pk=self.pk, status__in=statuses).update(**fields):
            return False
        for name, value in fields.items():
            setattr(self, name, value)
        return True

    def start(self, *, total: int | None = None, message: str | None = None) -> bool:
        """Running (again, when a task is retried or delivered twice). False if the job has
        finished meanwhile: the task then stops and leaves its outcome alone."""
        fields: dict[str, Any] = {"status": self.Status.RUNNING, "updated_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message
        return self._update(self.OPEN, **fields)

    def advance(self, done: int, total: int | None = None, *, message: str | None = None) -> None:
        """Progress of a running job: `done` of `total` (unchanged when not given)."""
        fields: dict[str, Any] = {"done": done, "updated_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message
        self._update((self.Status.RUNNING,), **fields)

    def finish(self, message: str = "", *, done: int | None = None, total: int | None = None) -> bool:
        """Done, with what the page shows under the bar; nothing if the job already finished."""
        fields: dict[str, Any] = {
            "status": self.Status.DONE,
            "message": message,
            "finished_at": timezone.now(),
        }
        if done is not None:
            fields["done"] = done
        if total is not None:
            fields["total"] = total
        return self._update(self.OPEN, **fields)

    def fail(self, message: str) -> bool:
        """Failed, saying why (the page shows it and stops polling); the first reason is kept."""
        return self._update(self.OPEN, status=self.Status.FAILED, message=message, finished_at=timezone.now())


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


from core.decisions import Body as Body  # noqa: E402  (the register of decisions: its own module)
from core.decisions import Decision as Decision  # noqa: E402


