from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability


class CasesConfig(AppConfig):
    name = "lindung.cases"
    label = "cases"
    verbose_name = _("Cases")
    nav_items = [
        (_("Cases"), "cases:case_list", Capability.VIEW_CASES),
        (_("Persons"), "cases:person_list", Capability.VIEW_CASES),
        (_("Overdue tasks"), "cases:task_overdue", Capability.VIEW_CASES),
        (_("Transfer agreements"), "cases:agreement_list", Capability.SUPERVISE_CASES),
    ]

    def ready(self):
        from . import policy_rules  # noqa: F401  (registers the policy rules)
