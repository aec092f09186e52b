"""Fills the hooks that ``cases`` offers its registration and person pages
(``lindung.cases.hooks``): the candidate panel, the caseworker's choice, the linked records, the
person search by name parts, spellings and document numbers however written."""

from lindung.cases import hooks as cases_hooks

from . import panels, search


def register() -> None:
    for hook_list, function in (
        (cases_hooks.registration_checks, panels.registration_panel),
        (cases_hooks.after_registration, panels.after_registration),
        (cases_hooks.person_panels, panels.person_panel),
        (cases_hooks.person_search_extenders, search.extend),
    ):
        if function not in hook_list:
            hook_list.append(function)
