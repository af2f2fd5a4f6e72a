"""Probable duplicates: the pairs found, the decisions on them, and merges that can be undone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet


class MatchingSettings(models.Model):
    """The thresholds administrators tune (one row), shown with their effect on the queue."""

    strong = models.FloatField(_("proposed as the same person from"), default=0.999)
    review = models.FloatField(_("sent to review from"), default=0.5)
    list_hold_share = models.FloatField(_("list held for review above this share of duplicates"), default=0.1)
    # The matcher's learned Fellegi-Sunter model, written after each search and explained on the
    # thresholds page: {"prior", "people", "trained", "comparisons": [{"name", "label", "levels":
    # [{"label", "m", "u", "weight", "tf"}]}]} (labels are English msgids, translated when shown).
    model = models.JSONField(_("matching model"), default=dict, blank=True)
    model_trained_at = models.DateTimeField(_("model learned at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duplicate-detection settings")
        verbose_name_plural = _("duplicate-detection settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(review__gt=0) & Q(review__lte=F("strong")) & Q(strong__lte=1),
                name="matching_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.review} / {self.strong}"

    @classmethod
    def current(cls) -> MatchingSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class DuplicatePairQuerySet(PersonScopedQuerySet["DuplicatePair"]):
    person_fields = ("first", "second")

    def touching(self, people: Any) -> DuplicatePairQuerySet:
        """Pairs with at least one of `people` (ids, or a values queryset of ids)."""
        return self.filter(Q(first__in=people) | Q(second__in=people))


class DuplicatePair(models.Model):
    """Two records that may be one person (`first` has the smaller id), with the score and why."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        SAME = "same", _("Same person (merged)")
        DIFFERENT = "different", _("Different people")

    first = models.ForeignKey("ddr.Combatant", on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey("ddr.Combatant", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("score"))
    agreed = models.JSONField(_("agreed"), default=list)
    differed = models.JSONField(_("differed"), default=list)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = DuplicatePairQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("probable duplicate")
        verbose_name_plural = _("probable duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="duplicate_pair_ordered"),
        ]
        # The queue (open pairs, best first) is read in the index's order and stops at the page; the
        # threshold preview counts open pairs by score from it alone.
        indexes = [
            models.Index(
                fields=["-score", "id"], condition=Q(status="open"), name="duplicate_pair_open_queue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.2f})"


class MergeQuerySet(PersonScopedQuerySet["Merge"]):
    person_fields = ("kept", "absorbed")


class Merge(models.Model):
    """`absorbed` merged into `kept`: what moved, so that it can be moved back."""

    # A pair may be merged again after an undo: one merge in force at a time (the constraint below).
    pair = models.ForeignKey(DuplicatePair, on_delete=models.PROTECT, related_name="merges")
    kept = models.ForeignKey("ddr.Combatant", on_delete=models.PROTECT, related_name="merges_kept")
    absorbed = models.ForeignKey("ddr.Combatant", on_delete=models.PROTECT, related_name="merges_absorbed")
    moved = models.JSONField(_("moved records"), default=dict)
    kept_aliases_before = models.CharField(max_length=200, blank=True)
    absorbed_status_before = models.CharField(max_length=20)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = MergeQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        constraints = [
            models.UniqueConstraint(
                fields=["pair"], condition=Q(undone_at__isnull=True), name="merge_one_in_force_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.kept_id}"
