"""The frameworks' background work: the desk-review report (PDF or DOCX) built by a worker.

Laying out a report of many countries takes from seconds to minutes (WeasyPrint), too long for a
request. The report is built with its requester's own view of the knowledge base, so only they
download it (``core:job_download``)."""

from lindung.core import policy
from lindung.core.jobs import JobFailed, job_task, reporter, store_output
from lindung.core.roles import Capability

from . import exports, services

REPORT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
REPORT_WRITERS = {"pdf": exports.report_pdf, "docx": exports.report_docx}


@job_task(atomic=True, retryable=True)
def desk_review_report(job):
    """Collect the review, lay it out, keep the file in the job; the export is audited with it."""
    user, fmt = job.created_by, job.params["format"]
    if not policy.has_capability(user, Capability.VIEW_FRAMEWORKS):
        raise JobFailed("report_not_allowed")
    progress = reporter(job)
    progress("collect", 0, 3)
    review = exports.desk_review(user, job.params["countries"], job.params.get("theme", ""))
    progress("layout", 1, 3)
    content = REPORT_WRITERS[fmt](review)
    progress("store", 2, 3)
    store_output(job, content, name=f"desk-review.{fmt}", content_type=REPORT_TYPES[fmt])
    services.export_recorded(
        acting_user=user, kind=f"report.{fmt}", countries=job.params["countries"], theme=review.theme
    )
    progress("store", 3, 3)
    return {"format": fmt, "countries": len(job.params["countries"]), "bytes": len(content)}
