from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lindung.core"
    label = "core"
    verbose_name = _("Core")
    # Navigation entries: (label, url name, capability or None for every signed-in user).
    nav_items = []

    def ready(self):
        from . import policy_rules, signals  # noqa: F401  (registers rules and signal handlers)
