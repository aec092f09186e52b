"""Linkage's background work: a batch deduplication started from the review queue runs on a
worker (Splink takes minutes on a large organisation)."""

from lindung.core.jobs import job_task
from lindung.core.models import Organisation

from . import services


@job_task(atomic=True)
def dedupe(job):
    """The run and its proposals are written in one transaction with the job's end: a retry after
    a lost worker starts from an untouched queue."""
    organisation = Organisation.objects.get(pk=job.params["organisation"])
    run = services.dedupe_run(acting_user=job.created_by, organisation=organisation)
    return {"run": run.pk, "persons": run.persons, "pairs": run.pairs, "proposed": run.proposed}
