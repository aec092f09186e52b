"""Validation and import of a synthetic CTDC-layout file (issue 3).

The file (default 1,000,000 rows, ``LINDUNG_BENCH_STANDARD_ROWS``) is generated once in /tmp and
reused. Figures, all measured in this run on the same file:

- ``validate_rows_per_s``: ``validate_bytes(..., profile="ctdc")`` from the bytes on disk to the
  full error table (vectorised with polars);
- ``ratio_vs_bare_read``: validation time / a bare ``polars.read_csv`` of the same file, all
  columns as text (goal: at most 3);
- ``ratio_vs_frictionless``: our rows/s / ``frictionless.validate`` rows/s (goal: at least 20).
  frictionless runs at a few thousand rows/s here, so it is timed on the first
  ``LINDUNG_BENCH_FRICTIONLESS_ROWS`` rows (default 50,000) of the same file to keep the
  benchmark under five minutes; rows/s is what is compared. Without frictionless installed (it
  is the ``bench`` extra), the baseline is Python's csv module checking the same code lists row
  by row, and ``baseline`` says so;
- ``import_rows_per_s``: ``services.batch_import`` of the whole file into a fresh SQLite database
  (validation, mapping to the standard, row keys, insert, audit) and of the same file again
  (``reimport_rows_per_s``: everything is skipped, nothing added).
"""

import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from child import run_child

from lindung.core.actors import SYSTEM

HERE = Path(__file__).resolve().parent
ROWS = int(os.environ.get("LINDUNG_BENCH_STANDARD_ROWS", "1000000"))
FRICTIONLESS_ROWS = int(os.environ.get("LINDUNG_BENCH_FRICTIONLESS_ROWS", "50000"))


def run() -> dict:
    """Entry point for bench/run.py: a child process with its own throw-away SQLite database."""
    var_dir = tempfile.mkdtemp(prefix="lindung-bench-standard-")
    return run_child(__file__, {"LINDUNG_VAR_DIR": var_dir}, drop=("DATABASE_URL",))


def _file(rows: int) -> Path:
    from lindung.standard import synthetic

    path = Path(tempfile.gettempdir()) / f"lindung-bench-ctdc-{rows}.csv"
    if not path.exists():
        partial = path.with_suffix(".part")
        with partial.open("w", encoding="utf-8", newline="") as out:
            synthetic.write_ctdc(out, rows, seed=2026)
        partial.rename(path)
    return path


def _prefix(path: Path, rows: int) -> Path:
    target = path.with_name(f"{path.stem}-first-{rows}.csv")
    if not target.exists():
        with path.open("rb") as src, target.open("wb") as dst:
            for i, line in enumerate(src):
                if i > rows:
                    break
                dst.write(line)
    return target


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _csv_module_baseline(path: Path) -> float:
    """Pure-Python validator: csv module, the same code lists, one row at a time."""
    from lindung.standard import profiles

    profile = profiles.get("ctdc")
    errors = 0
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        specs = [profile.columns[name] for name in header]
        for row in reader:
            for spec, value in zip(specs, row, strict=True):
                if value in ("", "-99"):
                    continue
                if spec.allowed and value not in spec.allowed or spec.kind == "year" and not value.isdigit():
                    errors += 1
    return errors


def child() -> dict:
    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command

    from lindung.core.models import Organisation
    from lindung.standard import services
    from lindung.standard.validation import validate_bytes

    path = _file(ROWS)
    size_mb = path.stat().st_size / 1048576
    bare_s, frame = _timed(lambda: pl.read_csv(path.read_bytes(), infer_schema=False))
    assert frame.height == ROWS
    del frame
    validate_s, result = _timed(lambda: validate_bytes(path.read_bytes(), profile="ctdc"))
    assert result.is_valid, result.errors.head(5)
    del result

    prefix = _prefix(path, FRICTIONLESS_ROWS)
    try:
        from frictionless import system
        from frictionless import validate as frictionless_validate

        baseline = "frictionless validate (schema inferred), on the first rows of the same file"
        # Without ``trusted`` frictionless refuses a path outside the working directory and
        # reports that in no time, which would make a meaningless baseline.
        with system.use_context(trusted=True):
            base_s, report = _timed(lambda: frictionless_validate(str(prefix)))
        assert report.tasks[0].stats.get("rows") == min(FRICTIONLESS_ROWS, ROWS), report.flatten(
            ["type", "note"]
        )
    except ImportError:
        baseline = (
            "python csv module, same code lists, on the first rows of the same file (frictionless absent)"
        )
        base_s, _errors = _timed(lambda: _csv_module_baseline(prefix))
    base_rows = min(FRICTIONLESS_ROWS, ROWS)

    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(name="Bench organisation", kind="ngo", country="THA")
    data = path.read_bytes()
    import_s, batch = _timed(
        lambda: services.batch_import(
            acting_user=SYSTEM, organisation=org, file_name=path.name, data=data, profile="ctdc"
        )
    )
    assert batch.imported == ROWS, (batch.status, batch.imported)
    reimport_s, again = _timed(
        lambda: services.batch_import(
            acting_user=SYSTEM, organisation=org, file_name=path.name, data=data, profile="ctdc"
        )
    )
    assert again.imported == 0 and again.skipped == ROWS

    validate_rps = ROWS / validate_s
    base_rps = base_rows / base_s
    return {
        "rows": ROWS,
        "file_mb": round(size_mb, 1),
        "bare_read_s": round(bare_s, 2),
        "validate_s": round(validate_s, 2),
        "validate_rows_per_s": round(validate_rps),
        "ratio_vs_bare_read": round(validate_s / bare_s, 2),
        "baseline": baseline,
        "baseline_rows": base_rows,
        "baseline_s": round(base_s, 2),
        "baseline_rows_per_s": round(base_rps),
        "ratio_vs_frictionless": round(validate_rps / base_rps, 1),
        "import_s": round(import_s, 2),
        "import_rows_per_s": round(ROWS / import_s),
        "reimport_s": round(reimport_s, 2),
        "reimport_rows_per_s": round(ROWS / reimport_s),
        "database": "sqlite (throw-away)",
    }


if __name__ == "__main__" and "--child" in sys.argv:
    figures = child()
    sys.stdout.write(json.dumps(figures) + "\n")
