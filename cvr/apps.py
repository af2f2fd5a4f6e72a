from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CvrConfig(AppConfig):
    name = "cvr"
    verbose_name = _("Community violence reduction")
