"""Real processes for tests: a worker, a scheduler, gunicorn, bound to the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

SRC = Path(__file__).resolve().parent.parent / "src"
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def env(**extra) -> dict:
    """The environment of a Lindung process working on this test's database and keys (less the
    switch conftest sets for Playwright, which a deployed process must not have)."""
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "DATABASE_URL": database_url(),
        "LINDUNG_MASTER_KEY": settings.LINDUNG_MASTER_KEY,
        "LINDUNG_TASK_BACKEND": "database",
        "LINDUNG_REQUIRE_2FA": "0",
        "LINDUNG_WORKER_HEARTBEAT_SECONDS": "0.5",
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def lindung(*args, log: Path, **extra) -> subprocess.Popen:
    """Start ``lindung <args>`` in a process group of its own, output to ``log``."""
    out = open(log, "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "-m", "lindung.cli", *args],
        env=env(**extra),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def gunicorn(port: int, log: Path, **extra) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lindung.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "-",
        ],
        env=env(**extra),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def worker(log: Path, *args, **extra) -> subprocess.Popen:
    return lindung("worker", "--interval", "0.1", *args, log=log, **extra)


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout=20) -> int:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(5)


def wait_for(predicate, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")
