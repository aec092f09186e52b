"""Jobs, the scheduler, health and the operations page, in-process (the immediate backend runs a
job there and then; the database backend's rows are inspected without a worker). The real worker
process is in test_worker.py."""

import datetime
import threading
import time

import pytest
from django.core.checks import run_checks
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lindung.core import jobs, live, scheduler
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.models import Job, PeriodicRun
from lindung.core.roles import Role
from lindung.core.tasks import probe
from tests.roles import assert_roles, others

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@jobs.job_task
def failing(job):
    raise jobs.JobFailed("nothing_to_do")


@jobs.job_task(atomic=True)
def half_then_fail(job):
    # Written inside the job's transaction, then undone by the failure: nothing half-written.
    Job.objects.filter(pk=job.pk).update(phase="half-written")
    raise RuntimeError("boom")


@jobs.job_task
def reports_progress(job):
    report = jobs.reporter(job)
    report("counting", 0, 10)
    report("counting", 10, 10)
    return {"counted": 10}


def test_probe_runs_and_its_job_is_done():
    job = jobs.submit(probe, kind="core.probe")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (Job.Status.DONE, 1, {"probe": True})
    assert job.task_id and job.finished_at


def test_a_refusal_is_stored_with_its_code():
    job = jobs.submit(failing, kind="test.failing")
    job.refresh_from_db()
    assert (job.status, job.error_code) == (Job.Status.FAILED, "nothing_to_do")


def test_an_atomic_job_that_fails_leaves_nothing_of_its_work():
    job = jobs.submit(half_then_fail, kind="test.half")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error_code == "RuntimeError"
    assert job.phase != "half-written"


def test_a_finished_job_delivered_again_does_nothing():
    job = jobs.submit(probe, kind="core.probe")
    assert jobs.execute(str(job.pk), lambda j: pytest.fail("ran twice")) == {"already_finished": True}
    job.refresh_from_db()
    assert job.attempts == 1


def test_progress_is_kept_for_the_job_and_then_stored_on_it():
    job = jobs.submit(reports_progress, kind="test.progress")
    job.refresh_from_db()
    assert (job.done, job.total, job.result) == (10, 10, {"counted": 10})
    assert jobs.progress(job)["percent"] == 100
    assert live.get(f"job:{job.pk}") is None


def test_progress_of_a_running_job_comes_from_the_live_store():
    job = Job.objects.create(kind="test.progress", status=Job.Status.RUNNING)
    jobs.reporter(job)("importing", 25, 100)
    state = jobs.progress(job)
    assert (state["phase"], state["done"], state["percent"], state["finished"]) == (
        "importing",
        25,
        25,
        False,
    )


def test_the_payload_is_encrypted_at_rest_and_dropped_when_done(org_a):
    job = Job.objects.create(kind="test.payload", organisation=org_a, payload=b"year,sex\n2020,F\n")
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM core_job WHERE id = %s", [job.pk.hex])
        stored = cursor.fetchone()[0]
    assert b"2020,F" not in str(stored).encode()
    jobs.execute(str(job.pk), lambda j: {"read": len(bytes(j.payload))})
    job.refresh_from_db()
    assert job.result == {"read": 16} and job.payload is None


# the database backend, without a worker ---------------------------------------------------------


def test_submit_queues_the_task_with_the_job_in_one_transaction(settings):
    settings.TASKS = DATABASE_BACKEND
    job = jobs.submit(probe, kind="core.probe")
    result = DBTaskResult.objects.get(pk=job.task_id)
    assert result.status == TaskResultStatus.READY and result.args_kwargs["args"] == [str(job.pk)]
    assert jobs.queue_state()["depth"] == 1


def _claimed(job, worker_id, *, ago):
    result = DBTaskResult.objects.get(pk=job.task_id)
    result.claim(worker_id)
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=ago)
    )
    return result


def test_a_lost_workers_task_is_queued_again_and_a_live_ones_is_not(settings):
    settings.TASKS = DATABASE_BACKEND
    settings.LINDUNG_WORKER_STALE_SECONDS = 30
    lost, busy = (jobs.submit(probe, kind="core.probe") for _ in range(2))
    _claimed(lost, "lost-worker", ago=120)
    _claimed(busy, "busy-worker", ago=120)
    jobs.beat("busy-worker", backend="database", task_id=busy.task_id)
    assert jobs.recover_orphans() == 1
    assert DBTaskResult.objects.get(pk=lost.task_id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=busy.task_id).status == TaskResultStatus.RUNNING
    jobs.forget_worker("busy-worker")


def test_a_task_lost_too_often_fails_with_its_job(settings):
    settings.TASKS = DATABASE_BACKEND
    settings.LINDUNG_WORKER_STALE_SECONDS = 30
    job = jobs.submit(probe, kind="core.probe")
    for n in range(jobs.MAX_ATTEMPTS):
        _claimed(job, f"lost-{n}", ago=120)
        jobs.recover_orphans()
    job.refresh_from_db()
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.FAILED
    assert (job.status, job.error_code) == (Job.Status.FAILED, "worker_lost")


def test_health_says_stuck_when_jobs_wait_and_no_worker_runs(settings, client):
    settings.TASKS = DATABASE_BACKEND
    jobs.submit(probe, kind="core.probe")
    body = client.get("/healthz").json()
    assert body["database"] == "ok" and body["queue"]["depth"] == 1
    assert body["stuck"] is True and body["status"] == "degraded"


# the scheduler -------------------------------------------------------------------------------


def test_every_apps_periodic_job_names_an_existing_task():
    found = {p.name: p for p in scheduler.periodic_jobs()}
    assert found["cases.retention"].cron == "30 2 * * *"
    assert found["sharing.sync"].cron == "*/10 * * * *"
    for periodic in found.values():
        from django.utils.module_loading import import_string

        assert hasattr(import_string(periodic.task), "enqueue"), periodic.task


def test_next_run_follows_the_cron_fields():
    sync = scheduler.Periodic(name="x", cron="*/10 * * * *", task="lindung.core.tasks.probe")
    at = datetime.datetime(2026, 1, 1, 10, 0, tzinfo=datetime.UTC)
    assert sync.next_after(at) == datetime.datetime(2026, 1, 1, 10, 10, tzinfo=datetime.UTC)
    assert sync.next_after(at - datetime.timedelta(seconds=1)) == at


def test_a_tick_is_enqueued_once_whoever_asks():
    periodic = scheduler.Periodic(name="core.probe", cron="* * * * *", task="lindung.core.tasks.probe")
    due = datetime.datetime(2026, 1, 1, 10, 0, tzinfo=datetime.UTC)
    first = scheduler.enqueue_tick(periodic, due, "one")
    assert first is not None and scheduler.enqueue_tick(periodic, due, "two") is None
    assert PeriodicRun.objects.get().job == first
    assert Job.objects.filter(kind="core.probe").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_running_together_enqueue_each_tick_once(settings):
    settings.TASKS = DATABASE_BACKEND
    every_second = [
        scheduler.Periodic(name="core.probe", cron="* * * * *", task="lindung.core.tasks.probe", second="*")
    ]
    stop = threading.Event()

    def run(name):
        try:
            scheduler.run(stop, name=name, schedule=every_second)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    # Wait for two ticks however slow the machine is, rather than a fixed time that a loaded
    # machine might not fit two ticks into.
    deadline = time.monotonic() + 60
    while PeriodicRun.objects.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)  # let both schedulers see the last tick, so a double would show
    stop.set()
    for thread in threads:
        thread.join(10)
    ticks = list(PeriodicRun.objects.values_list("due_at", flat=True))
    assert len(ticks) >= 2 and len(set(ticks)) == len(ticks)
    assert DBTaskResult.objects.count() == Job.objects.count() == len(ticks)


# pages and checks ----------------------------------------------------------------------------


def test_operations_page_for_administrators_only(client_for, org_a):
    assert_roles(
        client_for, org_a, "/operations/", allowed=[Role.ADMINISTRATOR], refused=others(Role.ADMINISTRATOR)
    )


def test_operations_page_shows_periodic_jobs_workers_and_a_stuck_queue(client_for, org_a, settings):
    settings.TASKS = DATABASE_BACKEND
    jobs.submit(probe, kind="core.probe", organisation=org_a)
    jobs.beat("silent-worker", backend="database")
    page = client_for(org_a, Role.ADMINISTRATOR).get("/operations/").content.decode()
    jobs.forget_worker("silent-worker")
    assert 'id="queue-stuck"' not in page  # a worker has beaten just now
    assert "cases.retention" in page and "sharing.sync" in page and "silent-worker" in page
    assert '<dd id="queue-depth">1</dd>' in page
    settings.LINDUNG_QUEUE_STUCK_SECONDS = -1
    page = client_for(org_a, Role.ADMINISTRATOR).get("/operations/").content.decode()
    assert 'id="queue-stuck"' in page


def test_deploy_checks_name_what_the_demo_leaves_unset(settings):
    settings.LINDUNG_MASTER_KEY = ""
    settings.HTTPS = False
    settings.LINDUNG_TASK_BACKEND = "immediate"
    ids = {m.id for m in run_checks(include_deployment_checks=True)}
    assert {"lindung.E101", "lindung.E103", "lindung.W101"} <= ids
    settings.LINDUNG_MASTER_KEY = "x" * 44
    settings.HTTPS = True
    settings.LINDUNG_TASK_BACKEND = "database"
    ids = {m.id for m in run_checks(include_deployment_checks=True)}
    assert not {"lindung.E101", "lindung.E103", "lindung.W101"} & ids


def test_pruning_forgets_old_finished_jobs_and_keeps_the_rest():
    from lindung.core.tasks import prune_jobs

    now = timezone.now()
    old = Job.objects.create(kind="x", status=Job.Status.DONE, finished_at=now - datetime.timedelta(days=40))
    recent = Job.objects.create(
        kind="x", status=Job.Status.DONE, finished_at=now - datetime.timedelta(days=1)
    )
    running = Job.objects.create(kind="x", status=Job.Status.RUNNING)
    job = jobs.submit(prune_jobs, kind="core.prune_jobs")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["jobs"] == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk, job.pk}
    assert not Job.objects.filter(pk=old.pk).exists()


def test_heartbeats_of_workers_long_gone_are_forgotten():
    jobs.beat("long-gone", backend="database")
    jobs.forget_stale_workers(after_seconds=3600)
    assert "long-gone" in {w["id"] for w in jobs.workers()}
    assert jobs.forget_stale_workers(after_seconds=-1) >= 1
    assert "long-gone" not in {w["id"] for w in jobs.workers()}


def test_the_audit_anchor_runs_hourly_as_a_job(settings):
    from lindung.core.audit import read_anchors
    from lindung.core.tasks import anchor_audit_chain

    found = {p.name: p for p in scheduler.periodic_jobs()}
    assert found["core.audit_anchor"].task == "lindung.core.tasks.anchor_audit_chain"
    assert found["notifications.scan"].cron == "0 * * * *"
    assert found["notifications.digest"].cron == "0 6 * * *"
    audit_record(action=AuditAction.DEMO_LOADED, detail={})
    job = jobs.submit(anchor_audit_chain, kind="core.audit_anchor")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    anchors = read_anchors(settings.LINDUNG_AUDIT_ANCHOR_FILE)
    assert [a["id"] for a in anchors] == [job.result["entry"]]
