"""Core's background work."""

import datetime

from .jobs import job_task


@job_task(atomic=True)
def probe(job):
    """A job that only finishes: the benchmarks and monitoring time the queue with it."""
    return {"probe": True}


@job_task
def prune_jobs(job):
    """Forget finished jobs, their task rows and periodic ticks older than
    ``LINDUNG_JOBS_KEEP_DAYS`` (30), and heartbeats of workers gone for a day (daily)."""
    from django.conf import settings
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from .jobs import forget_stale_workers
    from .models import Job, PeriodicRun

    before = timezone.now() - datetime.timedelta(days=getattr(settings, "LINDUNG_JOBS_KEEP_DAYS", 30))
    ticks, _ = PeriodicRun.objects.filter(due_at__lt=before).delete()
    jobs, _ = Job.objects.filter(finished_at__lt=before).delete()
    tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return {"jobs": jobs, "tasks": tasks, "ticks": ticks, "workers": forget_stale_workers()}


@job_task
def anchor_audit_chain(job):
    """Write the audit chain's signed head outside the database (hourly): ``lindung audit verify``
    then catches a cut tail or a rewritten chain against it."""
    from .audit import anchor_write

    anchor = anchor_write()
    return {"entry": anchor["id"]}
