"""Core's background work."""

from .jobs import job_task


@job_task(atomic=True)
def probe(job):
    """A job that only finishes: the benchmarks and monitoring time the queue with it."""
    return {"probe": True}
