from axes.apps import AppConfig as AxesAppConfig  # type: ignore[import-untyped]
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")


class KnoxConfig(AppConfig):
    """django-rest-knox, under a name an administrator reads (the admin's section title)."""

    name = "knox"
    verbose_name = _("API tokens")


class AxesConfig(AxesAppConfig):  # type: ignore[misc]
    """django-axes (sign-in lockouts), under a name an administrator reads."""

    verbose_name = _("Sign-in attempts and lockouts")
