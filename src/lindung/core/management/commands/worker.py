"""``lindung worker``: run background tasks, with heartbeats and recovery of a lost worker's tasks.

On the database backend it is django-tasks-db's worker (tasks claimed with row locks, so any number
of workers on any number of machines share one queue); on the RQ backend it is RQ's worker with
django-tasks-rq's job class. Both beat a heartbeat that /healthz and the operations page read.
"""

import os
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from lindung.core import jobs, live
from lindung.core.interpreter import bulk_process


class BeatingWorker(Worker):
    """django-tasks-db's worker, telling the others which task it runs."""

    current_task = ""

    def run_task(self, db_task_result):
        self.current_task = str(db_task_result.pk)
        jobs.beat(self.worker_id, backend="database", task_id=self.current_task)
        try:
            # A worker's tasks are bulk work (pulls from peers, exports): the interpreter is set for
            # each here, in the worker's own loop, never inside the task (which a web process
            # running tasks at once would run in a request's thread).
            with bulk_process():
                super().run_task(db_task_result)
        finally:
            self.current_task = ""


def _beat_forever(worker_id: str, backend: str, stop: threading.Event, current) -> None:
    """Heartbeats (and, on the database backend, recovery of lost workers' tasks) in a thread of
    their own, so that they go on while a long task runs."""
    while not stop.wait(jobs.heartbeat_every()):
        try:
            jobs.beat(worker_id, backend=backend, task_id=current())
            if backend == "database":
                jobs.recover_orphans()
        except OperationalError:
            # SQLite: a task's transaction holds the write lock; the next beat tries again.
            pass
        finally:
            close_old_connections()
    live.close()
    connection.close()


class Command(BaseCommand):
    help = "Run background tasks until stopped (Ctrl-C or SIGTERM finish the current task first)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name", default="default", help="queues to take tasks from, comma-separated"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
        )
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
        parser.add_argument(
            "--worker-id", default="", help="unique name of this worker (default: host-pid-random)"
        )

    def handle(self, *args, **options):
        worker_id = options["worker_id"] or f"{os.uname().nodename}-{os.getpid()}-{get_random_string(6)}"[:64]
        backend_in_use = task_backends["default"]
        database = isinstance(backend_in_use, DatabaseBackend)
        backend = "database" if database else "rq"
        worker = None
        if database:
            worker = BeatingWorker(
                queue_names=options["queue_name"].split(","),
                interval=options["interval"],
                batch=options["batch"],
                backend_name=backend_in_use.alias,
                startup_delay=False,
                max_tasks=options["max_tasks"],
                worker_id=worker_id,
                excluded_queue_names=[],
            )
        stop = threading.Event()
        jobs.beat(worker_id, backend=backend)
        beating = threading.Thread(
            target=_beat_forever,
            args=(worker_id, backend, stop, lambda: worker.current_task if worker else ""),
            name="heartbeat",
            daemon=True,
        )
        beating.start()
        self.stdout.write(f"Worker {worker_id} on the {backend} backend, queues {options['queue_name']}.")
        try:
            if database:
                jobs.recover_orphans()
                worker.configure_signals()
                worker.run()
            else:
                call_command(
                    "rqworker",
                    *options["queue_name"].split(","),
                    job_class="django_tasks_rq.Job",
                    burst=options["batch"],
                    name=worker_id,
                )
        finally:
            stop.set()
            jobs.forget_worker(worker_id)
