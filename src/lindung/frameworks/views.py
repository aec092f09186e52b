"""Pages of the knowledge base: thin, every read through selectors, every write through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import jobs, policy
from lindung.core.forms import add_service_errors
from lindung.core.roles import Capability
from lindung.core.routes import object_view
from lindung.standard import registry

from . import exports, selectors, services, tasks
from .forms import (
    CompareForm,
    ImportForm,
    InstrumentForm,
    MatrixForm,
    PartyStatusForm,
    ProvisionForm,
    RecommendationForm,
    SearchForm,
    VerifyForm,
)
from .models import TREATY_FAMILIES, Instrument, Provision, Recommendation

DEFAULT_COUNTRIES = ["IDN", "MYS", "THA"]


def _require_viewer(request):
    policy.require_capability(request.user, Capability.VIEW_FRAMEWORKS, purpose="frameworks")


def _can_manage(user) -> bool:
    return policy.has_capability(user, Capability.MANAGE_FRAMEWORKS)


def _instrument_or_404(user, pk) -> Instrument:
    try:
        return selectors.instrument_get(user, pk)
    except Instrument.DoesNotExist as exc:
        raise Http404 from exc


def _form_page(request, form, title, intro=""):
    return render(request, "core/form_page.html", {"form": form, "title": title, "intro": intro})


# instruments ---------------------------------------------------------------------------------


@login_required
def instrument_list(request):
    _require_viewer(request)
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    query = filters.pop("q", "") if filters else ""
    context = {"form": form, "query": query, "can_manage": _can_manage(request.user)}
    if query:
        hits = selectors.search_entries(request.user, query, **filters)
        context["page"] = Paginator(hits, 25).get_page(request.GET.get("page"))
    else:
        instruments = selectors.instruments_filtered(request.user, **filters)
        context["page"] = Paginator(instruments, 50).get_page(request.GET.get("page"))
    return render(request, "frameworks/instrument_list.html", context)


def _instrument_form(request, instance=None):
    implementable = selectors.instruments_visible(request.user).filter(country="")
    if instance is not None:
        implementable = implementable.exclude(pk=instance.pk)
    initial = None
    if instance is not None:
        initial = {name: getattr(instance, name) for name in services.INSTRUMENT_FIELDS}
        initial["parties"] = " ".join(instance.parties)
        initial["implements"] = list(instance.implements.all())
        # Changed facts need checking again: the form offers 'cited' or 'unverified' only.
        if instance.verification == "verified":
            initial["verification"] = "cited"
    return InstrumentForm(
        request.POST or None, request.FILES or None, initial=initial, implementable=implementable
    )


@login_required
def instrument_create(request):
    policy.require_capability(request.user, Capability.MANAGE_FRAMEWORKS, purpose="frameworks")
    form = _instrument_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(
                acting_user=request.user,
                data=form.service_data(),
                implements=form.cleaned_data["implements"],
                document=form.cleaned_data.get("document"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Instrument recorded."))
            return redirect(instrument)
    return _form_page(request, form, _("New instrument"))


@login_required
@object_view(Instrument)
def instrument_detail(request, pk):
    _require_viewer(request)
    instrument = _instrument_or_404(request.user, pk)
    return render(
        request,
        "frameworks/instrument_detail.html",
        {
            "instrument": instrument,
            "provisions": instrument.provisions.all(),
            "statuses": instrument.party_statuses.all(),
            "recommendations": selectors.recommendations_visible(request.user).filter(instruments=instrument),
            "takes_statuses": instrument.family in TREATY_FAMILIES,
            "can_manage": policy.can(request.user, policy.CHANGE, instrument),
            "verify_form": VerifyForm(),
        },
    )


@login_required
@object_view(Instrument)
def instrument_edit(request, pk):
    instrument = _instrument_or_404(request.user, pk)
    policy.require(request.user, policy.CHANGE, instrument, purpose="frameworks")
    form = _instrument_form(request, instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_update(
                acting_user=request.user,
                instrument=instrument,
                data=form.service_data(),
                implements=form.cleaned_data["implements"],
                document=form.cleaned_data.get("document"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Instrument updated."))
            return redirect(instrument)
    return _form_page(request, form, _("Edit %(title)s") % {"title": instrument})


@login_required
@require_POST
@object_view(Instrument)
def instrument_verify(request, pk):
    instrument = _instrument_or_404(request.user, pk)
    form = VerifyForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.instrument_verify(acting_user=request.user, instrument=instrument, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as verified today."))
    return redirect(instrument)


@login_required
@object_view(Instrument)
def instrument_document(request, pk):
    _require_viewer(request)
    instrument = _instrument_or_404(request.user, pk)
    if not instrument.document:
        raise Http404
    return FileResponse(
        instrument.document.open("rb"),
        as_attachment=True,
        filename=instrument.document.name.rsplit("/", 1)[-1],
        content_type=instrument.document_content_type or "application/octet-stream",
    )


@login_required
@object_view(Instrument)
def party_status_create(request, pk):
    instrument = _instrument_or_404(request.user, pk)
    policy.require(request.user, policy.CHANGE, instrument, purpose="frameworks")
    form = PartyStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_status_record(acting_user=request.user, instrument=instrument, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Country status recorded."))
            return redirect(instrument)
    return _form_page(
        request,
        form,
        _("Country status in %(title)s") % {"title": instrument},
        _(
            "Signature, consent to be bound and reservations of one country. Saving again for the "
            "same country replaces its status."
        ),
    )


@login_required
@object_view(Instrument)
def provision_create(request, pk):
    instrument = _instrument_or_404(request.user, pk)
    policy.require(request.user, policy.CHANGE, instrument, purpose="frameworks")
    return _provision_form(request, instrument, None)


@login_required
@object_view(Provision)
def provision_edit(request, pk):
    provision = selectors.provisions_visible(request.user).filter(pk=pk).first()
    if provision is None:
        raise Http404
    policy.require(request.user, policy.CHANGE, provision, purpose="frameworks")
    return _provision_form(request, provision.instrument, provision)


def _provision_form(request, instrument, provision):
    initial = None
    if provision is not None:
        initial = {name: getattr(provision, name) for name in services.PROVISION_FIELDS}
    form = ProvisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.provision_save(
                acting_user=request.user, instrument=instrument, provision=provision, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Provision saved."))
            return redirect(instrument)
    title = _("Provision of %(title)s") % {"title": instrument}
    return _form_page(request, form, title)


@login_required
def instrument_import(request):
    policy.require_capability(request.user, Capability.MANAGE_FRAMEWORKS, purpose="frameworks")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.instruments_import(
            acting_user=request.user, name=upload.name, content=upload.read()
        )
        if result.ok:
            messages.success(request, _("%(n)s instruments imported.") % {"n": len(result.created)})
            return redirect("frameworks:instrument_list")
    return render(
        request,
        "frameworks/import.html",
        {"form": form, "result": result, "columns": services.IMPORT_COLUMNS},
    )


# comparison ----------------------------------------------------------------------------------


def _matrix_countries(request, form):
    if form.is_valid() and form.cleaned_data["countries"]:
        return form.cleaned_data["countries"]
    return selectors.countries_with_frameworks(request.user)[:12] or DEFAULT_COUNTRIES


@login_required
def matrix(request):
    _require_viewer(request)
    form = MatrixForm(request.GET or None)
    countries = _matrix_countries(request, form)
    result = selectors.country_matrix(request.user, countries)
    return render(
        request,
        "frameworks/matrix.html",
        {
            "form": form,
            "matrix": result,
            "countries": countries,
            "countries_param": " ".join(countries),
            "gaps": [(c, registry.label("country", c), result.gaps(c)) for c in countries],
            "compare_form": CompareForm(
                initial={
                    "theme": "atd",
                    "country_1": countries[0],
                    "country_2": countries[1] if len(countries) > 1 else "",
                }
            ),
        },
    )


@login_required
def matrix_export(request, fmt):
    _require_viewer(request)
    form = MatrixForm(request.GET or None)
    countries = _matrix_countries(request, form)
    review = exports.desk_review(request.user, countries)
    services.export_recorded(acting_user=request.user, kind=f"matrix.{fmt}", countries=countries)
    if fmt == "csv":
        return _download(exports.matrix_csv(review), "text/csv; charset=utf-8", "frameworks-matrix.csv")
    return _download(
        exports.matrix_xlsx(review),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "frameworks-matrix.xlsx",
    )


# The authorization walker fills the format kwarg with these (see tests/test_authorization.py).
matrix_export.lindung_examples = {"fmt": "csv"}


@login_required
def compare(request):
    _require_viewer(request)
    form = CompareForm(request.GET or None)
    columns, theme = [], ""
    if form.is_valid():
        theme = form.cleaned_data["theme"]
        result = selectors.country_matrix(request.user, form.countries(), themes=[theme])
        columns = [(c, name, result.cell(c, theme), counts) for c, name, counts in result.headers()]
    return render(
        request,
        "frameworks/compare.html",
        {
            "form": form,
            "columns": columns,
            "theme": theme,
            "theme_label": registry.label("framework_theme", theme) if theme else "",
            "countries_param": " ".join(column[0] for column in columns),
        },
    )


@login_required
def report(request, fmt):
    """GET: the report's countries and theme with a button; POST: queue the report for a worker
    and follow its job's page, which offers the file to download once it is built. Countries that
    do not parse are refused (400) rather than replaced."""
    _require_viewer(request)
    data = request.POST if request.method == "POST" else request.GET
    form = MatrixForm(data or None)
    countries = _matrix_countries(request, form)
    theme = data.get("theme", "")
    if theme and not registry.is_valid("framework_theme", theme):
        theme = ""
    if request.method == "POST" and form.is_valid():
        job = jobs.submit(
            tasks.desk_review_report,
            kind="frameworks.report",
            subject=f"frameworks.report:{fmt}",
            # The report's file is encrypted with an organisation's key: the requester's first one.
            organisation_id=min(policy.organisations_with(request.user, Capability.VIEW_FRAMEWORKS)),
            created_by=request.user,
            params={"format": fmt, "countries": list(countries), "theme": theme},
        )
        return redirect(job)
    if request.method != "POST":  # the countries the link named, or the defaults, ready to change
        form = MatrixForm(initial={"countries": " ".join(countries)})
    context = {
        "form": form,
        "fmt": fmt,
        "theme": theme,
        "theme_label": registry.label("framework_theme", theme) if theme else "",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "frameworks/report_start.html", context, status=status)


report.lindung_examples = {"fmt": "docx"}


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# recommendations -----------------------------------------------------------------------------


@login_required
def recommendation_list(request):
    _require_viewer(request)
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    followup = request.GET.get("followup_status", "")
    if followup and not registry.is_valid("framework_followup", followup):
        followup = ""
    found = selectors.recommendations_visible(
        request.user,
        theme=filters.get("theme", ""),
        country=filters.get("country", ""),
        followup_status=followup,
    )
    return render(
        request,
        "frameworks/recommendation_list.html",
        {
            "form": form,
            "page": Paginator(found, 50).get_page(request.GET.get("page")),
            "followup_choices": registry.choices("framework_followup"),
            "followup": followup,
            "can_manage": _can_manage(request.user),
        },
    )


@login_required
def recommendation_create(request):
    policy.require_capability(request.user, Capability.MANAGE_FRAMEWORKS, purpose="frameworks")
    return _recommendation_form(request, None)


@login_required
@object_view(Recommendation)
def recommendation_edit(request, pk):
    recommendation = selectors.recommendations_visible(request.user).filter(pk=pk).first()
    if recommendation is None:
        raise Http404
    policy.require(request.user, policy.CHANGE, recommendation, purpose="frameworks")
    return _recommendation_form(request, recommendation)


def _recommendation_form(request, recommendation):
    initial = None
    if recommendation is not None:
        initial = {name: getattr(recommendation, name) for name in services.RECOMMENDATION_FIELDS}
        initial["countries"] = " ".join(recommendation.countries)
        initial["instruments"] = list(recommendation.instruments.all())
    form = RecommendationForm(
        request.POST or None, initial=initial, instruments=selectors.instruments_visible(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        instruments = data.pop("instruments")
        try:
            services.recommendation_save(
                acting_user=request.user, recommendation=recommendation, instruments=instruments, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("frameworks:recommendation_list")
    title = (
        _("New recommendation or practice")
        if recommendation is None
        else _("Follow-up of %(title)s") % {"title": recommendation}
    )
    return _form_page(request, form, title)
