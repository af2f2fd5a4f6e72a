from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet


class Coalition(models.Model):
    """CMA, Platform, CMI... Movements join and leave them over time (see CoalitionMembership)."""

    code = models.CharField(_("acronym"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    signatory = models.BooleanField(_("signatory of the 2015 Agreement"), default=False)
    signed_on = models.DateField(_("signed the Agreement on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("Source of the dates."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("coalition")
        verbose_name_plural = _("coalitions")

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("ddr:armed-group-list") + f"#coalition-{self.pk}"


class ArmedGroup(models.Model):
    """A movement, militia or self-defence group, as it appears on submitted lists."""

    class Kind(models.TextChoices):
        MOVEMENT = "movement", _("Signatory movement")
        SPLINTER = "splinter", _("Inclusivity movement")
        MILITIA = "militia", _("Militia or self-defence group (non-signatory)")
        DEFECTORS = "defectors", _("Defectors from extremist groups")

    code = models.CharField(_("acronym"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="splinters",
        verbose_name=_("split from"),
    )
    # UN-listed for recruiting children: their lists get closer age screening.
    listed_for_child_recruitment = models.BooleanField(_("UN-listed for recruiting children"), default=False)
    # A movement signs the Agreement (or adheres to it, the inclusivity movements) on its own date.
    signed_on = models.DateField(_("signed or adhered to the Agreement on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("Source of the dates."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("armed group")
        verbose_name_plural = _("armed groups")

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("ddr:armed-group-detail", args=[self.pk])

    def coalition_on(self, day: Any) -> Coalition | None:
        membership = (
            self.coalition_memberships.filter(start__lte=day)
            .filter(models.Q(end__isnull=True) | models.Q(end__gt=day))
            .select_related("coalition")
            .first()
        )
        return membership.coalition if membership else None


class CoalitionMembership(models.Model):
    """A movement's membership of a coalition, with dates: groups split and change sides."""

    group = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="coalition_memberships", verbose_name=_("group")
    )
    coalition = models.ForeignKey(
        Coalition, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("coalition")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group__code", "start"]
        verbose_name = _("coalition membership")
        verbose_name_plural = _("coalition memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_end_after_start",
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.coalition} ({self.start:%Y})"

    def get_absolute_url(self) -> str:
        return reverse("ddr:armed-group-detail", args=[self.group_id])


class SubmittedList(models.Model):
    """A movement's certified list of its members, as submitted; versions chain through `previous`."""

    class Recipient(models.TextChoices):
        CTS = "cts", _("Technical Security Commission (CTS)")
        CNDDR = "cnddr", _("National DDR Commission (CNDDR)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        DISPUTED = "disputed", _("Disputed")

    title = models.CharField(_("title"), max_length=200)
    movement = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="lists", verbose_name=_("movement")
    )
    submitted_to = models.CharField(_("submitted to"), max_length=8, choices=Recipient.choices)
    submitted_on = models.DateField(_("submitted on"))
    certified_by = models.CharField(_("certified by"), max_length=200, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    # The decision of the register that endorsed (or disputed) the list, when one did.
    decision = models.ForeignKey(
        "core.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lists",
        verbose_name=_("decision (register)"),
    )
    # Set by duplicate detection when too many of the list's people are probable duplicates:
    # the list cannot be accepted while its pairs are open.
    held_share = models.FloatField(_("share of probable duplicates when held"), null=True, blank=True)
    held_limit = models.FloatField(_("limit when held"), null=True, blank=True)
    duplicates_job = models.ForeignKey(
        "core.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("duplicate search"),
    )
    original_file = models.FileField(_("original file"), upload_to="lists/%Y/")
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, unique=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_on", "movement__code", "-version"]
        verbose_name = _("submitted list")
        verbose_name_plural = _("submitted lists")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("ddr:list-detail", args=[self.pk])

    @property
    def hold_reason(self) -> str:
        """Why duplicate detection holds the list ('' when it does not), in the reader's language."""
        if self.held_share is None:
            return ""
        return _("%(share)s of its people are probable duplicates (limit %(limit)s).") % {
            "share": f"{self.held_share:.0%}",
            "limit": f"{self.held_limit or 0:.0%}",
        }


class ListEntry(models.Model):
    """One line of a submitted list, tied to the person it brought in: provenance, kept for ever."""

    submitted_list = models.ForeignKey(SubmittedList, on_delete=models.PROTECT, related_name="entries")
    combatant = models.ForeignKey("ddr.Combatant", on_delete=models.PROTECT, related_name="list_entries")
    line = models.PositiveIntegerField(_("line"))
    movement_ref = models.CharField(_("movement's own reference"), max_length=40, blank=True)
    # A merge moves entries to the kept person: the move is kept. Written in bulk by every import.
    history = HistoricalRecords(no_db_index=["submitted_list", "combatant"])

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_list", "line"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        constraints = [
            models.UniqueConstraint(fields=["submitted_list", "line"], name="list_entry_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submitted_list_id}:{self.line}"


class ListImport(models.Model):
    """An import in progress: validated and previewed first, committed (all or nothing) on request."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking the file")
        INVALID = "invalid", _("Errors found")
        READY = "ready", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed, nothing saved")

    job = models.OneToOneField("core.Job", on_delete=models.PROTECT, related_name="list_import")
    file = models.FileField(upload_to="imports/%Y/")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    movement = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("movement")
    )
    submitted_to = models.CharField(_("submitted to"), max_length=8, choices=SubmittedList.Recipient.choices)
    submitted_on = models.DateField(_("submitted on"))
    certified_by = models.CharField(_("certified by"), max_length=200, blank=True)
    previous = models.ForeignKey(
        SubmittedList,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous version"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VALIDATING)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first DDR_IMPORT_MAX_ERRORS
    error_count = models.PositiveIntegerField(default=0)  # all of them
    diff = models.JSONField(default=dict, blank=True)
    # The rows as checked in phase 1 (JSON), so the commit need not parse the file again.
    checked_rows = models.FileField(upload_to="imports/checked/", blank=True)
    message = models.TextField(blank=True)
    result = models.OneToOneField(
        SubmittedList, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_record"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"
