from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMISSION_OFFICER = "commission_officer", _("Commission officer (national)")
    REGIONAL_OFFICER = "regional_officer", _("Regional officer")
    ANALYST = "analyst", _("Mission analyst")
    CHILD_PROTECTION = "child_protection", _("Child-protection officer")
    ADMINISTRATOR = "administrator", _("Administrator")


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
        # Administrators reach the Django admin; nobody else does.
        self.is_staff = self.role == Role.ADMINISTRATOR or self.is_superuser
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
