"""Consent and signed terms: the versioned texts read to people (IDDRS 4.20 Annex C declaration of
voluntary participation, the data-processing notice), what each person answered, and what they
withdrew of the optional processing (photo, biometric reference, sharing with a named partner)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PersonScopedQuerySet

__all__ = ["ConsentKind", "ConsentLanguage", "ConsentRecord", "ConsentText", "ConsentWithdrawal", "Optional"]


class ConsentKind(models.TextChoices):
    DECLARATION = "declaration", _("Declaration of voluntary participation")
    DATA_NOTICE = "data_notice", _("Data-processing notice")


class ConsentLanguage(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    BAMBARA = "bm", _("Bambara")
    SONGHAI = "ses", _("Songhai")
    TAMASHEQ = "tmh", _("Tamasheq")
    FULFULDE = "ff", _("Fulfulde")


# The texts the project ships itself; any other language needs its translator's name.
SHIPPED_LANGUAGES = ("fr", "en")


class Optional(models.TextChoices):
    """The optional processing a person may refuse or withdraw: the programme works without it."""

    PHOTO = "photo", _("Photo")
    BIOMETRIC = "biometric", _("Biometric reference")
    SHARING = "sharing", _("Sharing with a named partner")


class ConsentText(models.Model):
    """One version of one text in one language. One version per kind and language is active: the
    one officers read; activating a new version retires the previous one (records keep naming it)."""

    kind = models.CharField(_("text"), max_length=12, choices=ConsentKind.choices)
    language = models.CharField(_("language"), max_length=3, choices=ConsentLanguage.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    translator = models.CharField(_("translator"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=False)
    created_on = models.DateField(_("written on"), default=timezone.localdate)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "language", "-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "version"], name="consent_text_version_unique"
            ),
            models.UniqueConstraint(
                fields=["kind", "language"], condition=Q(active=True), name="consent_text_one_active"
            ),
            models.CheckConstraint(
                condition=Q(language__in=SHIPPED_LANGUAGES) | ~Q(translator=""),
                name="consent_text_translator_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language}) v{self.version}"


class ConsentRecord(models.Model):
    """What a person answered when a text was read to them: signed, thumb-printed or refused; the
    scanned form when there is one. A record may also give consent again to optional processing
    the person had withdrawn (`restores`)."""

    class Outcome(models.TextChoices):
        SIGNED = "signed", _("Signed")
        THUMBPRINT = "thumbprint", _("Thumb-printed")
        REFUSED = "refused", _("Refused")

    combatant = models.ForeignKey(
        "ddr.Combatant", on_delete=models.PROTECT, related_name="consent_records", verbose_name=_("person")
    )
    text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="records", verbose_name=_("text read")
    )
    language = models.CharField(_("read in"), max_length=3, choices=ConsentLanguage.choices)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("read by")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    outcome = models.CharField(_("answer"), max_length=10, choices=Outcome.choices)
    recorded_on = models.DateField(_("date"))
    scan = models.FileField(_("scanned form"), upload_to="consent/%Y/", blank=True)
    restores = models.CharField(
        _("consent given again for"), max_length=10, choices=Optional.choices, blank=True
    )
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_on", "-created_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["combatant", "recorded_on"], name="consent_record_person")]

    def __str__(self) -> str:
        return f"{self.combatant_id} {self.text_id} {self.outcome}"

    @property
    def given(self) -> bool:
        return self.outcome != self.Outcome.REFUSED


class ConsentWithdrawal(models.Model):
    """A person withdrew consent to one optional processing; what it covers was removed or hidden
    by the service that recorded it."""

    combatant = models.ForeignKey(
        "ddr.Combatant",
        on_delete=models.PROTECT,
        related_name="consent_withdrawals",
        verbose_name=_("person"),
    )
    scope = models.CharField(_("withdrawn"), max_length=10, choices=Optional.choices)
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    withdrawn_on = models.DateField(_("date"))
    reason = models.CharField(_("reason given"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-withdrawn_on", "-created_at", "-id"]
        verbose_name = _("consent withdrawal")
        verbose_name_plural = _("consent withdrawals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="sharing") | ~Q(partner=""), name="consent_withdrawal_partner_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.combatant_id} {self.scope} {self.partner}".strip()
