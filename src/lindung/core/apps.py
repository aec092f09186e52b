from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .roles import Capability


class CoreConfig(AppConfig):
    name = "lindung.core"
    label = "core"
    verbose_name = _("Core")
    # Navigation entries: (label, url name, capability or None for every signed-in user).
    nav_items = [
        (_("Organisations"), "core:organisation_list", None),
        (_("Audit log"), "core:audit_log", Capability.VIEW_AUDIT),
        (_("Operations"), "core:operations", Capability.MANAGE_ORGANISATION),
    ]

    def ready(self):
        from . import checks, deploy_checks, policy_rules, signals  # noqa: F401  (registers checks, rules and signal handlers)
