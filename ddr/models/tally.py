from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import CombatantQuerySet

# The register's columns the dashboard counts by. Database triggers (migration 0013) keep one
# row per combination up to date on every insert, update, delete and COPY of a person, so a
# national count reads thousands of rows instead of a million.
TALLIED = ["region", "movement", "month", "category", "status", "pathway", "sex"]


class RegisterTally(models.Model):
    """How many people share a region, movement, month of registration, category, status,
    pathway and sex. Derived data: written only by the triggers, never archived."""

    region = models.ForeignKey(
        "core.Region", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    movement = models.ForeignKey(
        "ddr.ArmedGroup", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(_("month of registration"))
    category = models.CharField(max_length=24)
    status = models.CharField(max_length=16)
    pathway = models.CharField(max_length=24)
    sex = models.CharField(max_length=1)
    n = models.IntegerField(default=0)

    objects = CombatantQuerySet.as_manager()  # read with the same scope as the people it counts

    class Meta:
        verbose_name = _("register tally")
        verbose_name_plural = _("register tallies")
        constraints = [models.UniqueConstraint(fields=TALLIED, name="register_tally_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status} {self.pathway}: {self.n}"
