from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class MaritimeConfig(AppConfig):
    name = "lindung.maritime"
    label = "maritime"
    verbose_name = _("Incidents at sea")
    nav_items = [
        (_("Incidents"), "maritime:incident_list", Capability.VIEW_INCIDENTS),
        (_("Map and trends"), "maritime:map", Capability.VIEW_INCIDENTS),
    ]

    def ready(self):
        from . import policy_rules  # noqa: F401  (registers the policy rules)
