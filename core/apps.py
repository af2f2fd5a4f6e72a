from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Reference data and audit")

    def ready(self) -> None:
        from .audit import protect_history_tables

        post_migrate.connect(protect_history_tables, dispatch_uid="core.protect_history_tables")
