from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class ScreeningConfig(AppConfig):
    name = "lindung.screening"
    label = "screening"
    verbose_name = _("Vulnerability screening")
    nav_items = [
        (_("Screening"), "screening:interview_list", Capability.MANAGE_SCREENING),
    ]

    def ready(self):
        from . import panels, policy_rules, signals  # noqa: F401  (registers the policy rules and erasure hooks)

        panels.register()
