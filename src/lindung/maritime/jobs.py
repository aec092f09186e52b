"""Running an import of public data: small files in the request, larger ones as a background job.

Above ``LINDUNG_MARITIME_INLINE_IMPORT_BYTES`` (2 MB) the upload waits, encrypted, in a
``core.Job`` that a worker runs (``tasks.import_file``); the job's page (``core:job_detail``) shows
its progress from the database and, when done, the same summary as the import page. A queued file
is checked first to be UTF-8 CSV (code ``file.type``), so that a wrong file is refused at once
rather than after its wait in the queue.
"""

from django.conf import settings

from lindung.core import jobs, policy, uploads
from lindung.core.models import Job
from lindung.core.roles import Capability

from . import services, tasks


def inline_limit() -> int:
    return int(getattr(settings, "LINDUNG_MARITIME_INLINE_IMPORT_BYTES", 2_000_000))


def start(*, acting_user, organisation, file_name: str, data: bytes, fmt: str, partial: bool):
    """The summary of an inline import, or the queued ``Job`` of a large one."""
    if len(data) <= inline_limit():
        return services.incidents_import_file(
            acting_user=acting_user, organisation=organisation, data=data, fmt=fmt, partial=partial
        )
    # Refused now rather than after the wait in the queue: a wrong right, a wrong file.
    policy.require_capability(acting_user, Capability.MANAGE_INCIDENTS, organisation.pk)
    uploads.sniff(file_name, data, ["text/csv"])
    return jobs.submit(
        tasks.import_file,
        kind="maritime.import",
        subject=f"maritime.import:{organisation.pk}",
        organisation=organisation,
        created_by=acting_user,
        params={"organisation": organisation.pk, "format": fmt, "partial": partial},
        payload=data,
    )


def is_job(outcome) -> bool:
    return isinstance(outcome, Job)
