from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class ReferralsConfig(AppConfig):
    name = "lindung.referrals"
    label = "referrals"
    verbose_name = _("Referrals and services")
    nav_items = [
        (_("Referrals"), "referrals:referral_list", Capability.SEND_REFERRALS),
        (_("Referrals received"), "referrals:received_list", Capability.RECEIVE_REFERRALS),
        (_("Overdue referrals"), "referrals:overdue_list", Capability.SUPERVISE_CASES),
        (_("Services directory"), "referrals:service_list", None),
        (_("Needs and services"), "referrals:needs_map", Capability.SEND_REFERRALS),
    ]

    def ready(self):
        from . import panels, policy_rules, signals  # noqa: F401  (registers the policy rules and erasure hooks)

        panels.register()
