"""Background jobs on Django's Tasks API (the ``django-tasks`` backport).

A job is a ``Job`` row (what people see: status, progress, outcome) and a task that a worker runs
(``lindung worker``; the database backend by default, Redis through RQ when configured). Every
job task takes the job's id, so any backend carries it unchanged:

    @job_task
    def import_batch(job): ...        # returns a dict of counts, stored as the job's result
    jobs.submit(import_batch, kind="standard.import", subject=batch, ...)

A job may leave a file (``store_output``: a report, a bundle), which only its creator downloads
(``core/jobs_views.py``). A task declared ``retryable=True`` may be queued again by its creator or an
administrator once it has failed (``services.job_retry``); its upload is kept after a failure
for that retry, and dropped once the job is done.

Delivery is at least once: a worker killed mid-job has its task put back in the queue by another
worker (``recover_orphans``), so a job function either does all of its writes in one transaction
and checks first whether they are already done, or is declared ``atomic=True`` here, which runs it
and the job's own "done" in one transaction. A second delivery of a finished job does nothing.
"""

import functools
import logging
import socket
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import live
from .models import Job

logger = logging.getLogger(__name__)

# A job whose worker died is run again up to this many times in all, then marked failed.
MAX_ATTEMPTS = 3
# Progress is written at most this often (seconds); the first and last reports always are.
PROGRESS_EVERY = 0.25


class JobFailed(Exception):
    """A job's refusal with a code (shown on the operations page and stored as ``error_code``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def job_task(func=None, *, atomic=False, retryable=False, **task_options):
    """Make ``func(job) -> dict`` a task taking the job id. ``atomic`` runs the function and the
    job's completion in one transaction: if the worker dies before it commits, nothing of it is
    kept and the retry starts from scratch; once it has committed, a retry finds the job done.
    ``retryable``: a failed job of this task may be queued again by people (its function must then
    be safe to run again, which the at-least-once delivery asks of every job anyway)."""
    from django_tasks import task

    def decorate(function):
        @functools.wraps(function)
        def run(job_id: str):
            return execute(job_id, function, atomic=atomic, retryable=retryable)

        run.lindung_retryable = retryable
        return task(run, **task_options)

    return decorate(func) if func is not None else decorate


def submit(
    task,
    *,
    kind: str,
    subject=None,
    organisation=None,
    organisation_id=None,
    created_by=None,
    params=None,
    payload=None,
) -> Job:
    """Create the job and queue its task. On the database backend both rows are written in one
    transaction, so a job is never queued without its row nor left without its task (the
    immediate backend of unit tests runs it there and then)."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            subject=subject_label(subject),
            organisation_id=organisation.pk if organisation is not None else organisation_id,
            created_by=created_by,
            params=params or {},
            payload=payload,
            task_path=task.module_path,
        )
        if _queue_outside_database(task):
            # Redis is outside the transaction: queue only once the row can be read.
            transaction.on_commit(lambda: _enqueue(task, job))
        else:
            _enqueue(task, job)
    return job


def _queue_outside_database(task) -> bool:
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks_db import DatabaseBackend

    return not isinstance(task.get_backend(), DatabaseBackend | ImmediateBackend)


def is_retryable(job: Job) -> bool:
    """Whether the task of ``job`` was declared ``retryable`` (an unknown task is not)."""
    from django.utils.module_loading import import_string

    try:
        task = import_string(job.task_path)
    except ImportError:
        return False
    return bool(getattr(getattr(task, "func", None), "lindung_retryable", False))


def requeue(job: Job) -> None:
    """Put a failed job back in the queue as it was first submitted (``services.job_retry`` checks
    who may, writes the audit row and calls this in its transaction)."""
    from django.utils.module_loading import import_string

    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.QUEUED,
        started_at=None,
        finished_at=None,
        error_code="",
        phase="",
        done=0,
        total=0,
        result={},
    )
    task = import_string(job.task_path)
    if _queue_outside_database(task):
        transaction.on_commit(lambda: _enqueue(task, job))
    else:
        _enqueue(task, job)
    job.refresh_from_db()


def store_output(job: Job, content: bytes, *, name: str, content_type: str) -> None:
    """Keep the file a job made, encrypted in its row with its organisation's key (so the job needs an
    organisation), where every web machine can serve it."""
    job.output, job.output_name, job.output_type = content, name[:200], content_type[:100]
    # Saved through the model: the field encrypts on save only (an update() would refuse it).
    job.save(update_fields=["output", "output_name", "output_type"])


def _enqueue(task, job: Job) -> None:
    result = task.enqueue(str(job.pk))
    job.task_id = str(result.id)
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def subject_label(obj) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    return f"{obj._meta.label_lower}:{obj.pk}"


def execute(job_id: str, function, *, atomic: bool = False, retryable: bool = False):
    # The payload (an upload, possibly large) is read only if the job function asks for it.
    job = Job.objects.defer("payload").filter(pk=job_id).first()
    if job is None or job.finished:
        # Delivered again after it finished (its worker died between the two writes): nothing twice.
        return {"already_finished": job is not None}
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    job.refresh_from_db()
    try:
        if atomic:
            with transaction.atomic():
                result = function(job) or {}
                _finish(job, Job.Status.DONE, result=result)
        else:
            result = function(job) or {}
            _finish(job, Job.Status.DONE, result=result)
    except Exception as exc:
        code = getattr(exc, "code", None) or type(exc).__name__
        _finish(job, Job.Status.FAILED, error_code=str(code)[:64], keep_payload=retryable)
        raise
    return result


def _finish(job: Job, status: str, *, result=None, error_code: str = "", keep_payload=False) -> None:
    state = live.get(f"job:{job.pk}") or {}
    done = state.get("done", job.done)
    changes = {"payload": None} if not keep_payload else {}
    Job.objects.filter(pk=job.pk).update(
        status=status,
        finished_at=timezone.now(),
        result=result or {},
        error_code=error_code,
        phase=state.get("phase", status)[:32],
        done=done,
        total=state.get("total") or done,
        **changes,
    )
    job.status = status
    if state:
        live.delete(f"job:{job.pk}")


def reporter(job: Job):
    """A ``progress(phase, done, total)`` callable for long work, written where every process reads
    it even while the job's own transaction is open (see ``core.live``)."""
    last = [0.0]

    def report(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and done not in (0, total):
            return
        last[0] = now
        live.put(f"job:{job.pk}", {"phase": phase, "done": done, "total": total})

    return report


def progress(job: Job) -> dict:
    """Status and progress of a job, the same from any process."""
    state = (live.get(f"job:{job.pk}") or {}) if job.status == Job.Status.RUNNING else {}
    total = state.get("total", job.total)
    done = state.get("done", job.done)
    percent = 100 if job.status == Job.Status.DONE else (int(done * 100 / total) if total else 0)
    return {
        "status": job.status,
        "phase": state.get("phase", job.phase or job.status),
        "done": done,
        "total": total,
        "percent": min(percent, 100),
        "finished": job.finished,
        "attempts": job.attempts,
        "error_code": job.error_code,
    }


# workers ---------------------------------------------------------------------------------------


def heartbeat_every() -> float:
    return float(getattr(settings, "LINDUNG_WORKER_HEARTBEAT_SECONDS", 5))


def stale_after() -> float:
    """A worker silent for this long is taken for dead and its running task is put back."""
    return float(getattr(settings, "LINDUNG_WORKER_STALE_SECONDS", 60))


def beat(worker_id: str, *, backend: str, task_id: str = "") -> None:
    live.put(
        f"worker:{worker_id}",
        {"host": socket.gethostname(), "backend": backend, "task": task_id},
    )


def workers() -> list[dict]:
    """Workers known by their heartbeats, the live ones first."""
    now = time.time()
    found = []
    for worker_id, info in live.with_prefix("worker:").items():
        age = now - info["updated_at"]
        found.append({**info, "id": worker_id, "age": round(age, 1), "alive": age < stale_after()})
    return sorted(found, key=lambda w: (not w["alive"], w["age"]))


def forget_worker(worker_id: str) -> None:
    live.delete(f"worker:{worker_id}")


def forget_stale_workers(after_seconds: float = 86_400) -> int:
    """Drop the heartbeats of workers silent for a day (killed ones never say goodbye)."""
    now = time.time()
    gone = [w for w, info in live.with_prefix("worker:").items() if now - info["updated_at"] > after_seconds]
    for worker_id in gone:
        forget_worker(worker_id)
    return len(gone)


def recover_orphans() -> int:
    """Put back in the queue every task still marked running whose worker stopped beating (killed,
    machine lost); after ``MAX_ATTEMPTS`` runs the task and its job are marked failed instead.
    Safe to run from several workers at once: each change is conditional on the row not having
    moved since it was read. Database backend only (RQ has its own registries)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    beats = live.with_prefix("worker:")
    now, limit = time.time(), stale_after()
    moved = 0
    for result in DBTaskResult.objects.running().only("id", "worker_ids", "started_at", "args_kwargs"):
        worker = result.worker_ids[-1] if result.worker_ids else None
        last_seen = beats[worker]["updated_at"] if worker in beats else result.started_at.timestamp()
        if now - last_seen < limit:
            continue
        give_up = len(result.worker_ids) >= MAX_ATTEMPTS
        changes = {"status": TaskResultStatus.FAILED if give_up else TaskResultStatus.READY}
        if give_up:
            changes.update(finished_at=timezone.now(), exception_class_path="lindung.core.jobs.WorkerLost")
        with transaction.atomic():
            if not DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
            ).update(**changes):
                continue
            moved += 1
            job_ids = result.args_kwargs.get("args") or []
            if give_up and job_ids:
                Job.objects.filter(pk=job_ids[0]).exclude(status=Job.Status.DONE).update(
                    status=Job.Status.FAILED, finished_at=timezone.now(), error_code="worker_lost"
                )
        logger.warning("task %s of a lost worker %s", result.pk, "failed" if give_up else "queued again")
    return moved


# queue ----------------------------------------------------------------------------------------


def queue_state() -> dict:
    """Depth of the queue and the age of its oldest waiting task, on whichever backend runs."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.ready()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        return {
            "backend": "database",
            "depth": ready.count(),
            "running": DBTaskResult.objects.running().count(),
            "oldest_seconds": round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0,
        }
    if type(backend).__name__ == "RQBackend":
        import django_rq

        queue = django_rq.get_queue("default")
        return {"backend": "rq", "depth": queue.count, "running": queue.started_job_registry.count}
    return {"backend": "immediate", "depth": 0, "running": 0, "oldest_seconds": 0}


def stuck_after() -> float:
    return float(getattr(settings, "LINDUNG_QUEUE_STUCK_SECONDS", 300))


def health() -> dict:
    """What /healthz and the operations page report about background work."""
    queue = queue_state()
    alive = [w for w in workers() if w["alive"]]
    waiting = queue["depth"] > 0
    stuck = waiting and (not alive or queue.get("oldest_seconds", 0) > stuck_after())
    return {"queue": queue, "workers_alive": len(alive), "stuck": stuck, "host": socket.gethostname()}
