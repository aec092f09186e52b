from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class LinkageConfig(AppConfig):
    name = "lindung.linkage"
    label = "linkage"
    verbose_name = _("Record linkage")
    # Reviewing proposed duplicates compares identities; linkage between parties is data managers' work.
    nav_items = [
        (_("Duplicates to review"), "linkage:dedupe_queue", Capability.VIEW_IDENTITY),
        (_("Linkage"), "linkage:pprl_runs", Capability.MANAGE_STANDARD),
    ]

    def ready(self):
        from . import hooks, policy_rules, receivers  # noqa: F401  (rules, signal receivers)

        hooks.register()
