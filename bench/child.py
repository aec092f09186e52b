"""What the benchmarks share: their measuring half runs in a child process of its own, bound to
its own database (Django's settings are read once per process), and reports one JSON line."""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def run_child(script: str, env: dict, *, drop=()) -> dict:
    """Run ``script --child`` with ``env`` over this environment (less the names in ``drop``) and
    return the JSON of the last line it prints."""
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "lindung.settings", **env}
    for name in drop:
        full.pop(name, None)
    full["PYTHONPATH"] = os.pathsep.join([str(SRC), full.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, script, "--child"], env=full, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{Path(script).stem} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_ms(func, rounds: int) -> float:
    samples = []
    for _round in range(rounds):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 2)
