from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardConfig(AppConfig):
    name = "lindung.standard"
    label = "standard"
    verbose_name = _("Data standard")
    nav_items = []

    def ready(self):
        from . import policy_rules  # noqa: F401  (registers the policy rules)
