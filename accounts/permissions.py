"""Who may do what: declared on each view as `allowed_roles`, checked here, in one place.

Which *rows* a user sees is decided by the querysets' `for_user()`; this module
decides which *screens and endpoints* a role reaches at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeGuard, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import AnyUser, Role, User

if TYPE_CHECKING:  # DRF imports this module from its settings: no import of its views here
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from accounts.http import AuthenticatedHttpRequest

P = ParamSpec("P")

ALL_ROLES: frozenset[str] = frozenset(Role.values)
# Staff who work on cases in the browser (not analysts: they read the API, pseudonymised).
CASE_ROLES: frozenset[str] = frozenset(
    {Role.COMMISSION_OFFICER, Role.REGIONAL_OFFICER, Role.CHILD_PROTECTION, Role.ADMINISTRATOR}
)
# Registration of people: commission and regional staff (child protection takes over referrals).
REGISTER_ROLES: frozenset[str] = frozenset(
    {Role.COMMISSION_OFFICER, Role.REGIONAL_OFFICER, Role.ADMINISTRATOR}
)
# Lists are national (one movement, every region): imported by national staff only.
IMPORT_ROLES: frozenset[str] = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})
# Reinsertion and reintegration casework (choices, profiles, enrolment, distributions, follow-up,
# preparing payment batches): the same staff as registration, each within their region.
REINTEGRATION_ROLES: frozenset[str] = REGISTER_ROLES
# A payment batch is approved by national staff, never by the person who prepared it (four eyes).
PAYMENT_APPROVER_ROLES: frozenset[str] = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})
# Roles that may change data. Analysts never write.
WRITE_ROLES: frozenset[str] = frozenset(
    {Role.COMMISSION_OFFICER, Role.REGIONAL_OFFICER, Role.CHILD_PROTECTION, Role.ADMINISTRATOR}
)


def has_role(user: AnyUser, roles: Iterable[str]) -> TypeGuard[User]:
    # Anonymous is not a `User`; every `User` is authenticated.
    return isinstance(user, User) and user.is_active and user.role in roles


def role_required(
    *roles: str,
) -> Callable[
    [Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]],
    Callable[Concatenate[HttpRequest, P], HttpResponse],
]:
    """Browser views: 403 unless the signed-in user holds one of `roles`. The view reads
    `request.user` as that user (`AuthenticatedHttpRequest`)."""
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(
        view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not has_role(request.user, allowed):
                raise PermissionDenied
            return view(cast("AuthenticatedHttpRequest", request), *args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


class RolePermission(BasePermission):
    """API: the view declares `allowed_roles` (read) and `write_roles` (unsafe methods)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (isinstance(user, User) and user.is_active):
            return False
        if request.method in SAFE_METHODS:
            return user.role in getattr(view, "allowed_roles", ALL_ROLES)
        return user.role in getattr(view, "write_roles", WRITE_ROLES)


# Rule sets are negotiated nationally and changed by administrators; national staff read them.
RULESET_EDIT_ROLES: frozenset[str] = frozenset({Role.ADMINISTRATOR})
RULESET_READ_ROLES: frozenset[str] = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})
# Screening (age, medical, transitions) is done where people are: regional staff in their region.
SCREENING_ROLES: frozenset[str] = REGISTER_ROLES
# Cantonment is run by commission and regional staff (regional staff in their own region).
CANTONMENT_ROLES: frozenset[str] = REGISTER_ROLES
# Vetting names people suspected of grave crimes: national staff only.
VETTING_ROLES: frozenset[str] = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})
# The register of decisions and the roadmaps: recorded in Bamako, read by every field role.
GOVERNANCE_EDIT_ROLES: frozenset[str] = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})
GOVERNANCE_READ_ROLES: frozenset[str] = ALL_ROLES - {Role.FOCAL_POINT}
# The package catalogue is national: commission officers and administrators change it (packages,
# new versions, components) and read the reintegration budget.
PACKAGE_EDIT_ROLES: frozenset[str] = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})
BUDGET_ROLES: frozenset[str] = PACKAGE_EDIT_ROLES
# Grievances and appeals are received and handled by case staff (regional staff in their region);
# the sensitive ones only by the focal point (and, for a child, child protection).
GRIEVANCE_ROLES: frozenset[str] = frozenset(
    {
        Role.COMMISSION_OFFICER,
        Role.REGIONAL_OFFICER,
        Role.CHILD_PROTECTION,
        Role.ADMINISTRATOR,
        Role.FOCAL_POINT,
    }
)
# Master data (units, CVR partners and their committees, armed groups and coalitions, funding
# sources): kept by national staff in the browser, not only by administrators in the admin.
MASTER_DATA_EDIT_ROLES: frozenset[str] = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})
# Master data is no secret: every role but the focal point (who handles sensitive grievances) reads it.
MASTER_DATA_READ_ROLES: frozenset[str] = ALL_ROLES - {Role.FOCAL_POINT}
