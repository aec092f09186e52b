"""Hooks that apps above cases fill, so that the registration and person pages offer what those
apps add (the duplicate check of ``linkage``) without cases importing them.

- ``registration_checks``: ``check(request, organisation, fields) -> str``. Called when a valid
  registration form is posted, before the person is saved. A non-empty answer is HTML (already
  escaped) shown inside the form above its fields; the person is not saved until the form is
  posted again and every check answers "". A check never blocks: its panel offers a way on.
- ``after_registration``: ``after(request, person) -> None``, once the person is saved.
- ``person_panels``: ``panel(request, person) -> str``, HTML shown on the person's page.
- ``case_panels``: ``panel(request, case) -> str``, HTML shown on the case's page. Each panel reads
  through its own app's policy-checked selectors: what the user may not see is not in it.
- ``person_search_extenders``: ``extend(user, *, name, document) -> {person_id: {match codes}}``,
  more matches for an identity search than the exact blind index finds (linkage's name parts and
  spelling variants). Only persons of organisations where ``user`` may see identities; the codes
  are those of ``MATCH_LABELS``.
"""

from django.utils.safestring import mark_safe

registration_checks: list = []
after_registration: list = []
person_panels: list = []
case_panels: list = []
person_search_extenders: list = []


def registration_panels(request, organisation, fields) -> str:
    return mark_safe("".join(check(request, organisation, fields) for check in registration_checks))


def registered(request, person) -> None:
    for after in after_registration:
        after(request, person)


def panels_for(request, person) -> str:
    return mark_safe("".join(panel(request, person) for panel in person_panels))


def case_panels_for(request, case) -> str:
    return mark_safe("".join(panel(request, case) for panel in case_panels))


def register(hook_list: list, function) -> None:
    """Add ``function`` once (``ready()`` may run more than once in tests)."""
    if function not in hook_list:
        hook_list.append(function)
