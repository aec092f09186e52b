"""Sync N incidents between two local Lindung nodes over TAXII 2.1, against the stix2 library.

Two nodes, each with its own SQLite database and master key: node A (a server process) holds N
incidents marked TLP:GREEN for connected nodes; node B runs ``lindung sharing sync`` (a separate
process, the real command) and pulls them all. The baseline, measured in the same run, is the time
the stix2 library alone takes to build and serialise the same STIX objects (as exported by node A).

    python bench/run.py sharing                      (LINDUNG_BENCH_SHARING_N, default below)
    python bench/bench_sharing.py node STEP [ARG]    (internal: one step inside a node)

The issue's goal is 100,000 incidents in 60 s or less, and N defaults to that: the goal is then
measured, not projected (with a smaller N the figures project the measured rate to 100,000).
Node A has served a request before the clock starts, as a running node has: the first request
of a fresh server process loads its URL configuration.
"""

import base64
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_N = int(os.environ.get("LINDUNG_BENCH_SHARING_N", "100000"))
GOAL_INCIDENTS, GOAL_SECONDS = 100_000, 60.0
SECRET_A, SECRET_B = "bench-secret-node-a-0000000001", "bench-secret-node-b-0000000002"
ALPHA, BETA = "Alpha Fusion Centre (bench)", "Beta Coordination Centre (bench)"


# inside a node ------------------------------------------------------------------------------


def _setup_node(me, other, peer_url, incoming, outgoing, my_name, peer_name):
    from django.core.management import call_command

    for name, country in ((ALPHA, "MDG"), (BETA, "SYC")):
        call_command("sharing", "add-organisation", "--name", name, "--country", country)
    call_command("sharing", "add-peer", "--name", peer_name, "--organisation", me, "--api-root", peer_url,
                 "--incoming-secret", incoming, "--outgoing-username", my_name, "--outgoing-secret", outgoing,
                 "--partner", other)  # fmt: skip
    call_command("sharing", "add-agreement", "--reference", "bench", "--organisation", me,
                 "--peer", peer_name, "--partner", other, "--purpose", "Benchmark",
                 "--categories", "incident,position,route,vessel,persons",
                 "--tlp-ceiling", "amber")  # fmt: skip


def node_populate(arg):
    """Node A: N incidents (with a vessel and two rows of persons on board each), then the export."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from lindung.core.markings import TLP, Distribution
    from lindung.core.models import Organisation
    from lindung.maritime.models import Incident, PersonsOnBoard, Vessel
    from lindung.sharing import exchange
    from lindung.sharing.models import SharingAgreement

    n, peer_url, export_path = arg.split(" ")
    _setup_node(ALPHA, BETA, peer_url, SECRET_B, SECRET_A, "node-a", "node-b")
    alpha = Organisation.objects.get(name=ALPHA)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, int(n), 2000):
            count = min(2000, int(n) - start)
            vessels = Vessel.objects.bulk_create(
                Vessel(organisation=alpha, vessel_type="wooden_boat", flag="SOM", length_m=Decimal("11.0"),
                       engine="outboard") for _ in range(count)
            )  # fmt: skip
            incidents = Incident.objects.bulk_create(
                Incident(organisation=alpha, incident_type="interception", vessel=v,
                         occurred_at=now - timedelta(days=1, minutes=start + i),
                         latitude=Decimal("-12.5") + Decimal(i % 100) / 100, longitude=Decimal("43.25"),
                         position_precision_m=1852, area="Mozambique Channel", persons_on_board=30, dead=0,
                         missing=1, survivors=29, outcome="rescued", route="mozambique_channel",
                         departure_point="Beach (bench)", departure_country="COM", tlp=TLP.GREEN,
                         distribution=Distribution.CONNECTED, created_at=now, modified_at=now + timedelta(
                             microseconds=start + i))
                for i, v in enumerate(vessels)
            )  # fmt: skip
            PersonsOnBoard.objects.bulk_create(
                PersonsOnBoard(incident=incident, sex=sex, age_group="unknown", nationality="SOM", count=15)
                for incident in incidents for sex in ("F", "M")
            )  # fmt: skip
    bundle = exchange.export_bundle(SharingAgreement.objects.get(reference="bench"))
    Path(export_path).write_text(json.dumps(bundle["objects"]))
    return {"objects": len(bundle["objects"])}


def node_setup_b(arg):
    _setup_node(BETA, ALPHA, arg, SECRET_A, SECRET_B, "node-b", "node-a")
    return {}


def node_count(_arg):
    from lindung.maritime.models import Incident

    return {"received": Incident.objects.exclude(origin_node="").count()}


def _node_main(step, arg):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    import django

    django.setup()
    from contextlib import redirect_stdout
    from io import StringIO

    with redirect_stdout(StringIO()):
        result = globals()[f"node_{step}"](arg)
    print(json.dumps(result))


# driver -------------------------------------------------------------------------------------


class _Node:
    def __init__(self, name, base):
        self.dir = base / name
        self.dir.mkdir()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.api = f"http://127.0.0.1:{self.port}/sharing/taxii2/api/"
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.dir / 'db.sqlite3'}",
                    "LINDUNG_VAR_DIR": str(self.dir), "LINDUNG_SECRET_KEY": secrets.token_urlsafe(32),
                    "LINDUNG_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
                    "LINDUNG_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "lindung.settings",
                    "PYTHONPATH": os.pathsep.join([str(HERE.parent / "src"), str(HERE.parent)])}  # fmt: skip
        self.server = None

    def run(self, *args):
        done = subprocess.run(
            [sys.executable, *args], env=self.env, cwd=self.dir, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[:4]} failed: {done.stderr[-2000:]}{done.stdout[-1000:]}")
        return done.stdout

    def step(self, step, arg=""):
        return json.loads(self.run(__file__, "node", step, arg).strip().splitlines()[-1])

    def serve(self):
        self.server = subprocess.Popen(
            [sys.executable, "-m", "lindung.cli", "runserver", f"127.0.0.1:{self.port}", "--noreload",
             "--skip-checks"],
            env=self.env, cwd=self.dir, stdout=subprocess.DEVNULL, stderr=(self.dir / "server.log").open("w"),
        )  # fmt: skip
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("node A did not start")

    def warm(self):
        """One TAXII request (refused: no credentials) so that the URL configuration is loaded."""
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{self.api.removesuffix('api/')}", timeout=60)


def _stix2_baseline(objects) -> float:
    import stix2

    started = time.perf_counter()
    for obj in objects:
        stix2.parse(obj, allow_custom=True).serialize()
    return time.perf_counter() - started


def run(n: int = DEFAULT_N) -> dict:
    base = Path(tempfile.mkdtemp(prefix="lindung-bench-sharing-"))
    a, b = _Node("a", base), _Node("b", base)
    try:
        a.run("-m", "lindung.cli", "migrate", "--noinput", "-v0", "--skip-checks")
        shutil.copy(a.dir / "db.sqlite3", b.dir / "db.sqlite3")
        export = base / "objects.json"
        exported = a.step("populate", f"{n} {b.api} {export}")["objects"]
        b.step("setup_b", a.api)
        a.serve()
        a.warm()
        started = time.perf_counter()
        # --skip-checks: Django's system checks (a second of start-up) are not part of a sync.
        output = b.run(
            "-m", "lindung.cli", "sharing", "--skip-checks", "sync", "--no-validate", "--page-size", "5000"
        )  # fmt: skip
        sync_seconds = time.perf_counter() - started
        # What the command costs before it syncs anything (Django start-up): refused at once.
        started = time.perf_counter()
        with contextlib.suppress(RuntimeError):
            b.run("-m", "lindung.cli", "sharing", "--skip-checks", "sync", "--peer", "no-such-peer")
        startup_seconds = time.perf_counter() - started
        received = b.step("count")["received"]
        stix2_seconds = _stix2_baseline(json.loads(export.read_text()))
    finally:
        if a.server is not None:
            a.server.terminate()
            a.server.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)
    if received != n:
        raise RuntimeError(f"node B received {received} of {n} incidents: {output}")
    rate = n / sync_seconds
    measured = n >= GOAL_INCIDENTS
    return {
        "incidents": n,
        "stix_objects": exported,
        "sync_seconds": round(sync_seconds, 2),
        "command_startup_seconds": round(startup_seconds, 2),
        "incidents_per_second": round(rate, 1),
        "incidents_per_second_after_startup": round(n / max(sync_seconds - startup_seconds, 1e-9), 1),
        "objects_per_second": round(exported / sync_seconds, 1),
        "stix2_serialise_seconds": round(stix2_seconds, 2),
        "ratio_sync_to_stix2_serialise": round(sync_seconds / stix2_seconds, 2),
        "projected_seconds_for_100k": round(GOAL_INCIDENTS / rate, 1),
        "goal_100k_in_60s_met": (sync_seconds if measured else GOAL_INCIDENTS / rate) <= GOAL_SECONDS,
        "goal_basis": "measured" if measured else "projected",
    }


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "node":
        _node_main(sys.argv[2], " ".join(sys.argv[3:]))
    else:
        print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_N), indent=2))
