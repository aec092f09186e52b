"""Run every benchmark in bench/ and write bench/results.json.

Each ``bench/bench_<name>.py`` has ``run() -> dict``; figures are ratios against a baseline
measured in the same run, so they mean the same on any machine.
"""

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(selected=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    # Benchmarks run on throwaway databases with generated keys, as the demo does.
    os.environ.setdefault("LINDUNG_DEMO", "1")
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.path.insert(0, str(HERE))  # the benches' shared helpers (child.py)
    out = HERE / "results.json"
    results = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "benchmarks": {}}
    if selected and out.exists():
        # A partial run updates the figures it measured and keeps the others.
        results["benchmarks"] = json.loads(out.read_text()).get("benchmarks", {})
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if selected and name not in selected:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        figures = module.run()
        figures["wall_seconds"] = round(time.perf_counter() - started, 2)
        results["benchmarks"][name] = figures
        print(json.dumps(figures, indent=2), flush=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
