"""Linkage pages: thin. The link history of a person and the decisions taken from the person page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.cases import selectors as case_selectors
from lindung.cases.models import Person
from lindung.core.parsing import id_or_none
from lindung.core.routes import object_view

from . import panels, scoring, selectors, services
from .identity import Identity


@login_required
@object_view(Person)
def history(request, pk):
    person = get_object_or_404(case_selectors.persons_visible(request.user), pk=pk)
    rows = [(link, link.other_of(person).reference) for link in selectors.links_of(request.user, person)]
    return render(request, "linkage/history.html", {"person": person, "rows": rows})


@login_required
@require_POST
@object_view(Person)
def decide(request, pk):
    visible = case_selectors.persons_visible(request.user)
    person = get_object_or_404(visible, pk=pk)
    other = visible.filter(pk=id_or_none(request.POST.get("other", ""))).first()
    decision = request.POST.get("decision", "")
    if other is None or decision not in ("link", "not_same", "unlink"):
        messages.error(request, _("Choose a record and a decision."))
        return redirect(person)
    try:
        if decision == "unlink":
            services.person_unlink(acting_user=request.user, person=person, other=other)
            messages.success(request, _("The link with %(ref)s is undone.") % {"ref": other.reference})
        else:
            reasons = scoring.score(Identity.of_person(person), Identity.of_person(other)).reasons()
            if decision == "link":
                services.person_link(acting_user=request.user, person=person, other=other, reasons=reasons)
                messages.success(
                    request, _("Linked to %(ref)s as the same person.") % {"ref": other.reference}
                )
            else:
                services.person_mark_not_same(
                    acting_user=request.user, person=person, other=other, reasons=reasons
                )
                messages.success(
                    request,
                    _("%(ref)s will not be proposed again for this person.") % {"ref": other.reference},
                )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, panels.refusal_text(exc))
    return redirect(person)
