from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class LinkageConfig(AppConfig):
    name = "lindung.linkage"
    label = "linkage"
    verbose_name = _("Record linkage")
    nav_items = [(_("Linkage"), "linkage:pprl_runs", Capability.MANAGE_STANDARD)]

    def ready(self):
        from . import hooks, policy_rules, receivers  # noqa: F401  (rules, signal receivers)

        hooks.register()
