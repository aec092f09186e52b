from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class StandardConfig(AppConfig):
    name = "lindung.standard"
    label = "standard"
    verbose_name = _("Data standard")
    nav_items = [
        (_("Data standard"), "standard:dictionary", None),
        (_("Validate and import"), "standard:import_list", Capability.MANAGE_STANDARD),
        (_("Imported records"), "standard:counts", Capability.VIEW_STATS),
    ]

    def ready(self):
        from . import policy_rules  # noqa: F401  (registers the policy rules)
