from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The programme's kind of background job (core.models.job_kind): named when the app is ready.
DASHBOARD_PDF = "dashboard_pdf"


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Programme"

    def ready(self) -> None:
        from core.models import job_kind

        job_kind(DASHBOARD_PDF, _("Printing the dashboard"))
