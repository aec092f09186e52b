"""The task queue: enqueue-to-start latency on each backend, and throughput with 1, 2 and 4 workers.

    python bench/run.py tasks            (LINDUNG_BENCH_TASKS_N no-op jobs, default below)
    LINDUNG_BENCH_TASKS_ONLY=throughput LINDUNG_BENCH_TASKS_N=10000 python bench/bench_tasks.py
                                         (the throughput figures alone, as the issue states them)

Each figure comes from real ``lindung worker`` processes (polling every 0.1 s) on a fresh database:
SQLite in a temporary directory, PostgreSQL ``lindung_bench_tasks`` (``LINDUNG_BENCH_TASKS_DATABASE_URL``)
and, for RQ, the local Redis (``LINDUNG_BENCH_REDIS_URL``, database 6). The job is
``core.tasks.probe``, which only finishes.

- latency: a job is submitted, the clock runs until its worker has marked it running (the job
  row's ``started_at`` minus its ``created_at``); 60 jobs one after another, p95. Baseline: the
  same job run in-process, from submit to its end, without a queue (``latency_ratio``).
- throughput (PostgreSQL): N jobs queued, then 1, 2 and 4 workers started and timed until the last
  job is done. Baseline: the same N jobs executed one after another in-process, without a queue
  (``queue_overhead_ratio`` for one worker); ``scaling_2`` and ``scaling_4`` divide the throughput
  of 2 and 4 workers by that of one (this machine has 2 cores, shared).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from child import SRC, run_child

PG_URL = os.environ.get(
    "LINDUNG_BENCH_TASKS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lindung_bench_tasks"
)
REDIS_URL = os.environ.get("LINDUNG_BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
# The figure is 10,000 jobs. Every job commits four times (claim, start, end, task result),
# and a commit waits for the disk: on the shared 2-core machine with a busy disk that is ~15 jobs/s
# for one worker, so 10,000 jobs three times over would take most of an hour. The default is 2,000;
# set LINDUNG_BENCH_TASKS_N=10000 on a machine of its own.
N = int(os.environ.get("LINDUNG_BENCH_TASKS_N", "2000"))
LATENCY_SAMPLES = 60
KEY = "YmVuY2gtdGFza3MtbWFzdGVyLWtleS0wMDAwMDAwMDA="


# Workers keep their database connection between tasks, as deploy/environment.example has it
# (with Django's default of closing it, every task would open a new PostgreSQL connection).
COMMON = {"LINDUNG_MASTER_KEY": KEY, "LINDUNG_DB_CONN_MAX_AGE": "60"}


def run() -> dict:
    postgres = {"DATABASE_URL": PG_URL, **COMMON, "LINDUNG_BENCH_FRESH": "1"}
    if os.environ.get("LINDUNG_BENCH_TASKS_ONLY") == "throughput":
        step = {**postgres, "LINDUNG_BENCH_STEP": "throughput"}
        return {"postgresql_throughput": run_child(__file__, step)}
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", **COMMON}
        figures["sqlite"] = run_child(__file__, {**sqlite, "LINDUNG_BENCH_STEP": "latency"})
    figures["postgresql"] = run_child(__file__, {**postgres, "LINDUNG_BENCH_STEP": "latency"})
    rq = {**postgres, "LINDUNG_TASK_BACKEND": "rq", "LINDUNG_REDIS_URL": REDIS_URL}
    figures["rq"] = run_child(__file__, {**rq, "LINDUNG_BENCH_STEP": "latency"})
    figures["postgresql_throughput"] = run_child(__file__, {**postgres, "LINDUNG_BENCH_STEP": "throughput"})
    return figures


# inside the child ------------------------------------------------------------------------------


def _fresh_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _workers(count, log_dir):
    env = {**os.environ, "PYTHONPATH": str(SRC), "LINDUNG_WORKER_HEARTBEAT_SECONDS": "2"}
    return [
        subprocess.Popen(
            [sys.executable, "-m", "lindung.cli", "worker", "--interval", "0.1", "--worker-id", f"bench-{n}"],
            env=env,
            stdout=open(Path(log_dir) / f"worker-{n}.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        for n in range(count)
    ]


def _stop(workers):
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(60)


def _p95_ms(samples):
    return round(sorted(samples)[int(len(samples) * 0.95) - 1] * 1000, 2)


def _wait_done(job_ids, timeout=None):
    from lindung.core.models import Job

    # Ten minutes, or half a second a job for large runs (one worker on a loaded machine does ~15/s).
    timeout = timeout or max(600, len(job_ids) * 0.5)
    deadline = time.monotonic() + timeout
    while Job.objects.filter(pk__in=job_ids, status=Job.Status.DONE).count() < len(job_ids):
        if time.monotonic() > deadline:
            raise RuntimeError("jobs did not finish")
        time.sleep(0.05)


def _latency(log_dir) -> dict:
    from django.conf import settings

    from lindung.core import jobs
    from lindung.core.models import Job
    from lindung.core.tasks import probe

    if settings.LINDUNG_TASK_BACKEND == "rq":
        import django_rq

        django_rq.get_queue("default").empty()
    # Baseline: the same job run in this process, submit to end, without a queue.
    inline = []
    for _ in range(LATENCY_SAMPLES):
        started = time.perf_counter()
        job = Job.objects.create(kind="bench.inline")
        jobs.execute(str(job.pk), probe.func.__wrapped__, atomic=True)
        inline.append(time.perf_counter() - started)
    workers = _workers(1, log_dir)
    try:
        _wait_done([jobs.submit(probe, kind="bench.warmup").pk], timeout=120)
        samples = []
        for _ in range(LATENCY_SAMPLES):
            job = jobs.submit(probe, kind="bench.latency")
            _wait_done([job.pk], timeout=60)
            job.refresh_from_db()
            samples.append((job.started_at - job.created_at).total_seconds())
    finally:
        _stop(workers)
    latency, baseline = _p95_ms(samples), _p95_ms(inline)
    return {
        "backend": settings.LINDUNG_TASK_BACKEND,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "enqueue_to_start_p95_ms": latency,
        "enqueue_to_start_median_ms": round(statistics.median(samples) * 1000, 2),
        "inline_job_p95_ms": baseline,
        "latency_ratio": round(latency / baseline, 2),
        "worker_poll_interval_s": 0.1,
    }


def _queue(n) -> list:
    """N probe jobs queued as ``jobs.submit`` queues them (rows written in bulk, for time)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    from lindung.core.models import Job
    from lindung.core.tasks import probe

    created = Job.objects.bulk_create(
        Job(kind="bench.throughput", task_id=str(uuid.uuid4())) for _ in range(n)
    )
    DBTaskResult.objects.bulk_create(
        (
            DBTaskResult(
                id=job.task_id,
                args_kwargs={"args": [str(job.pk)], "kwargs": {}},
                task_path=probe.module_path,
                backend_name="default",
                run_after=get_date_max(),
            )
            for job in created
        ),
        batch_size=2000,
    )
    return [job.pk for job in created]


def _throughput(log_dir) -> dict:
    from lindung.core import jobs
    from lindung.core.models import Job
    from lindung.core.tasks import probe

    # Baseline: the N jobs executed one after another in this process, no queue.
    ids = [job.pk for job in Job.objects.bulk_create(Job(kind="bench.inline") for _ in range(N))]
    started = time.perf_counter()
    for job_id in ids:
        jobs.execute(str(job_id), probe.func.__wrapped__, atomic=True)
    inline_seconds = time.perf_counter() - started
    figures = {"jobs": N, "inline_seconds": round(inline_seconds, 2)}
    rates = {}
    for count in (1, 2, 4):
        ids = _queue(N)
        started = time.perf_counter()
        workers = _workers(count, log_dir)
        try:
            _wait_done(ids)
        finally:
            _stop(workers)
        seconds = time.perf_counter() - started
        rates[count] = N / seconds
        figures[f"workers_{count}_seconds"] = round(seconds, 2)
        figures[f"workers_{count}_jobs_per_second"] = round(rates[count], 1)
    figures["queue_overhead_ratio"] = round(figures["workers_1_seconds"] / inline_seconds, 2)
    figures["scaling_2"] = round(rates[2] / rates[1], 2)
    figures["scaling_4"] = round(rates[4] / rates[1], 2)
    return figures


def _child():
    # A fresh database for each PostgreSQL step of the database backend (RQ reuses the latency one).
    backend = os.environ.get("LINDUNG_TASK_BACKEND", "database")
    if os.environ.get("LINDUNG_BENCH_FRESH") and backend == "database":
        _fresh_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as log_dir:
        step = _latency if os.environ["LINDUNG_BENCH_STEP"] == "latency" else _throughput
        print(json.dumps(step(log_dir)))


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        print(json.dumps(run(), indent=2))
