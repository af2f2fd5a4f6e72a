"""Requests whose user is known to be signed in, for the type checker.

Behind `role_required` (pages) or `RolePermission` (the API) the user is a signed-in `User`, never
the anonymous one: views annotated with these types read `request.user` as the acting user.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class AuthenticatedRequest(Request):
    user: User


def acting_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request where only staff arrive (the admin, an API hook without the
    request in its signature); refused, never passed on, if it is somehow anonymous."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
