from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.querysets import RegionScopedQuerySet

# Each grouping keeps the counts one family of dashboard figures needs, by region and month of
# registration; the columns a grouping does not use hold "" or 0. Three narrow groupings stay
# small where one grouping by every column would hold nearly a row per person.
GROUPINGS = {
    "status": ["status", "pathway"],  # the funnel, pathways by region, quotas
    "sex": ["pathway", "sex"],  # merged records left out
    "movement": ["pathway", "movement_id"],  # merged records left out
}
KEY = ["grouping", "region", "month", "status", "pathway", "sex", "movement_id"]


class TallyQuerySet(RegionScopedQuerySet):
    def for_user(self, user: Any) -> Self:
        # Children are not tallied: the child-protection role reads none of these counts.
        if user and user.is_authenticated and user.role == Role.CHILD_PROTECTION:
            return self.none()
        return super().for_user(user)


class RegisterTally(models.Model):
    """How many people (children left out) share a region, a month of registration and the
    columns of one grouping. Derived data: written only by the database triggers of migration
    0013 on every insert, update, delete and COPY of a person, and never archived."""

    grouping = models.CharField(max_length=8)
    region = models.ForeignKey(
        "core.Region", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(_("month of registration"))
    status = models.CharField(max_length=16)
    pathway = models.CharField(max_length=24)
    sex = models.CharField(max_length=1)
    movement_id = models.BigIntegerField()
    n = models.IntegerField(default=0)

    objects = TallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("register tally")
        verbose_name_plural = _("register tallies")
        constraints = [models.UniqueConstraint(fields=KEY, name="register_tally_key")]

    def __str__(self) -> str:
        return f"{self.grouping} {self.month:%Y-%m}: {self.n}"
