"""Several machines' worth of processes on one PostgreSQL: two gunicorn web servers take 200
uploads, two workers import them, one worker is killed with SIGKILL while it imports. Every import
must end exactly once with its records: none twice, none lost."""

import signal
import socket
import threading

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Job
from lindung.core.roles import Role
from lindung.standard import synthetic
from lindung.standard.models import ImportBatch, StandardRecord
from tests import processes
from tests.conftest import TEST_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

UPLOADS = 200
ROWS = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/account/login/", timeout=30)
    response = session.post(
        f"{base}/account/login/",
        data={
            "username": username,
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/account/login/"},
        timeout=30,
    )
    assert response.ok and "sessionid" in session.cookies, response.status_code
    return session


def _upload(session: requests.Session, base: str, org_id: int, n: int) -> None:
    data = synthetic.ctdc_csv(ROWS, seed=n)
    response = session.post(
        f"{base}/standard/imports/",
        data={"profile": "ctdc", "version": "1.0", "organisation": org_id},
        files={"file": (f"upload-{n}.csv", data, "text/csv")},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{base}/standard/imports/"},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, (n, response.status_code)


def test_two_webs_two_workers_a_killed_worker_and_every_job_once(make_user, org_a, tmp_path):
    if not processes.is_postgres():
        pytest.skip("several machines share PostgreSQL; this run is on SQLite")
    user = make_user(org_a, Role.DATA_MANAGER, username="scale_dm")
    # The web processes know the production hashers only, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode(TEST_PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    extra = {"LINDUNG_STANDARD_INLINE_IMPORT_BYTES": "0", "LINDUNG_WORKER_STALE_SECONDS": "3"}
    ports = [_free_port(), _free_port()]
    webs = [processes.gunicorn(port, tmp_path / f"web{i}.log", **extra) for i, port in enumerate(ports)]
    workers = {
        name: processes.worker(tmp_path / f"{name}.log", "--worker-id", name, **extra)
        for name in ("w1", "w2")
    }
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, web in zip(bases, webs, strict=True):
            processes.wait_for(
                lambda b=base, w=web: w.poll() is None and _answers(b), 60, f"gunicorn at {base}"
            )
        sessions = [_signed_in(bases[i % 2], "scale_dm") for i in range(4)]

        def submit_with_own_session(offset):
            for n in range(offset, UPLOADS, 4):
                _upload(sessions[offset], bases[offset % 2], org_a.pk, n)

        threads = [threading.Thread(target=submit_with_own_session, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()

        # Once the work is well under way, kill w1 while it is importing one of the files.
        processes.wait_for(
            lambda: Job.objects.filter(status=Job.Status.DONE).count() >= 30, 60, "30 jobs done"
        )
        killed = processes.wait_for(
            lambda: DBTaskResult.objects.running().filter(worker_ids__contains=["w1"]).first(),
            60,
            "w1 to run an import",
            tmp_path / "w1.log",
        )
        processes.stop(workers["w1"], sig=signal.SIGKILL)
        for thread in threads:
            thread.join(120)
        processes.wait_for(
            lambda: Job.objects.filter(status=Job.Status.DONE).count() == UPLOADS,
            150,
            "every job to finish",
            tmp_path / "w2.log",
        )
    finally:
        for process in [*webs, *workers.values()]:
            processes.stop(process)

    batches = list(ImportBatch.objects.all())
    assert len(batches) == UPLOADS and {b.status for b in batches} == {ImportBatch.Status.DONE}
    imported = AuditEntry.objects.filter(action=AuditAction.STANDARD_IMPORTED)
    assert imported.count() == UPLOADS  # one entry per batch: no import ran twice
    assert len(set(imported.values_list("object_id", flat=True))) == UPLOADS
    for batch in batches:
        assert batch.imported + batch.skipped == batch.rows == ROWS
        assert StandardRecord.objects.filter(batch=batch).count() == batch.imported
    assert StandardRecord.objects.count() == sum(b.imported for b in batches) > 0
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    killed.refresh_from_db()
    assert killed.worker_ids == ["w1", "w2"]  # taken over by the survivor after w1 fell silent
    assert Job.objects.get(task_id=str(killed.pk)).status == Job.Status.DONE


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False
