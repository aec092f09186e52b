from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "lindung.frameworks"
    label = "frameworks"
    verbose_name = _("Policies and legal frameworks")
    nav_items = []
