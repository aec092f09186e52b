from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class SharingConfig(AppConfig):
    name = "lindung.sharing"
    label = "sharing"
    verbose_name = _("Information sharing")
    nav_items = [(_("Sharing"), "sharing:home", Capability.MANAGE_SHARING)]

    def ready(self):
        from . import policy_rules  # noqa: F401  (registers the rules)
