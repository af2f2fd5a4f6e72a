"""Guarded roles (child protection, administrator): asked for by one administrator, given by another."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import GUARDED_ROLES, RoleGrant, User
from core.errors import Refused


class RoleGrantRefused(Refused):
    """The request cannot be made or decided; the message says why."""


def role_grant_request(*, user: User, role: str, by: User, reason: str = "") -> RoleGrant:
    """Ask for a guarded role for `user`; nothing changes on the user until another administrator approves."""
    if role not in GUARDED_ROLES:
        raise RoleGrantRefused(_("This role is given directly, without a request."))
    if user.role == role:
        raise RoleGrantRefused(_("%(user)s already holds this role.") % {"user": user})
    grant = RoleGrant(user=user, role=role, reason=reason, requested_by=by)
    grant._history_user = by  # type: ignore[attr-defined]
    grant.save()
    return grant


@transaction.atomic
def role_grant_decide(*, grant: RoleGrant, by: User, approve: bool) -> RoleGrant:
    """Approve (the user gets the role, in the user's history) or refuse a pending request."""
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)  # two approvers at once: one wins
    if grant.status != RoleGrant.Status.PENDING:
        raise RoleGrantRefused(_("This request has already been decided."))
    if by.pk == grant.requested_by_id:
        raise RoleGrantRefused(_("A second administrator must decide: you asked for this role."))
    if by.pk == grant.user_id:
        raise RoleGrantRefused(_("A second administrator must decide: the role would be yours."))
    grant.status = RoleGrant.Status.APPROVED if approve else RoleGrant.Status.REFUSED
    grant.decided_by = by
    grant.decided_at = timezone.now()
    grant._history_user = by  # type: ignore[attr-defined]
    grant.save()
    if approve:
        user = User.objects.select_for_update().get(pk=grant.user_id)
        user.role = grant.role
        user._history_user = by  # type: ignore[attr-defined]
        user._change_reason = f"role request {grant.pk}, asked by {grant.requested_by}"  # type: ignore[attr-defined]
        user.save()
    return grant
