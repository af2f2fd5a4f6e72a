from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.http import acting_user
from accounts.models import GUARDED_ROLES, RoleGrant, User
from accounts.services import RoleGrantRefused, role_grant_decide, role_grant_request
from core.admin import AuditedAdmin

GUARDED_ROLE_HELP = _(
    "The child-protection and administrator roles are given by a second administrator: "
    "choosing one here asks for it (Role requests), and another administrator approves it."
)


class UserCreationForm(AdminUserCreationForm):
    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        if role in GUARDED_ROLES:
            raise forms.ValidationError(
                _(
                    "A new account cannot start with this role: create it with another role, "
                    "then ask for this one; a second administrator approves it."
                )
            )
        return role


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin[User]):
    add_form = UserCreationForm
    list_display = ("username", "full_name", "role", "region", "is_active", "last_login")
    list_filter = ("role", "region", "is_active")
    list_select_related = ("region",)

    @admin.display(description=_("Name"))
    def full_name(self, user: User) -> str:
        return user.get_full_name()
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Role and scope"), {"fields": ("role", "region"), "description": GUARDED_ROLE_HELP}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "region")}),
    )
    # The role decides access; staff follows the role; superusers are made by createsuperuser only
    # and are administrators (User.save).
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        # Setting the password of a child-protection officer (or another administrator) would let
        # one administrator sign in with that role alone: only the holder changes it.
        target = self.get_object(request, unquote(id))
        if target is not None and target.role in GUARDED_ROLES and target.pk != request.user.pk:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Users appear in the audit trail: deactivate them, never delete them (AuditedAdmin).
        held = form.initial.get("role")
        if not (change and "role" in form.changed_data and obj.role in GUARDED_ROLES):
            super().save_model(request, obj, form, change)
            return
        wanted, obj.role = obj.role, held
        super().save_model(request, obj, form, change)
        grant = role_grant_request(user=obj, role=wanted, by=acting_user(request))
        self.message_user(
            request,
            gettext(
                "The role “%(role)s” was not given: a second administrator must approve it "
                "(role request %(n)s). The other changes are saved."
            )
            % {"role": grant.get_role_display(), "n": grant.pk},
            messages.WARNING,
        )


class RoleGrantForm(forms.ModelForm[RoleGrant]):
    class Meta:
        model = RoleGrant
        fields = ("user", "role", "reason")

    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        if role not in GUARDED_ROLES:
            raise forms.ValidationError(_("This role is given directly on the user's page."))
        return role

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user, role = cleaned.get("user"), cleaned.get("role")
        if user and role and user.role == role:
            raise forms.ValidationError(_("%(user)s already holds this role.") % {"user": user})
        return cleaned


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin):
    """One administrator asks, another decides (the actions); the user's history shows the change."""

    form = RoleGrantForm
    list_display = ("user", "role", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "role")
    list_select_related = ("user", "requested_by", "decided_by")
    actions = ("approve", "refuse")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decided by the actions only, each checked by the service

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Not the request's own save: the service records who asked (the signed-in administrator).
        made = role_grant_request(user=obj.user, role=obj.role, by=acting_user(request), reason=obj.reason)
        obj.pk, obj.requested_by, obj.requested_at = made.pk, made.requested_by, made.requested_at

    def _decide(self, request: HttpRequest, queryset: Any, approve: bool) -> None:
        for grant in queryset:
            try:
                role_grant_decide(grant=grant, by=acting_user(request), approve=approve)
            except RoleGrantRefused as refused:
                self.message_user(request, f"{grant}: {refused}", messages.ERROR)
            else:
                self.message_user(request, str(grant), messages.SUCCESS)

    @admin.action(description=_("Approve the selected requests (you must not be the one who asked)"))
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Refuse the selected requests"))
    def refuse(self, request: HttpRequest, queryset: Any) -> None:
        self._decide(request, queryset, approve=False)
