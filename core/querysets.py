"""Row-level access, in one place: every view, endpoint, export and admin page uses these.

Two kinds of records:
- records of a place (a site, a unit, a project): `RegionScopedQuerySet`, bounded by region;
- records of a person (documents, weapons, list entries, assessments, stays, memberships...):
  `PersonScopedQuerySet`, seen exactly when the person is (their region, children only for the
  child-protection role). The person model (settings.PERSON_MODEL) says who may see a person, in
  its queryset's `scope_q`; everything that belongs to a person asks it, so the rule is written once.
"""

from __future__ import annotations

from typing import Any, Self, TypeGuard, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import models

from accounts.models import AnyUser, Role, User

_M = TypeVar("_M", bound=models.Model)


def signed_in(user: AnyUser) -> TypeGuard[User]:
    return bool(user and user.is_authenticated and user.is_active)


class RegionScopedQuerySet(models.QuerySet[_M]):
    """Records that belong to a region: a regional officer sees only that region."""

    region_field = "region"

    def for_user(self, user: AnyUser) -> Self:
        if not signed_in(user):
            return self.none()
        if user.role == Role.REGIONAL_OFFICER:
            if user.region_id is None:
                return self.none()
            return self.filter(**{self.region_field: user.region_id})
        return self


def person_model() -> Any:
    return apps.get_model(settings.PERSON_MODEL)


def person_scope_q(user: AnyUser, prefix: str = "") -> models.Q | None:
    """The people `user` may see, as a condition on `prefix` (e.g. "combatant__"); None: nobody."""
    scope: models.Q | None = person_model().objects.scope_q(user, prefix)
    return scope


class PersonScopedQuerySet(models.QuerySet[_M]):
    """Records of a person: seen exactly when every person they name is (`person_fields`).

    A record that names no person (a community beneficiary who was never registered) falls back to
    `region_field` when one is given, and is otherwise seen by whoever may see records at all.
    """

    person_fields: tuple[str, ...] = ("combatant",)
    region_field: str | None = None

    def for_user(self, user: AnyUser) -> Self:
        condition = models.Q()
        for field in self.person_fields:
            scope = person_scope_q(user, f"{field}__")
            if scope is None:
                return self.none()
            if getattr(self.model._meta.get_field(field), "null", False):
                # A nullable person: no person means the place decides (or nobody's person is hidden).
                unnamed = models.Q(**{f"{field}__isnull": True})
                if self.region_field and signed_in(user) and user.role == Role.REGIONAL_OFFICER:
                    unnamed &= models.Q(**{self.region_field: user.region_id})
                scope = scope | unnamed
            condition &= scope
        return self.filter(condition)
