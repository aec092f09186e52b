from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class StatsConfig(AppConfig):
    name = "lindung.stats"
    label = "stats"
    verbose_name = _("Statistics")
    nav_items = [
        (_("Statistics"), "stats:dashboard", Capability.VIEW_STATS),
        (_("Releases"), "stats:release_list", Capability.VIEW_STATS),
    ]

    def ready(self):
        from lindung.frameworks import hooks

        from . import policy_rules  # noqa: F401
        from .country_figures import released_country_figures

        hooks.register_country_counts(released_country_figures)
