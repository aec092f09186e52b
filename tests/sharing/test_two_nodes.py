"""Two Lindung nodes as separate server processes on loopback, each with its own database and
master key. Node B pulls from node A over TAXII 2.1 and receives exactly what the agreement and
the markings allow; an update supersedes; revoking the agreement stops the exchange."""

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "sharing" / "node_script.py"
BETA = "Beta Coordination Centre (test)"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, name, base: Path):
        self.name = name
        self.dir = base / name
        self.dir.mkdir()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.dir / 'lindung.sqlite3'}",
            "LINDUNG_VAR_DIR": str(self.dir),
            "LINDUNG_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "LINDUNG_SECRET_KEY": secrets.token_urlsafe(32),
            "LINDUNG_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LINDUNG_REQUIRE_2FA": "0",
            "LINDUNG_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lindung.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.server = self.console = None

    def lindung(self, *args):
        return subprocess.run(
            [sys.executable, "-m", "lindung.cli", *args],
            env=self.env,
            cwd=self.dir,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )

    def _log(self, which):
        return (self.dir / f"{which}.log").read_text()[-3000:]

    def step(self, name, arg=""):
        self.console.stdin.write(f"{name} {arg}\n")
        self.console.stdin.flush()
        line = self.console.stdout.readline()
        assert line, f"node {self.name}'s console stopped: {self._log('console')}"
        result = json.loads(line)
        assert "error" not in result, result["error"]
        return result

    def start(self):
        self.console = subprocess.Popen(
            [sys.executable, str(SCRIPT)],
            env=self.env,
            cwd=self.dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(self.dir / "console.log").open("w"),
            text=True,
        )
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lindung.cli",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
                "--skip-checks",
            ],
            env=self.env,
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=(self.dir / "server.log").open("w"),
        )

    def wait_ready(self, timeout=45):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise AssertionError(f"node {self.name} stopped: {self._log('server')}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"node {self.name} did not answer on {self.url}")

    def stop(self):
        for process in (self.server, self.console):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


@pytest.fixture
def nodes(tmp_path):
    a, b = Node("a", tmp_path), Node("b", tmp_path)
    # One migration run; node B starts from a copy of the empty schema (no data, no keys).
    a.lindung("migrate", "--noinput", "-v0", "--skip-checks")
    shutil.copy(a.dir / "lindung.sqlite3", b.dir / "lindung.sqlite3")
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def _by_id(report):
    return {row["stix_id"]: row for row in report["received"]}


def test_two_nodes_exchange_exactly_what_is_agreed(nodes):
    a, b = nodes
    api = "/sharing/taxii2/api/"
    with ThreadPoolExecutor(4) as pool:
        a.start()
        b.start()
        ids_future = pool.submit(a.step, "setup_a", b.url + api)
        setup_b = pool.submit(b.step, "setup_b", a.url + api)
        ids, _ = ids_future.result(), setup_b.result()
        a.wait_ready()
        b.wait_ready()

    first = b.step("sync_and_report")
    assert first["exit"] == 0, first["output"]
    received = _by_id(first)
    # RED never leaves; AMBER+STRICT only when our organisation is the named one; this-node-only
    # (community) distribution stays home.
    assert set(received) == {ids["green"], ids["strict_beta"]}
    assert received[ids["strict_beta"]]["tlp"] == "amber+strict"
    assert received[ids["strict_beta"]]["shared_with"] == [BETA]
    for row in received.values():
        assert row["reported_by"] == "Alpha Fusion Centre (test)"
        # Fields outside node A's agreement (route, source) are absent; agreed ones are there.
        assert {"incident_type", "dead", "latitude", "area"} <= set(row["fields"])
        assert not {"route", "departure_point", "departure_country", "source", "source_reliability"} & set(
            row["fields"]
        )
        assert row["vessel"] and row["persons_rows"] == 2 and row["facilitators"] == 1
        assert row["version"] == 1

    # An update on node A arrives as a new version of the same object, not a second one.
    assert a.step("update", ids["green"])["version"] == 2
    second = b.step("sync_and_report")
    assert second["exit"] == 0, second["output"]
    received = _by_id(second)
    assert set(received) == {ids["green"], ids["strict_beta"]}
    assert received[ids["green"]]["version"] == 2 and received[ids["green"]]["versions_received"] == 2

    # Revoking the agreement on node A stops the exchange at once.
    new_id = a.step("revoke_and_add")["after_revocation"]
    third = b.step("sync_and_report")
    assert third["exit"] == 1 and "revoked" in third["output"]
    assert new_id not in _by_id(third) and len(third["received"]) == 2

    # Both sides logged (and audited) the exchange, the refusal included; the audit chains hold.
    served, pulled = a.step("logs"), b.step("logs")
    assert ["served", "objects", "ok"] in served["log"] and ["served", "collection", "refused"] in served[
        "log"
    ]
    assert ["pulled", "pull", "ok"] in pulled["log"] and ["pulled", "pull", "refused"] in pulled["log"]
    assert served["audit_chain_ok"] and pulled["audit_chain_ok"]
