from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.models import AnyUser, Role


class AdministratorRoleBackend:
    """The administrator role holds every model permission in the admin.

    Row scoping still applies (admin querysets go through `for_user`), so even
    administrators never open children's records.
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def has_perm(self, user: AnyUser, perm: str, obj: object = None) -> bool:
        return bool(user.is_active and getattr(user, "role", None) == Role.ADMINISTRATOR)

    def has_module_perms(self, user: AnyUser, app_label: str) -> bool:
        return self.has_perm(user, app_label)
