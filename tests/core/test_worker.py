"""The worker as a real separate process: on the database backend (SQLite or PostgreSQL, whichever
this run uses) and on the RQ backend against the machine's Redis."""

import os

import pytest

from lindung.core import jobs
from lindung.core.models import Job
from lindung.core.tasks import probe
from tests import processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _all_done(ids):
    return lambda: Job.objects.filter(pk__in=ids, status=Job.Status.DONE).count() == len(ids)


def test_a_worker_process_runs_queued_jobs_and_beats(settings, tmp_path):
    settings.TASKS = processes.DATABASE_BACKEND
    ids = [jobs.submit(probe, kind="core.probe").pk for _ in range(5)]
    log = tmp_path / "worker.log"
    worker = processes.worker(log, "--worker-id", "test-worker")
    try:
        processes.wait_for(_all_done(ids), 60, "the jobs to finish", log)
        alive = processes.wait_for(
            lambda: [w for w in jobs.workers() if w["id"] == "test-worker" and w["alive"]],
            10,
            "a heartbeat",
            log,
        )
        assert alive[0]["backend"] == "database"
        assert jobs.health()["queue"]["depth"] == 0
    finally:
        assert processes.stop(worker) == 0  # SIGTERM: a clean exit between tasks
    assert all(j.attempts == 1 for j in Job.objects.filter(pk__in=ids))
    assert not [w for w in jobs.workers() if w["id"] == "test-worker"]


def _redis_url():
    url = os.environ.get("LINDUNG_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        if os.environ.get("LINDUNG_REQUIRE_BROWSER") == "1":  # CI: every real part must be there
            pytest.fail(f"no Redis at {url} (.ci/run starts one)")
        pytest.skip(f"no Redis at {url}")
    return url


def test_the_rq_backend_runs_the_same_jobs_on_redis(settings, tmp_path):
    url = _redis_url()
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url}}
    import django_rq

    queue = django_rq.get_queue("default")
    queue.empty()
    ids = [jobs.submit(probe, kind="core.probe").pk for _ in range(3)]
    assert queue.count == 3
    assert jobs.queue_state() == {"backend": "rq", "depth": 3, "running": 0}
    log = tmp_path / "rq.log"
    worker = processes.worker(log, "--batch", LINDUNG_TASK_BACKEND="rq", LINDUNG_REDIS_URL=url)
    try:
        assert worker.wait(120) == 0, log.read_text()
    finally:
        processes.stop(worker)
    assert _all_done(ids)(), log.read_text()[-3000:]
    assert queue.count == 0
