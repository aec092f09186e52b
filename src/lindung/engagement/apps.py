from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "lindung.engagement"
    label = "engagement"
    verbose_name = _("Lived experience engagement")
    nav_items = []
