from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class EngagementConfig(AppConfig):
    name = "lindung.engagement"
    label = "engagement"
    verbose_name = _("Lived experience engagement")
    nav_items = [
        (_("Engagement"), "engagement:engagement_list", Capability.MANAGE_ENGAGEMENT),
    ]

    def ready(self):
        from . import policy_rules  # noqa: F401  (registers the policy rules)
