"""What screening adds to the person and case pages of cases (``lindung.cases.hooks``): the
person's interviews with their urgency and profile categories, and "screen this person"."""

from django.template.loader import render_to_string

from lindung.cases import hooks as cases_hooks
from lindung.standard import registry

from . import forms, selectors


def _rows(user, person):
    rows = []
    for interview in selectors.interviews_of_person(user, person):
        profile = getattr(interview, "profile", None)
        categories = [
            registry.label("vulnerability_category", c) for c in (profile.categories if profile else [])
        ]
        rows.append({"interview": interview, "profile": profile, "categories": categories})
    return rows


def _panel(request, person, heading_id) -> str:
    user = request.user
    return render_to_string(
        "screening/person_panel.html",
        {
            "person": person,
            "rows": _rows(user, person),
            # The start page offers the persons of the user's screening organisations only.
            "can_screen": forms.person_queryset(user).filter(pk=person.pk).exists(),
            "heading_id": heading_id,
        },
        request=request,
    )


def person_panel(request, person) -> str:
    return _panel(request, person, "screening-person-title")


def case_panel(request, case) -> str:
    return _panel(request, case.person, "screening-case-title")


def register() -> None:
    cases_hooks.register(cases_hooks.person_panels, person_panel)
    cases_hooks.register(cases_hooks.case_panels, case_panel)
