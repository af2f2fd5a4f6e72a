from __future__ import annotations

import hashlib
import hmac
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Role
from core.querysets import RegionScopedQuerySet


class Coalition(models.Model):
    """CMA, Platform, CMI... Movements join and leave them over time (see CoalitionMembership)."""

    code = models.CharField(_("acronym"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    signatory = models.BooleanField(_("signatory of the 2015 Agreement"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("coalition")
        verbose_name_plural = _("coalitions")

    def __str__(self) -> str:
        return self.code


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
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("armed group")
        verbose_name_plural = _("armed groups")

    def __str__(self) -> str:
        return self.code

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
        ArmedGroup, on_delete=models.CASCADE, related_name="coalition_memberships", verbose_name=_("group")
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


class Category(models.TextChoices):
    COMBATANT_ARMED = "combatant_armed", _("Combatant with a weapon")
    COMBATANT_UNARMED = "combatant_unarmed", _("Combatant or associate without a weapon")
    WOMAN_ASSOCIATED = "woman_associated", _("Woman associated with an armed group")
    CHILD = "child", _("Child associated with an armed group")
    EX_MDSF = "ex_mdsf", _("Former member of the defence and security forces")
    CIVILIAN_CADRE = "civilian_cadre", _("Civilian cadre of a movement")
    DEFECTOR = "defector", _("Defector")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class CombatantQuerySet(RegionScopedQuerySet):
    def for_user(self, user: Any) -> Self:
        """Children are opened by the child-protection role only; everyone else never sees them."""
        qs = super().for_user(user)
        if user and user.is_authenticated and user.role == Role.CHILD_PROTECTION:
            return qs.filter(category=Category.CHILD)
        return qs.exclude(category=Category.CHILD)

    def adults(self) -> Self:
        return self.exclude(category=Category.CHILD)


class Combatant(models.Model):
    """A person registered in the programme (combatant, associated woman, child, ex-MDSF...)."""

    class Status(models.TextChoices):
        PRE_REGISTERED = "pre_registered", _("Pre-registered")
        REGISTERED = "registered", _("Registered")
        SCREENED = "screened", _("Screened")
        CANTONED = "cantoned", _("In cantonment")
        DEMOBILISED = "demobilised", _("Demobilised")
        INTEGRATED = "integrated", _("Integrated")
        REINSERTED = "reinserted", _("Reinserted")
        REFERRED = "referred", _("Separated, referred to child protection")
        EXCLUDED = "excluded", _("Excluded")

    registration_number = models.CharField(_("registration number"), max_length=20, unique=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_year_approximate = models.BooleanField(_("approximate year"), default=False)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region of residence")
    )
    movement = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="members", verbose_name=_("movement")
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    has_weapon = models.BooleanField(_("declared a weapon"), default=False)
    registered_at = models.DateField(_("registered on"))
    history = HistoricalRecords()

    objects = CombatantQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("registered person")
        verbose_name_plural = _("registered people")
        indexes = [
            models.Index(fields=["region", "category"]),
            models.Index(fields=["movement", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.family_name} {self.given_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def pseudonym(self) -> str:
        return pseudonym_for(self.pk)


def pseudonym_for(pk: int) -> str:
    """A stable identifier for analysts: keyed HMAC of the id, never reversible without the key."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"combatant:{pk}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:16].upper()
