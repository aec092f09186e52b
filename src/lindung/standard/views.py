"""Pages of the data standard: dictionary, versions, exports, validation, imports, record counts."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lindung.core import policy, spreadsheets
from lindung.core.roles import Capability
from lindung.core.routes import object_view, route_examples

from . import exports, jobs, profiles, registry, selectors, services, versions
from .forms import DiffForm, ImportForm, UploadForm
from .models import ImportBatch, ValidationReport

SHOWN_ERRORS = 500


def _standard_or_404(version):
    if version not in registry.versions():
        raise Http404(_("There is no version %(v)s of the standard.") % {"v": version})
    return registry.load(version)


@login_required
def index(request):
    # The menu's entries live under /standard/<page>/, so that only one of them is "current".
    return redirect("standard:dictionary")


@login_required
@route_examples(version="1.0")
def dictionary(request, version=None):
    standard = _standard_or_404(version or registry.current_version())
    context = exports.dictionary_context(standard)
    context.update(
        version_info=versions.describe(standard.version),
        all_versions=versions.all_versions(),
        formats=list(exports.FORMATS),
    )
    return render(request, "standard/dictionary.html", context)


@login_required
@route_examples(version="1.0", list_id="sex")
def code_list(request, version, list_id):
    standard = _standard_or_404(version)
    if list_id not in standard.code_lists:
        raise Http404(_("No such code list."))
    used_by = [v for v in standard.variables.values() if v.code_list == list_id]
    return render(
        request,
        "standard/code_list.html",
        {"standard": standard, "code_list": standard.code_lists[list_id], "used_by": used_by},
    )


@login_required
@route_examples(version="1.0", fmt="json-schema")
def export(request, version, fmt):
    _standard_or_404(version)
    if fmt not in exports.FORMATS:
        raise Http404(_("No such export format."))
    response = HttpResponse(exports.render(fmt, version), content_type=exports.FORMATS[fmt][0])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt, version)}"'
    return response


@login_required
def changelog(request):
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).render(versions.changelog())
    return render(
        request, "standard/changelog.html", {"changelog_html": html, "all_versions": versions.all_versions()}
    )


@login_required
def compare(request):
    form = DiffForm(request.GET or None)
    diff = None
    if form.is_bound and form.is_valid():
        diff = versions.compare(form.cleaned_data["old"], form.cleaned_data["new"])
    return render(request, "standard/compare.html", {"form": form, "diff": diff})


# validation -----------------------------------------------------------------------------------


@login_required
def validate(request):
    policy.require_capability(request.user, Capability.MANAGE_STANDARD)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.report_create(
            acting_user=request.user,
            organisation=form.cleaned_data["organisation"],
            file_name=upload.name,
            data=upload.read(),
            profile=form.cleaned_data["profile"],
            version=form.cleaned_data["version"],
        )
        return redirect(report)
    reports = selectors.reports_visible(request.user)[:20]
    return render(request, "standard/validate.html", {"form": form, "reports": reports})


@login_required
@object_view(ValidationReport)
def report_detail(request, pk):
    report = get_object_or_404(selectors.reports_visible(request.user), pk=pk)
    rows = list(csv.DictReader(io.StringIO(services.report_errors_csv(report).decode())))
    if rows:
        # Error values quote the uploaded file, which may hold personal data.
        policy.record_personal_read(request.user, report, purpose="validation errors", fields=["errors"])
    return render(
        request,
        "standard/report_detail.html",
        {"report": report, "errors": rows[:SHOWN_ERRORS], "more": max(0, report.error_count - SHOWN_ERRORS)},
    )


@login_required
@object_view(ValidationReport)
def report_errors(request, pk):
    report = get_object_or_404(selectors.reports_visible(request.user), pk=pk)
    policy.record_personal_read(request.user, report, purpose="validation errors download", fields=["errors"])
    # The errors quote the uploaded file's values: neutralised here, so reports stored before
    # the neutralising existed come out safe too.
    content = spreadsheets.rewrite_csv(services.report_errors_csv(report))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="validation-{report.pk}-errors.csv"'
    return response


# imports --------------------------------------------------------------------------------------


IMPORT_LIST_LIMIT = 50


@login_required
def import_list(request):
    policy.require_capability(request.user, Capability.MANAGE_STANDARD)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        batch = services.batch_create(
            acting_user=request.user,
            organisation=form.cleaned_data["organisation"],
            file_name=upload.name,
            data=data,
            profile=form.cleaned_data["profile"],
            version=form.cleaned_data["version"],
            partial=form.cleaned_data["partial"],
        )
        batch = jobs.start(batch, data)
        if batch.status == ImportBatch.Status.DONE:
            messages.success(
                request,
                _("Imported %(imported)s records; %(skipped)s rows were skipped (see below).")
                % {"imported": batch.imported, "skipped": batch.skipped},
            )
        return redirect(batch)
    status = request.GET.get("status", "")
    status = status if status in ImportBatch.Status.values else ""
    batches = selectors.batches_visible(request.user)
    if status:
        batches = batches.filter(status=status)
    return render(
        request,
        "standard/import_list.html",
        {
            "form": form,
            "batches": batches[:IMPORT_LIST_LIMIT],
            "total": batches.count(),
            "status_label": ImportBatch.Status(status).label if status else "",
        },
    )


@login_required
@object_view(ImportBatch)
def import_detail(request, pk):
    batch = get_object_or_404(selectors.batches_visible(request.user), pk=pk)
    return render(request, "standard/import_detail.html", {"batch": batch, "progress": jobs.progress(batch)})


@login_required
@require_GET
@object_view(ImportBatch)
def import_progress(request, pk):
    batch = get_object_or_404(selectors.batches_visible(request.user), pk=pk)
    return JsonResponse(jobs.progress(batch))


# records --------------------------------------------------------------------------------------


@login_required
def counts(request):
    policy.require_capability(request.user, Capability.VIEW_STATS)
    data = selectors.record_counts(request.user)
    sexes = registry.code_list("sex").codes
    return render(
        request,
        "standard/counts.html",
        {
            "total": data["total"],
            "sexes": sexes,
            "overall": _pivot(data["by_year_sex"], sexes),
            "by_form": [{**f, "table": _pivot(f["counts"], sexes)} for f in data["by_form"]],
            "ctdc_releases": profiles.ctdc_releases().values(),
        },
    )


def _pivot(counts, sexes) -> list[dict]:
    """[{year, cells: [n per sex], total}] sorted by year; unknown years last."""
    years: dict = {}
    for row in counts:
        years.setdefault(row["year_of_registration"], {})[row["sex"]] = row["n"]
    table = []
    for year in sorted(years, key=lambda y: (y is None, y or 0)):
        cells = [years[year].get(s.code, 0) for s in sexes]
        table.append({"year": year, "cells": cells, "total": sum(years[year].values())})
    return table


@login_required
def records_ctdc(request):
    policy.require_capability(request.user, Capability.VIEW_STATS)
    release = request.GET.get("release") or None
    if release is not None and release not in profiles.ctdc_releases():
        raise Http404(_("No such CTDC release."))
    records = selectors.records_visible(request.user)
    content = exports.records_ctdc_csv(records.iterator(), release=release)
    services.records_exported(acting_user=request.user, count=records.count(), profile="ctdc")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="records-ctdc.csv"'
    return response
