"""What linkage adds to the pages of cases, through ``lindung.cases.hooks``: the candidate panel
of the registration form, the caseworker's choice once the person is saved, and the linked records
and candidates on a person's page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lindung.cases import selectors as case_selectors
from lindung.core import policy
from lindung.core.parsing import id_or_none
from lindung.core.roles import Capability

from . import agreements, inputs, scoring, selectors, services
from .identity import Identity

CHOICE = "linkage_choice"  # "later", "new" or "link:<id>"
SHOWN = "linkage_shown"  # the ids of the candidates the panel showed
LATER, NEW, LINK = "later", "new", "link:"


def registration_panel(request, organisation, fields) -> str:
    """The candidates for a registration not saved yet, with their reasons and the choices; ""
    once the caseworker chose, or when there is nothing to show."""
    if request.POST.get(CHOICE) or not policy.has_capability(
        request.user, Capability.VIEW_IDENTITY, organisation.pk
    ):
        return ""
    problems = inputs.problems(fields)
    warnings = [e.message for e in problems.pop("documents", [])]
    if problems:  # a one-letter name, a future date: the registration says so itself
        return ""
    found = selectors.candidates(request.user, inputs.identity_of(fields))
    if not found and not warnings:
        return ""
    for candidate in found:
        selectors.read_candidate(request.user, candidate)
    return render_to_string(
        "linkage/registration_panel.html",
        {
            "candidates": found,
            # A link across organisations needs an agreement, which only a registered check grants.
            "linkable": {
                c.person.pk
                for c in found
                if c.person.organisation_id == organisation.pk or agreements.cross_organisation_checks
            },
            "warnings": warnings,
            "choice": CHOICE,
            "shown": SHOWN,
            "photo": bool(fields.get("photo")),
        },
        request=request,
    )


def _shown_persons(request):
    ids = [i for i in (id_or_none(v) for v in request.POST.getlist(SHOWN)) if i]
    return case_selectors.persons_visible(request.user).filter(pk__in=ids)


def after_registration(request, person) -> None:
    """Carry out the choice made in the panel. A refusal is told, never undoes the registration."""
    choice = request.POST.get(CHOICE, "")
    if choice not in (NEW,) and not choice.startswith(LINK):
        return
    shown = list(_shown_persons(request))
    try:
        if choice == NEW:
            for other in shown:
                services.person_mark_not_same(acting_user=request.user, person=person, other=other)
            return
        other = next((p for p in shown if str(p.pk) == choice[len(LINK) :]), None)
        if other is None:
            return
        reasons = scoring.score(Identity.of_person(person), Identity.of_person(other)).reasons()
        services.person_link(acting_user=request.user, person=person, other=other, reasons=reasons)
        messages.success(request, _("Linked to %(ref)s as the same person.") % {"ref": other.reference})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))


def refusal_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("You may not change one of these records.")


def person_panel(request, person) -> str:
    user = request.user
    identity = policy.can_see_identity(user, person) and person.anonymised_at is None
    found = selectors.candidates_of(user, person) if identity else []
    for candidate in found:
        selectors.read_candidate(user, candidate)
    linked = selectors.linked_persons(user, person)
    linked_rows = [
        (other, case_selectors.display_name(user, other), case_selectors.cases_of_person(user, other))
        for other in linked
    ]
    return render_to_string(
        "linkage/person_panel.html",
        {
            "person": person,
            "candidates": found,
            "linkable": {c.person.pk for c in found if agreements.allowed(user, person, c.person)},
            "linked": linked_rows,
            "can_change": policy.can(user, policy.CHANGE, person),
        },
        request=request,
    )
