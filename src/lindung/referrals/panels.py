"""What referrals adds to the person and case pages of cases (``lindung.cases.hooks``): the
person's referrals with their state, and "refer" starting from the person or the case."""

from django.template.loader import render_to_string
from django.urls import reverse

from lindung.cases import hooks as cases_hooks
from lindung.core import policy
from lindung.core.roles import Capability

from . import selectors


def _panel(request, person, start_query, heading_id) -> str:
    user = request.user
    can_refer = policy.has_capability(user, Capability.SEND_REFERRALS, person.organisation_id)
    return render_to_string(
        "referrals/person_panel.html",
        {
            "referrals": selectors.referrals_of_person(user, person),
            "start_url": f"{reverse('referrals:referral_create')}?{start_query}" if can_refer else "",
            "heading_id": heading_id,
        },
        request=request,
    )


def person_panel(request, person) -> str:
    return _panel(request, person, f"person={person.pk}", "referrals-person-title")


def case_panel(request, case) -> str:
    query = f"case={case.pk}" if case.is_open else f"person={case.person_id}"
    return _panel(request, case.person, query, "referrals-case-title")


def register() -> None:
    cases_hooks.register(cases_hooks.person_panels, person_panel)
    cases_hooks.register(cases_hooks.case_panels, case_panel)
