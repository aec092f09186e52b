from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class FrameworksConfig(AppConfig):
    name = "lindung.frameworks"
    label = "frameworks"
    verbose_name = _("Policies and legal frameworks")
    nav_items = [
        (_("Frameworks"), "frameworks:instrument_list", Capability.VIEW_FRAMEWORKS),
        (_("Country comparison"), "frameworks:matrix", Capability.VIEW_FRAMEWORKS),
    ]

    def ready(self):
        from . import policy_rules  # noqa: F401  (registers the rules)
