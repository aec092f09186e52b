"""The review queue of batch deduplication: the pairs a run proposed, each with both persons and
Splink's explanation, accepted (linked) or rejected (remembered as different) one by one; and
starting a run, which goes to a worker."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.cases import selectors as case_selectors
from lindung.core import jobs, policy
from lindung.core.parsing import id_or_none
from lindung.core.roles import Capability
from lindung.core.routes import object_view

from . import panels, selectors, services, tasks
from .dedupe import PURPOSE
from .models import DedupeCandidate

PER_PAGE = 20


def _require_reviewer(user):
    if not policy.organisations_with(user, Capability.VIEW_IDENTITY):
        raise PermissionDenied


def start_run(user, organisation):
    """Queue a run on the worker; the refusals of ``dedupe_run`` end the job with their code."""
    return jobs.submit(
        tasks.dedupe,
        kind="linkage.dedupe",
        organisation=organisation,
        created_by=user,
        params={"organisation": organisation.pk},
    )


@login_required
def queue(request):
    _require_reviewer(request.user)
    page = Paginator(selectors.dedupe_queue(request.user), PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for item in page:
        for person in (item.person, item.other):
            case_selectors.read_person(request.user, person, purpose=PURPOSE)
        rows.append(
            (item, [(p, case_selectors.display_name(request.user, p)) for p in (item.person, item.other)])
        )
    return render(
        request,
        "linkage/dedupe_queue.html",
        {
            "page": page,
            "rows": rows,
            "runs": selectors.dedupe_runs(request.user)[:5],
            "organisations": selectors.dedupe_organisations(request.user),
        },
    )


@login_required
@require_POST
def start(request):
    _require_reviewer(request.user)
    organisation = (
        selectors.dedupe_organisations(request.user)
        .filter(pk=id_or_none(request.POST.get("organisation", "")))
        .first()
    )
    if organisation is None:
        messages.error(request, _("Choose an organisation where you may look for duplicates."))
        return redirect("linkage:dedupe_queue")
    job = start_run(request.user, organisation)
    job.refresh_from_db()
    if job.status == job.Status.FAILED and job.error_code == "no_persons":
        messages.error(request, _("There are not enough persons to compare."))
    else:
        messages.success(
            request, _("The search for duplicates has started; its pairs appear below when it ends.")
        )
    return redirect("linkage:dedupe_queue")


@login_required
@require_POST
@object_view(DedupeCandidate)
def decide(request, pk):
    _require_reviewer(request.user)
    item = get_object_or_404(selectors.dedupe_queue(request.user), pk=pk)
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "reject"):
        messages.error(request, _("Choose a decision."))
        return redirect("linkage:dedupe_queue")
    service = services.dedupe_candidate_accept if decision == "accept" else services.dedupe_candidate_reject
    try:
        service(acting_user=request.user, candidate=item)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, panels.refusal_text(exc))
    else:
        refs = {"a": item.person.reference, "b": item.other.reference}
        if decision == "accept":
            messages.success(request, _("%(a)s and %(b)s are linked as the same person.") % refs)
        else:
            messages.success(request, _("%(a)s and %(b)s will not be proposed again.") % refs)
    return redirect("linkage:dedupe_queue")
