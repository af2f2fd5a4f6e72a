from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Reference data and audit")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core.audit import protect_history_tables
        from core.middleware import start_session_clock

        post_migrate.connect(protect_history_tables, dispatch_uid="core.protect_history_tables")
        user_logged_in.connect(start_session_clock, dispatch_uid="core.start_session_clock")
