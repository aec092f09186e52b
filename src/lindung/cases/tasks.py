"""Case management's background work."""

from lindung.core.jobs import job_task

from . import services


@job_task
def retention(job):
    """Anonymise or delete the cases past their retention date (daily, see schedule.py)."""
    return services.retention_run()
