"""Pages of the maritime app: incidents (list, record, edit, detail, attachments), map and trends,
exports. Access is decided by the policy through the selectors; views only parse and render."""

import json
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lindung.core import policy, spreadsheets
from lindung.core.forms import add_service_errors
from lindung.core.roles import Capability
from lindung.core.routes import object_view, route_examples

from . import charts, jobs, selectors, services
from .forms import (
    AttachmentForm,
    ImportForm,
    IncidentFilterForm,
    IncidentForm,
    NewVesselForm,
    PersonsFormSet,
    persons_from,
    persons_initial,
)
from .models import Attachment, Incident

PURPOSE_VIEW = "incident record"
TREND_TITLES = {
    "incidents": gettext_lazy("Incidents per month, by route"),
    "persons": gettext_lazy("Persons on board per month, by route"),
    "dead": gettext_lazy("Dead per month, by route"),
    "missing": gettext_lazy("Missing per month, by route"),
}


def _require_viewer(user):
    policy.require_capability(user, Capability.VIEW_INCIDENTS, purpose=PURPOSE_VIEW)


def _filters(request):
    form = IncidentFilterForm(request.GET or None)
    return form, form.filters()


@login_required
def incident_list(request):
    _require_viewer(request.user)
    form, filters = _filters(request)
    incidents = selectors.incidents_filtered(request.user, filters)
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "maritime/incident_list.html",
        {
            "filter_form": form,
            "page": page,
            "can_record": policy.has_capability(request.user, Capability.MANAGE_INCIDENTS),
            "query": request.GET.urlencode(),
        },
    )


def _incident_forms(request, incident=None):
    organisations = selectors.organisations_recording(request.user)
    data = request.POST if request.method == "POST" else None
    form = IncidentForm(data, instance=incident, user=request.user, organisations=organisations)
    vessel_form = NewVesselForm(data, prefix="vessel")
    persons = PersonsFormSet(data, prefix="persons", initial=persons_initial(incident) if incident else None)
    return form, vessel_form, persons


def _save_incident(request, form, vessel_form, persons, incident=None):
    """Validate the three forms and call the service; returns the incident or None (errors shown)."""
    valid = [f.is_valid() for f in (form, vessel_form, persons)]  # all of them, so every error shows
    new_vessel = vessel_form.vessel_fields() if all(valid) else None
    if all(valid) and new_vessel and form.cleaned_data.get("vessel"):
        vessel_form.add_error(None, _("Choose an existing vessel or describe a new one, not both."))
    if not all(valid) or vessel_form.errors:
        services.incident_refused(
            acting_user=request.user,
            organisation_id=incident.organisation_id if incident else None,
            fields=[
                *form.errors,
                *(f"vessel.{name}" for name in vessel_form.errors),
                *(["persons"] if any(persons.errors) or persons.non_form_errors() else []),
            ],
            incident=incident,
        )
        return None
    fields = form.incident_fields()
    kwargs = {
        "acting_user": request.user,
        "persons": persons_from(persons),
        "facilitators": form.facilitators(),
        "new_vessel": new_vessel,
        **fields,
    }
    try:
        if incident is None:
            return services.incident_create(organisation=form.cleaned_data["organisation"], **kwargs)
        return services.incident_update(incident=incident, **kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
def incident_create(request):
    policy.require_capability(request.user, Capability.MANAGE_INCIDENTS, purpose=PURPOSE_VIEW)
    form, vessel_form, persons = _incident_forms(request)
    if request.method == "POST":
        incident = _save_incident(request, form, vessel_form, persons)
        if incident is not None:
            messages.success(request, _("Incident recorded."))
            return redirect(incident)
    return render(
        request,
        "maritime/incident_form.html",
        {
            "form": form,
            "vessel_form": vessel_form,
            "persons": persons,
            "title": _("Record an incident at sea"),
        },
    )


@login_required
@object_view(Incident)
def incident_edit(request, pk):
    incident = get_object_or_404(selectors.incidents_visible(request.user, policy.CHANGE), pk=pk)
    if not incident.is_local:
        raise PermissionDenied
    form, vessel_form, persons = _incident_forms(request, incident)
    if request.method == "POST":
        saved = _save_incident(request, form, vessel_form, persons, incident)
        if saved is not None:
            messages.success(request, _("Incident updated."))
            return redirect(saved)
    return render(
        request,
        "maritime/incident_form.html",
        {
            "form": form,
            "vessel_form": vessel_form,
            "persons": persons,
            "incident": incident,
            "title": _("Edit incident"),
        },
    )


@login_required
@object_view(Incident)
def incident_detail(request, pk):
    incident = get_object_or_404(selectors.incidents_visible(request.user), pk=pk)
    show_narrative = bool(incident.narrative) and policy.can_see_identity(request.user, incident)
    if show_narrative:
        policy.record_personal_read(request.user, incident, purpose=PURPOSE_VIEW, fields=["narrative"])
    can_change = incident.is_local and policy.can(request.user, policy.CHANGE, incident)
    visible = selectors.incidents_visible(request.user)
    return render(
        request,
        "maritime/incident_detail.html",
        {
            "outcomes": selectors.protection_outcomes(incident),
            "batches": selectors.screening_batches_of(request.user, incident),
            "can_screen": incident.incident_type == "disembarkation"
            and policy.has_capability(request.user, Capability.MANAGE_SCREENING),
            "primary": visible.filter(pk=incident.duplicate_of_id).first()
            if incident.duplicate_of_id
            else None,
            "duplicates": visible.filter(duplicate_of=incident),
            "incident": incident,
            "persons": selectors.persons_of(request.user, incident),
            "attachments": selectors.attachments_of(request.user, incident),
            "facilitators": incident.facilitators.all() if can_change else [],
            "show_narrative": show_narrative,
            "can_change": can_change,
            "attachment_form": AttachmentForm() if can_change else None,
        },
    )


@login_required
@require_POST
@object_view(Incident)
def attachment_add(request, pk):
    incident = get_object_or_404(selectors.incidents_visible(request.user, policy.CHANGE), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                acting_user=request.user,
                incident=incident,
                uploaded_file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                tlp=form.cleaned_data["tlp"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Attachment added."))
            return redirect(incident)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": _("Add an attachment"), "submit_label": _("Upload")},
        status=400,
    )


@login_required
@object_view(Incident, attachment_pk=Attachment)
def attachment_download(request, pk, attachment_pk):
    incident = get_object_or_404(selectors.incidents_visible(request.user), pk=pk)
    # The list defers the sealed content; a download reads it with the row, in one query.
    attachment = get_object_or_404(
        selectors.attachments_of(request.user, incident).defer(None), pk=attachment_pk
    )
    policy.record_personal_read(request.user, incident, purpose=PURPOSE_VIEW, fields=["attachment"])
    extension = mimetypes.guess_extension(attachment.content_type) or ".bin"
    response = HttpResponse(
        attachment.content, content_type=attachment.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="incident-{incident.pk}-attachment-{attachment.pk}{extension}"'
    )
    return response


# imports of public data -----------------------------------------------------------------------


@login_required
def import_file(request):
    """Upload an MMP file; the page answers with what happened to every row, or, for a file above
    the inline limit, sends to the job's page, which shows the same summary when the worker is done."""
    policy.require_capability(request.user, Capability.MANAGE_INCIDENTS, purpose=PURPOSE_VIEW)
    organisations = selectors.organisations_recording(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    summary, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = jobs.start(
                acting_user=request.user,
                organisation=form.cleaned_data["organisation"],
                file_name=upload.name,
                data=upload.read(),
                fmt="mmp",
                partial=form.cleaned_data["partial"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
            status = 400
        else:
            if jobs.is_job(outcome):  # a large file: its job's page follows it
                return redirect(outcome)
            summary = outcome
            status = 400 if summary.refused_whole else 200
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "maritime/import.html",
        {"form": form, "summary": summary.as_dict() if summary else None, "refused": status == 400},
        status=status,
    )


# map, trends, exports ------------------------------------------------------------------------


@login_required
def incident_map(request):
    _require_viewer(request.user)
    form, filters = _filters(request)
    incidents = selectors.incidents_filtered(request.user, filters)
    trends = selectors.monthly_trends(selectors.without_duplicates(request.user, incidents))
    charts_context = [
        {
            "measure": measure,
            "title": title,
            "svg": charts.trend_svg(trends, measure, title),
            "table": charts.trend_table(trends, measure),
        }
        for measure, title in TREND_TITLES.items()
    ]
    return render(
        request,
        "maritime/map.html",
        {
            "filter_form": form,
            "incidents": incidents[:500],
            "count": incidents.count(),
            "charts": charts_context,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def map_data(request):
    """The GeoJSON the map page draws (same filters as the page)."""
    _require_viewer(request.user)
    _form, filters = _filters(request)
    return JsonResponse(selectors.incidents_geojson(selectors.incidents_filtered(request.user, filters)))


@login_required
def export_geojson(request):
    _require_viewer(request.user)
    _form, filters = _filters(request)
    incidents = list(selectors.incidents_filtered(request.user, filters))
    services.incidents_exported(acting_user=request.user, fmt="geojson", count=len(incidents))
    response = HttpResponse(
        json.dumps(selectors.incidents_geojson(incidents), ensure_ascii=False),
        content_type="application/geo+json",
    )
    response["Content-Disposition"] = 'attachment; filename="incidents.geojson"'
    return response


CSV_COLUMNS = (
    "id", "stix_id", "occurred_at", "incident_type", "latitude", "longitude", "area", "location",
    "persons_on_board", "dead", "missing", "survivors", "outcome", "route", "departure_point",
    "disembarkation_port", "source", "source_reliability", "information_credibility", "tlp", "organisation",
)  # fmt: skip


def _csv_response(filename):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_csv(request):
    _require_viewer(request.user)
    _form, filters = _filters(request)
    incidents = list(selectors.incidents_filtered(request.user, filters))
    services.incidents_exported(acting_user=request.user, fmt="csv", count=len(incidents))
    response = _csv_response("incidents.csv")
    writer = spreadsheets.csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    for incident in incidents:
        properties = selectors.incident_properties(incident)
        writer.writerow([properties[c] if properties[c] is not None else "" for c in CSV_COLUMNS])
    return response


@login_required
@route_examples(measure="dead")
def trend_csv(request, measure):
    _require_viewer(request.user)
    if measure not in TREND_TITLES:
        return HttpResponse(_("Unknown measure."), status=404, content_type="text/plain; charset=utf-8")
    _form, filters = _filters(request)
    table = charts.trend_table(
        selectors.monthly_trends(
            selectors.without_duplicates(request.user, selectors.incidents_filtered(request.user, filters))
        ),
        measure,
    )
    response = _csv_response(f"incidents-trend-{measure}.csv")
    writer = spreadsheets.csv_writer(response)
    writer.writerow(["month", *table["routes"], "total"])
    for row in table["rows"]:
        writer.writerow([row["month"], *row["cells"], row["total"]])
    return response
