"""The people a CVR project reaches: ex-combatants linked to their registered record, community
members with minimal data; and the bulk imports that register them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet
from ddr.models import Sex, VettingMatch, VettingStatus


class AgeBand(models.TextChoices):
    B15_17 = "15-17", _("15 to 17")
    B18_24 = "18-24", _("18 to 24")
    B25_35 = "25-35", _("25 to 35")
    B36_59 = "36-59", _("36 to 59")
    B60 = "60+", _("60 and over")


# Youth as the national youth policy counts it: 15 to 35.
YOUTH_BANDS = (AgeBand.B15_17, AgeBand.B18_24, AgeBand.B25_35)


class BeneficiaryQuerySet(PersonScopedQuerySet["Beneficiary"]):
    """A registered beneficiary is seen when the person is; a community member by the project's region."""

    region_field = "project__region"


class Beneficiary(models.Model):
    class Kind(models.TextChoices):
        EX_COMBATANT = "ex_combatant", _("Ex-combatant")
        COMMUNITY = "community", _("Community member")

    project = models.ForeignKey(
        "cvr.Project", on_delete=models.PROTECT, related_name="participants", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    combatant = models.ForeignKey(
        "ddr.Combatant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cvr_participations",
        verbose_name=_("registered person"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    village = models.CharField(_("village"), max_length=100, blank=True)
    youth_at_risk = models.BooleanField(_("youth at risk"), default=False)
    # Community members are matched against the watch-list like the register; an ex-combatant's
    # vetting is the register's own (`combatant.vetting_status`).
    vetting_status = models.CharField(
        _("vetting"), max_length=12, choices=VettingStatus.choices, default="", blank=True
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        ordering = ["project", "kind", "name", "id"]
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "combatant"],
                condition=models.Q(combatant__isnull=False),
                name="beneficiary_once_per_project",
            ),
            models.CheckConstraint(
                name="beneficiary_ex_combatant_is_registered",
                condition=models.Q(kind="community") | models.Q(combatant__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.kind}:{self.combatant_id or self.name}"

    @property
    def is_youth(self) -> bool:
        return self.age_band in YOUTH_BANDS


class ParticipantMatch(models.Model):
    """A community participant whose name is close to a watch-list entry. The Human Rights
    section clears it (not the same person) or confirms it (the participant is excluded and no
    longer counted), as for the register's `ddr.VettingMatch`."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="watchlist_matches", verbose_name=_("beneficiary")
    )
    entry = models.ForeignKey(
        "ddr.WatchlistEntry",
        on_delete=models.PROTECT,
        related_name="participant_matches",
        verbose_name=_("watch-list entry"),
    )
    score = models.FloatField(_("score"))
    matched_name = models.CharField(_("matched name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=VettingMatch.Status.choices, default=VettingMatch.Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("participant match")
        verbose_name_plural = _("participant matches")
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "entry"], name="participant_match_once"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id}~{self.entry_id} ({self.score})"


class BeneficiaryImport(models.Model):
    """A file of beneficiaries for one project: checked whole, saved whole or not at all."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        INVALID = "invalid", _("Errors found, nothing saved")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed, nothing saved")

    job = models.OneToOneField("core.Job", on_delete=models.PROTECT, related_name="beneficiary_import")
    project = models.ForeignKey("cvr.Project", on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to="cvr-imports/%Y/")
    filename = models.CharField(max_length=255)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first DDR_IMPORT_MAX_ERRORS
    error_count = models.PositiveIntegerField(default=0)  # all of them
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("beneficiary import")
        verbose_name_plural = _("beneficiary imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"
