from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    COMMISSION_OFFICER = "commission_officer", _("Commission officer (national)")
    REGIONAL_OFFICER = "regional_officer", _("Regional officer")
    ANALYST = "analyst", _("Mission analyst")
    CHILD_PROTECTION = "child_protection", _("Child-protection officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Receives the sensitive grievances (sexual exploitation and abuse, gender-based violence, a
    # child): nobody else reads them. National, and no way into the register.
    FOCAL_POINT = "focal_point", _("Protection focal point (SEA, GBV)")


class User(AbstractUser):
    """A person who signs in. The role decides what they see; the region bounds a regional officer."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.COMMISSION_OFFICER)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
        help_text=_("Required for a regional officer, who sees only this region."),
    )
    # Who gave whom which role, when: kept. The password hash is not copied into the history,
    # nor the last sign-in (each sign-in saves it; the row still says when).
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="regional_officer_has_region",
                condition=~models.Q(role="regional_officer") | models.Q(region__isnull=False),
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.REGIONAL_OFFICER and self.region_id is None:
            raise ValidationError({"region": _("A regional officer must have a region.")})

    def save(self, *args: object, **kwargs: object) -> None:
        # Administrators reach the Django admin; nobody else does. A superuser is an administrator:
        # `createsuperuser` makes one, and one given another role keeps no superuser's way in.
        if self.is_superuser and self._state.adding:
            self.role = Role.ADMINISTRATOR
        if self.role != Role.ADMINISTRATOR:
            self.is_superuser = False
        self.is_staff = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    # Small predicates used by the scoping functions and templates.
    @property
    def is_analyst(self) -> bool:
        return self.role == Role.ANALYST

    @property
    def is_regional(self) -> bool:
        return self.role == Role.REGIONAL_OFFICER

    @property
    def is_child_protection(self) -> bool:
        return self.role == Role.CHILD_PROTECTION


# Whoever a request carries: a signed-in user, or nobody yet. Scoping accepts both (nobody sees nothing).
AnyUser: TypeAlias = User | AnonymousUser


# Roles that open children's records or the admin itself: one administrator asks, another approves.
GUARDED_ROLES = frozenset({Role.CHILD_PROTECTION, Role.ADMINISTRATOR})


class RoleGrant(models.Model):
    """A request to give a user a guarded role, decided by a second administrator.

    The administrator who asks cannot approve (nor can the user who would hold the role): an
    administrator alone can no longer open children's records by giving themself the role.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second administrator")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("role request")
        verbose_name_plural = _("role requests")
        constraints = [
            # The second administrator is a different person, whatever path writes the row.
            models.CheckConstraint(
                name="role_grant_decided_by_another",
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
            ),
            models.CheckConstraint(
                name="role_grant_decided_by_not_grantee",
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("user")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.get_role_display()} ({self.get_status_display()})"
