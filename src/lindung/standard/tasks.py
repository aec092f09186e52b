"""The standard's background work: an import runs on a worker, its progress readable by every
web process (see core.jobs)."""

from lindung.core.jobs import job_task, reporter

from . import services
from .models import ImportBatch


@job_task
def import_batch(job):
    """Import the uploaded file kept in the job. The import commits all of its rows and its
    batch's final status in one transaction, so a retry after a lost worker either finds the batch
    finished and does nothing, or starts again from an untouched database."""
    batch = ImportBatch.objects.select_related("organisation", "created_by").get(pk=job.params["batch"])
    if not batch.finished:
        batch = services.batch_run(batch, bytes(job.payload), progress=reporter(job))
    return {"batch": batch.pk, "status": batch.status, "imported": batch.imported, "skipped": batch.skipped}
