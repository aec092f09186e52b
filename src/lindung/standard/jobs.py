"""Running an import: small files inline, in the request; larger ones as a background job.

A background import is a ``core.Job`` whose task a worker runs (``lindung worker``): the upload
waits in the job, encrypted, and the page polls ``progress``, which reads the job's progress from
the database, so every web process shows the same bar and a restart of the web server loses
nothing. The import commits everything or nothing; a job whose worker is lost is run again.
"""

import logging

from django.conf import settings

from lindung.core import jobs
from lindung.core.models import Job

from . import services, tasks
from .models import ImportBatch

logger = logging.getLogger(__name__)


def inline_limit() -> int:
    return int(getattr(settings, "LINDUNG_STANDARD_INLINE_IMPORT_BYTES", 2_000_000))


def job_of(batch: ImportBatch) -> Job | None:
    return Job.objects.defer("payload").filter(subject=jobs.subject_label(batch)).first()


def progress(batch: ImportBatch) -> dict:
    job = None if batch.finished else job_of(batch)
    current = jobs.progress(job) if job else {}
    total = current.get("total") or batch.rows
    done = batch.imported + batch.skipped if batch.finished else current.get("done", 0)
    percent = 100 if batch.finished else current.get("percent", 0)
    return {
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "phase": current.get("phase", batch.status),
        "done": done,
        "total": total,
        "percent": percent,
        "finished": batch.finished,
        "imported": batch.imported,
        "skipped": batch.skipped,
        "errors": batch.error_count,
    }


def start(batch: ImportBatch, data: bytes) -> ImportBatch:
    """Run inline when small; otherwise queue a job for a worker."""
    if len(data) <= inline_limit():
        try:
            return services.batch_run(batch, data)
        except Exception:
            # batch_run marked the batch failed and audited it; the page shows that status.
            logger.exception("import batch %s failed", batch.pk)
            batch.refresh_from_db()
            return batch
    jobs.submit(
        tasks.import_batch,
        kind="standard.import",
        subject=batch,
        organisation=batch.organisation,
        created_by=batch.created_by,
        params={"batch": batch.pk},
        payload=data,
    )
    batch.refresh_from_db()
    return batch
