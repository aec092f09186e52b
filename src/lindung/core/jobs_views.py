"""The page of one background job: its progress bar (polled, read from the database, so any web
process shows it), how it ended, the file it made and, after a failure, a "Retry" button.

Who sees what: the job's creator and the administrators of its organisation see the page; only the
creator downloads its file (a report is built with the creator's own view of the data); the creator
or an administrator may retry a failed job of a retryable task. An app shows its own result by
a template ``<app>/job_<name>.html`` for a job of kind ``<app>.<name>`` (``core/job_result.html``
otherwise).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import jobs, selectors, services
from .models import Job
from .routes import object_view


def refused(request, code: str, message: str, status: int = 403) -> HttpResponse:
    """An error page that names its code (tests and support read the code, not the sentence)."""
    context = {"title": _("Not allowed"), "message": message, "code": code}
    return render(request, "core/error.html", context, status=status)


def _visible(request, pk) -> Job:
    return get_object_or_404(selectors.jobs_visible(request.user), pk=pk)


def result_template(job: Job) -> str:
    app, _dot, name = job.kind.partition(".")
    return select_template([f"{app}/job_{name}.html", "core/job_result.html"]).template.name


def progress_of(job: Job) -> dict:
    return {**jobs.progress(job), "status_label": str(job.get_status_display())}


@login_required
@object_view(Job)
def job_detail(request, pk):
    job = _visible(request, pk)
    is_creator = job.created_by_id == request.user.pk
    context = {
        "job": job,
        "progress": progress_of(job),
        "result": job.result,
        "result_template": result_template(job),
        "may_download": is_creator and job.status == Job.Status.DONE and bool(job.output_name),
        "may_retry": job.status == Job.Status.FAILED
        and jobs.is_retryable(job)
        and services.job_may_retry(request.user, job),
    }
    return render(request, "core/job_detail.html", context)


@login_required
@require_GET
@object_view(Job)
def job_progress(request, pk):
    return JsonResponse(progress_of(_visible(request, pk)))


@login_required
@require_POST
@object_view(Job)
def job_retry(request, pk):
    job = _visible(request, pk)
    try:
        services.job_retry(acting_user=request.user, job=job)
    except ValidationError as exc:
        return refused(request, exc.code, " ".join(exc.messages), status=409)
    messages.success(request, _("The job is queued again."))
    return redirect(job)


@login_required
@require_GET
@object_view(Job)
def job_download(request, pk):
    job = _visible(request, pk)
    if job.created_by_id != request.user.pk:
        message = _("Only the person who started this job may download its file.")
        return refused(request, "job_output_not_yours", message)
    if job.status != Job.Status.DONE or not job.output_name:
        message = _("This job has no file to download (yet).")
        return refused(request, "job_output_missing", message, status=404)
    content = Job.objects.values_list("output", flat=True).get(pk=job.pk)
    response = HttpResponse(bytes(content), content_type=job.output_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{job.output_name}"'
    return response
