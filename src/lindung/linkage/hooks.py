"""Linkage's side of two hook lists.

``cross_organisation_checks``: linkage sits below sharing, which owns agreements between
organisations. A link between persons of two organisations is refused (code
``agreement_required``) unless a callable registered here, ``check(acting_user, person, other) ->
bool``, says an agreement allows it. None is registered yet: such links are refused.

This module also fills the hooks that ``cases`` offers its registration and person pages
(``lindung.cases.hooks``): the candidate panel and the linked records.
"""

from lindung.cases import hooks as cases_hooks

cross_organisation_checks: list = []


def _register_case_hooks():
    from . import panels

    for hook_list, function in (
        (cases_hooks.registration_checks, panels.registration_panel),
        (cases_hooks.after_registration, panels.after_registration),
        (cases_hooks.person_panels, panels.person_panel),
    ):
        if function not in hook_list:
            hook_list.append(function)


_register_case_hooks()
