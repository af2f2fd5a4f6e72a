from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DdrConfig(AppConfig):
    name = "ddr"
    verbose_name = _("DDR: armed groups and people")
