"""Row-level access, in one place: every view, endpoint, export and admin page uses these."""

from __future__ import annotations

from typing import Any, Self

from django.db import models

from accounts.models import Role


class RegionScopedQuerySet(models.QuerySet):
    """Records that belong to a region: a regional officer sees only that region."""

    region_field = "region"

    def for_user(self, user: Any) -> Self:
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.role == Role.REGIONAL_OFFICER:
            if user.region_id is None:
                return self.none()
            return self.filter(**{self.region_field: user.region_id})
        return self
