"""docs/operations.md followed step by step: its tested block, line by line, against a PostgreSQL
test database, until /healthz says ok with the web server, a worker and the scheduler running."""

import json
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DOC = Path(__file__).resolve().parent.parent / "docs" / "operations.md"
MARK = "<!-- steps: tests/test_operations_doc.py runs this block -->"


def steps() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(re.escape(MARK) + r"\s*```sh\n(.*?)```", text, re.S)
    assert block, "docs/operations.md has lost its tested block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_documented_steps_bring_up_a_healthy_site(tmp_path):
    if not processes.is_postgres():
        pytest.skip("the production layout runs on PostgreSQL; this run is on SQLite")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = processes.env(
        LINDUNG_SECRET_KEY="operations-doc-test-" + "x" * 40,
        LINDUNG_ALLOWED_HOSTS="127.0.0.1",
        LINDUNG_VAR_DIR=str(tmp_path / "var"),
    )
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    running = []
    try:
        for line in steps():
            line = line.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            if line.endswith("&"):
                log = open(tmp_path / f"{len(running)}.log", "ab")  # noqa: SIM115
                running.append(
                    subprocess.Popen(
                        shlex.split(line[:-1]),
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            elif line.startswith("curl"):
                body = _until_ok(shlex.split(line), env, running, tmp_path)
                assert body["status"] == "ok" and body["database"] == "ok" and body["workers_alive"] >= 1
                assert body["stuck"] is False
            else:
                done = subprocess.run(shlex.split(line), env=env, capture_output=True, text=True, timeout=300)
                assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[:3000]}"
        # The scheduler is one of the processes running, and it has told the others so.
        from lindung.core import scheduler

        processes.wait_for(scheduler.schedulers, 30, "the scheduler to report")
    finally:
        for process in running:
            processes.stop(process)


def _until_ok(command, env, running, tmp_path) -> dict:
    deadline = time.monotonic() + 90
    body = {}
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in running), _logs(tmp_path)
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            body = json.loads(done.stdout)
            if body["status"] == "ok":
                return body
        time.sleep(0.5)
    raise AssertionError(f"/healthz never said ok: {body}\n{_logs(tmp_path)}")


def _logs(tmp_path) -> str:
    return "\n".join(p.read_text(errors="replace")[-1500:] for p in sorted(tmp_path.glob("*.log")))
