"""Screening speed: profile computation, XForm conversion and OpenRosa submission parsing.

Figures (per item, microseconds or milliseconds) with ratios against baselines measured in the
same run:
- ``profile_us``: clean one answer set against the instrument (skip logic, lists) and compute its
  explainable profile, vs ``baseline_us``: counting the "yes" answers of the same set (what a bare
  score would cost). ``profile_ratio`` = profile / baseline.
- ``xform_first_ms``: XLSForm -> XForm through pyxform (what the first phone of a version waits
  for), ``xform_cached_ms``: the same request afterwards.
- ``submission_parse_us``: parsing a submission with defusedxml and flattening it, vs
  ``xml_baseline_us``: plain ElementTree parsing of the same bytes.
No database is needed.
"""

import os
import random
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ANSWER_SETS = 2000


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()


def _random_answers(definition, rng):
    answers = {}
    for _section, q in _questions(definition):
        if q["type"] == "select_one":
            answers[q["name"]] = rng.choice(definition["choice_lists"][q["list"]])["name"]
        elif q["type"] == "select_multiple":
            names = [c["name"] for c in definition["choice_lists"][q["list"]]]
            answers[q["name"]] = rng.sample(names, k=rng.randint(1, 2))
        elif q["type"] == "integer":
            answers[q["name"]] = rng.randint(0, 24)
    answers["agrees_to_interview"] = "yes"
    return answers


def _questions(definition):
    for section in definition["sections"]:
        for q in section["questions"]:
            yield section, q


def _per_item(fn, items):
    started = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - started) / len(items) * 1e6


def run() -> dict:
    _setup()
    from lindung.screening import instrument as ins
    from lindung.screening import openrosa, rules

    definition = ins.from_source(ins.shipped_source_path())
    rng = random.Random(5)
    sets = [_random_answers(definition, rng) for _ in range(ANSWER_SETS)]
    rule_set = rules.rules_for(definition["form_id"])

    def profile(answers):
        return rules.compute_profile(definition, ins.clean_answers(definition, answers), rule_set)

    def baseline(answers):
        return sum(1 for value in answers.values() if value == "yes")

    profile_us = _per_item(profile, sets)
    baseline_us = _per_item(baseline, sets)

    ins._xform_cached.cache_clear()
    started = time.perf_counter()
    xform = ins.to_xform(definition)
    first_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    for _ in range(100):
        ins.to_xform(definition)
    cached_ms = (time.perf_counter() - started) * 10

    root = ET.fromstring(xform)
    xf = "{http://www.w3.org/2002/xforms}"
    data = root.find(f".//{xf}model/{xf}instance/*")
    submission = ET.tostring(data).replace(b"<instanceID />", b"<instanceID>uuid:bench</instanceID>")
    submissions = [submission] * 500
    parse_us = _per_item(openrosa.parse_submission, submissions)
    xml_us = _per_item(ET.fromstring, submissions)
    return {
        "answer_sets": ANSWER_SETS,
        "profile_us": round(profile_us, 1),
        "baseline_us": round(baseline_us, 2),
        "profile_ratio": round(profile_us / baseline_us, 1),
        "xform_first_ms": round(first_ms, 1),
        "xform_cached_ms": round(cached_ms, 3),
        "submission_parse_us": round(parse_us, 1),
        "xml_baseline_us": round(xml_us, 1),
        "submission_parse_ratio": round(parse_us / xml_us, 2),
    }


if __name__ == "__main__":
    print(run())
