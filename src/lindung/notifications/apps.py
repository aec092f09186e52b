from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class NotificationsConfig(AppConfig):
    name = "lindung.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    # The inbox is reached from the header (with its unread count); watch rules are for analysts.
    nav_items = [(_("Watch rules"), "notifications:watch_rule_list", Capability.VIEW_INCIDENTS)]

    def ready(self):
        from . import policy_rules, receivers  # noqa: F401  (registers the policy rules and the listeners)
