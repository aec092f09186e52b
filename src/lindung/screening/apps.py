from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "lindung.screening"
    label = "screening"
    verbose_name = _("Vulnerability screening")
    nav_items = []
