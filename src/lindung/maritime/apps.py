from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaritimeConfig(AppConfig):
    name = "lindung.maritime"
    label = "maritime"
    verbose_name = _("Incidents at sea")
    nav_items = []
