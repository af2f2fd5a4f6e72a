from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CantonmentConfig(AppConfig):
    name = "cantonment"
    verbose_name = _("Cantonment")
