from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "region", "is_active", "last_login")
    list_filter = ("role", "region", "is_active")
    list_select_related = ("region",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Role and scope"), {"fields": ("role", "region")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "region")}),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Users appear in the audit trail: deactivate them, never delete them.
        return False
