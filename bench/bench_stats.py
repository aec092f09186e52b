"""A two-dimension table with primary and secondary suppression over 1,000,000 records.

The records are synthetic (year x citizenship, citizenship skewed so that many cells are small)
in one polars frame, as a source adapter returns them. The baseline, measured in the same run on
the same engine, is the plain GROUP BY of the same two columns; the protected table is the same
grouping plus the pivot into a table, margins, primary and secondary suppression (the code path of
``stats.tables.protected_table`` after the selector). The issue's goals: at most 1 s and at most
2x the plain GROUP BY.

    python bench/run.py stats        (LINDUNG_BENCH_STATS_N, default 1,000,000)
"""

import os
import time

import numpy as np

N = int(os.environ.get("LINDUNG_BENCH_STATS_N", "1000000"))
REPEATS = 5
GOAL_SECONDS, GOAL_RATIO = 1.0, 2.0


def _records(n: int):
    import polars as pl

    from lindung.standard import registry

    rng = np.random.default_rng(7)
    countries = np.array(registry.code_list("country").values())
    # Zipf-like weights: a few countries hold most records, a long tail holds a handful each.
    weights = 1.0 / np.arange(1, len(countries) + 1) ** 1.6
    citizenship = rng.choice(countries, size=n, p=weights / weights.sum())
    year = rng.integers(2014, 2026, size=n).astype(str)
    return pl.DataFrame({"year": year, "citizenship": citizenship})


def _best(function) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def run() -> dict:
    import django

    django.setup()
    from lindung.stats import disclosure
    from lindung.stats.tables import aggregate_frame

    frame = _records(N)
    by = ["year", "citizenship"]

    def plain():
        return frame.group_by(by).len()

    def protected():
        raw = aggregate_frame(frame, by, {"type": "count"})
        return disclosure.protect_counts(raw.counts, threshold=disclosure.DEFAULT_THRESHOLD, one_way=False)

    baseline, grouped = _best(plain)
    seconds, protection = _best(protected)
    status = protection.status
    return {
        "records": N,
        "cells": int(status.size),
        "primary_suppressed": int((status == disclosure.PRIMARY).sum()),
        "secondary_suppressed": int((status == disclosure.SECONDARY).sum()),
        "group_by_seconds": round(baseline, 4),
        "protected_table_seconds": round(seconds, 4),
        "ratio_to_group_by": round(seconds / baseline, 2),
        "goal_seconds": GOAL_SECONDS,
        "goal_ratio": GOAL_RATIO,
        "groups": grouped.height,
    }


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    print(json.dumps(run(), indent=2))
