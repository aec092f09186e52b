"""Pages that follow an incident beyond its report: screenings for the persons on board of a
disembarkation, and the analyst's review of reports that look like one event."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import policy
from lindung.core.forms import add_service_errors
from lindung.core.models import Organisation
from lindung.core.parsing import parse_int
from lindung.core.roles import Capability
from lindung.core.routes import object_view
from lindung.screening import selectors as screening_selectors

from . import same_event, screening_batches, selectors
from .forms import ScreeningBatchForm
from .models import EventDecision, Incident, ScreeningBatch

PURPOSE = "incident record"
CANDIDATES_SHOWN = 100


def _screening_organisations(user):
    return Organisation.objects.filter(pk__in=policy.organisations_with(user, Capability.MANAGE_SCREENING))


def _remaining(incident) -> int:
    opened = sum(incident.screening_batches.values_list("size", flat=True))
    return max((incident.persons_on_board or 0) - opened, 0)


@login_required
@object_view(Incident)
def screening_batch_open(request, pk):
    policy.require_capability(request.user, Capability.MANAGE_SCREENING, purpose=PURPOSE)
    incident = get_object_or_404(selectors.incidents_visible(request.user), pk=pk)
    form = ScreeningBatchForm(
        request.POST or None,
        initial={"count": _remaining(incident)},
        instruments=screening_selectors.published_versions(request.user),
        organisations=_screening_organisations(request.user),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = screening_batches.screening_batch_open(
                    acting_user=request.user,
                    incident=incident,
                    count=form.cleaned_data["count"],
                    instrument=form.cleaned_data["instrument"],
                    organisation=form.cleaned_data["organisation"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(n)s screenings opened.") % {"n": batch.size})
                return redirect(batch)
        status = 400
    return render(
        request,
        "maritime/screening_batch_open.html",
        {"form": form, "incident": incident, "remaining": _remaining(incident)},
        status=status,
    )


@login_required
@object_view(ScreeningBatch)
def screening_batch_detail(request, pk):
    batch = selectors.screening_batch_get(request.user, pk)
    return render(
        request,
        "maritime/screening_batch_detail.html",
        {
            "batch": batch,
            "screenings": selectors.batch_screenings(request.user, batch),
            "incident_visible": policy.can(request.user, policy.VIEW, batch.incident),
        },
    )


# same event -----------------------------------------------------------------------------------


def _incident_ids(request, *names):
    ids = []
    for name in names:
        try:
            ids.append(parse_int(request.POST.get(name, ""), field=name, minimum=1))
        except ValidationError as exc:
            raise Http404 from exc
    return ids


def _deciding_organisation(user, incidents):
    """The organisation the analyst decides for: one of the reports', when they record for it."""
    mine = policy.organisations_with(user, Capability.MANAGE_INCIDENTS)
    for incident in incidents:
        if incident.organisation_id in mine:
            return incident.organisation
    return Organisation.objects.get(pk=min(mine))


@login_required
def same_event_list(request):
    policy.require_capability(request.user, Capability.MANAGE_INCIDENTS, purpose=PURPOSE)
    found = same_event.candidates(request.user)
    shown = found[:CANDIDATES_SHOWN]
    incidents = selectors.incidents_visible(request.user).in_bulk(
        {c.first for c in shown} | {c.second for c in shown}
    )
    pairs = [(c, (incidents[c.first], incidents[c.second])) for c in shown]
    decisions = policy.accessible(request.user, EventDecision.objects.all()).select_related(
        "first", "second"
    )[:20]
    return render(
        request,
        "maritime/same_event.html",
        {"pairs": pairs, "count": len(found), "decisions": decisions},
    )


@login_required
@require_POST
def same_event_decide(request):
    policy.require_capability(request.user, Capability.MANAGE_INCIDENTS, purpose=PURPOSE)
    first_id, second_id = _incident_ids(request, "first", "second")
    visible = selectors.incidents_visible(request.user)
    first = get_object_or_404(visible, pk=first_id)
    second = get_object_or_404(visible, pk=second_id)
    organisation = _deciding_organisation(request.user, (first, second))
    try:
        if request.POST.get("decision") == "same":
            primary = second if request.POST.get("primary") == "second" else first
            duplicate = first if primary is second else second
            same_event.event_merge(
                acting_user=request.user, organisation=organisation, primary=primary, duplicate=duplicate
            )
            messages.success(request, _("The reports are merged: the event counts once."))
        elif request.POST.get("decision") == "apart":
            same_event.event_keep_apart(
                acting_user=request.user, organisation=organisation, first=first, second=second
            )
            messages.success(request, _("The reports are kept apart and will not be proposed again."))
        else:
            messages.error(request, _("Choose 'same event' or 'keep apart'."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("maritime:same_event")
