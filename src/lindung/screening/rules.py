"""Identification rules as data, and the explainable profile they produce.

Rules live in ``rules/<form_id>.yaml`` (format described at the top of
``rules/lindung_identification.yaml``). ``compute_profile`` turns an answer set into a profile in
which every conclusion carries the answers that led to it: categories met, DoMV risk and
protective factors by level, urgency, and suggested services. There is no score.
"""

import hashlib
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from lindung.standard import registry

from . import instrument

RULES_DIR = Path(__file__).resolve().parent / "rules"
URGENCY_ORDER = ("routine", "priority", "urgent", "immediate")
_LEAF_OPERATORS = ("eq", "in", "has", "gte")


class RulesError(ValueError):
    pass


@cache
def _load(form_id: str) -> dict:
    path = RULES_DIR / f"{form_id}.yaml"
    if not path.is_file():
        return {"form_id": form_id, "version": "none", "categories": [], "needs": [], "urgency": []}
    raw = path.read_bytes()
    doc = yaml.safe_load(raw)
    doc["digest"] = hashlib.sha256(raw).hexdigest()[:12]
    return doc


def rules_for(form_id: str) -> dict:
    return _load(form_id)


def rules_version(rules: dict) -> str:
    return f"{rules.get('version', '')}+{rules.get('digest', '')}".strip("+")


def _walk(condition):
    if "q" in condition:
        yield condition
    for key in ("all", "any", "of"):
        for child in condition.get(key, []):
            yield from _walk(child)


def check_rules(rules: dict, definition: dict) -> list[str]:
    """Problems with a rule set against an instrument (unknown questions, answers, codes)."""
    problems = []
    index = instrument.question_index(definition)

    def check_condition(where, condition):
        for leaf in _walk(condition):
            question = index.get(leaf["q"])
            if question is None:
                problems.append(f"{where}: unknown question {leaf['q']}")
                continue
            operators = [op for op in _LEAF_OPERATORS if op in leaf]
            if len(operators) != 1:
                problems.append(
                    f"{where}: condition on {leaf['q']} needs exactly one of {', '.join(_LEAF_OPERATORS)}"
                )
                continue
            if question.get("list"):
                allowed = {c["name"] for c in definition["choice_lists"][question["list"]]}
                values = leaf.get("in") or [leaf.get("eq") or leaf.get("has")]
                for value in values:
                    if str(value) not in allowed:
                        problems.append(f"{where}: {value!r} is not an answer of {leaf['q']}")

    for rule in rules.get("categories", []):
        where = f"category {rule['category']}"
        if not registry.is_valid("vulnerability_category", rule["category"]):
            problems.append(f"{where}: not a vulnerability_category code")
        if rule.get("urgency", "routine") not in URGENCY_ORDER:
            problems.append(f"{where}: unknown urgency {rule.get('urgency')}")
        problems += [
            f"{where}: {s} is not a service_type"
            for s in rule.get("services", [])
            if not registry.is_valid("service_type", s)
        ]
        check_condition(where, rule["when"])
    for rule in rules.get("needs", []):
        where = f"need {rule['service']}"
        if not registry.is_valid("service_type", rule["service"]):
            problems.append(f"{where}: not a service_type")
        check_condition(where, rule["when"])
    for rule in rules.get("urgency", []):
        if rule["level"] not in URGENCY_ORDER:
            problems.append(f"urgency {rule['level']}: unknown level")
        check_condition(f"urgency {rule['level']}", rule["when"])
    return problems


def _holds(condition, answers) -> tuple[bool, list]:
    """(condition holds, the answers that made it hold)."""
    if "q" in condition:
        value = answers.get(condition["q"])
        if value is None:
            return False, []
        if "eq" in condition:
            ok = str(value) == str(condition["eq"])
        elif "in" in condition:
            ok = str(value) in {str(v) for v in condition["in"]}
        elif "has" in condition:
            ok = isinstance(value, list) and str(condition["has"]) in value
        else:
            ok = isinstance(value, int) and value >= condition["gte"]
        if not ok:
            return False, []
        shown = condition.get("has", value)
        return True, [{"question": condition["q"], "answer": shown}]
    if "all" in condition:
        results = [_holds(c, answers) for c in condition["all"]]
        if all(ok for ok, _r in results):
            return True, _merge(r for _ok, r in results)
        return False, []
    children = condition.get("any") or condition.get("of") or []
    needed = condition.get("at_least", 1)
    results = [r for ok, r in (_holds(c, answers) for c in children) if ok]
    if len(results) >= needed:
        return True, _merge(results)
    return False, []


def _merge(groups) -> list:
    seen, merged = set(), []
    for group in groups:
        for reason in group:
            key = (reason["question"], str(reason["answer"]))
            if key not in seen:
                seen.add(key)
                merged.append(reason)
    return merged


def _max_urgency(a: str, b: str) -> str:
    return a if URGENCY_ORDER.index(a) >= URGENCY_ORDER.index(b) else b


def compute_profile(definition: dict, answers: dict, rules: dict | None = None) -> dict:
    """The explainable profile of one answer set (answers already cleaned)."""
    rules = rules if rules is not None else rules_for(definition["form_id"])
    categories, services, urgency_reasons = [], {}, []
    urgency = "routine"
    for rule in rules.get("categories", []):
        ok, reasons = _holds(rule["when"], answers)
        if not ok:
            continue
        categories.append(
            {"code": rule["category"], "reasons": reasons, "services": list(rule.get("services", []))}
        )
        level = rule.get("urgency", "routine")
        if level != "routine":
            urgency = _max_urgency(urgency, level)
            urgency_reasons.append({"category": rule["category"], "level": level})
        for service in rule.get("services", []):
            services.setdefault(service, []).append({"category": rule["category"]})
    for rule in rules.get("needs", []):
        ok, reasons = _holds(rule["when"], answers)
        if ok:
            services.setdefault(rule["service"], []).extend(reasons)
    for rule in rules.get("urgency", []):
        ok, reasons = _holds(rule["when"], answers)
        if ok:
            urgency = _max_urgency(urgency, rule["level"])
            urgency_reasons.extend({**r, "level": rule["level"]} for r in reasons)
    factors: dict = {}
    for _section, question in instrument.questions(definition):
        value = answers.get(question["name"])
        if value is None:
            continue
        for answer in value if isinstance(value, list) else [value]:
            for f in (question.get("factors") or {}).get(str(answer), []):
                key = (f["factor"], f["direction"])
                entry = factors.setdefault(
                    key,
                    {
                        "factor": f["factor"],
                        "direction": f["direction"],
                        "level": instrument.factor_level(f["factor"]),
                        "reasons": [],
                    },
                )
                entry["reasons"].append({"question": question["name"], "answer": answer})
    return {
        "categories": categories,
        "factors": sorted(factors.values(), key=lambda f: (f["level"], f["direction"], f["factor"])),
        "urgency": urgency,
        "urgency_reasons": urgency_reasons,
        "services": [{"service": s, "because": because} for s, because in services.items()],
        "rules_version": rules_version(rules),
    }


def describe_reason(definition: dict, reason: dict) -> str:
    """One reason in words, in the active language: "Question? — Answer"."""
    if "category" in reason:
        return _("category met: %(category)s") % {
            "category": registry.label("vulnerability_category", reason["category"])
        }
    question = instrument.question_index(definition).get(reason["question"])
    if question is None:
        return f"{reason['question']}: {reason['answer']}"
    answer = str(reason["answer"])
    if question.get("list"):
        for choice in definition["choice_lists"][question["list"]]:
            if choice["name"] == answer:
                answer = instrument.text(choice["label"])
    return f"{instrument.text(question['label'])} — {answer}"
