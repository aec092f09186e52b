"""Maritime's background work: an MMP import too large for a request runs on a worker."""

from lindung.core import policy
from lindung.core.jobs import JobFailed, job_task, reporter
from lindung.core.models import Organisation
from lindung.core.roles import Capability

from . import services


@job_task(atomic=True, retryable=True)
def import_file(job):
    """Import the upload kept in the job as its creator would inline, and keep the summary (the
    import page's, with fixes and warnings) as the job's result. The import and the job's end
    commit together; importing a file again changes nothing, so a retry after a failure is safe.
    Refused with ``import_not_allowed`` when the creator lost the right meanwhile (a retry works
    once it is given back)."""
    organisation = Organisation.objects.get(pk=job.params["organisation"])
    if not policy.has_capability(job.created_by, Capability.MANAGE_INCIDENTS, organisation.pk):
        raise JobFailed("import_not_allowed")
    summary = services.incidents_import_file(
        acting_user=job.created_by,
        organisation=organisation,
        data=bytes(job.payload),
        fmt=job.params["format"],
        partial=job.params["partial"],
        progress=reporter(job),
    )
    return summary.as_dict()
