"""Rules are data, tested with tables: answer set -> expected profile (categories with reasons,
factors by DoMV level, urgency, suggested services)."""

import pytest

from lindung.screening import instrument as ins
from lindung.screening import rules

DEFINITION = ins.from_source(ins.shipped_source_path())
BASE = {"agrees_to_interview": "yes", "interview_country": "THA", "age_group": "27-29", "sex": "M"}


def profile(**answers):
    cleaned = ins.clean_answers(DEFINITION, {**BASE, **answers})
    return rules.compute_profile(DEFINITION, cleaned)


CASES = [
    # (name, answers, categories expected, urgency, services that must be suggested)
    ("nothing of note", {}, set(), "routine", set()),
    (
        "two trafficking indicators",
        {"deceived_recruitment": "yes", "documents_withheld": "yes"},
        {"presumed_victim_of_trafficking"},
        "urgent",
        {"shelter", "legal_assistance", "mhpss", "case_management"},
    ),
    ("one trafficking indicator is not enough", {"deceived_recruitment": "yes"}, set(), "routine", set()),
    (
        "unaccompanied child",
        {"age_group": "9-17", "child_accompanied": "no", "child_with_relative": "no"},
        {"unaccompanied_child"},
        "urgent",
        {"child_protection", "family_tracing"},
    ),
    (
        "separated child (with a relative)",
        {"age_group": "9-17", "child_accompanied": "no", "child_with_relative": "yes"},
        {"separated_child"},
        "priority",
        {"child_protection"},
    ),
    (
        "adult answers to child questions are dropped by skip logic",
        {"age_group": "30-38", "child_accompanied": "no", "child_with_relative": "no"},
        set(),
        "routine",
        set(),
    ),
    (
        "sexual violence, ongoing",
        {"violence_experienced": ["sexual"], "violence_ongoing": "yes"},
        {"survivor_of_violence", "survivor_of_gbv"},
        "immediate",
        {"gbv_response", "safety_security"},
    ),
    ("in danger now", {"in_danger_now": "yes"}, set(), "immediate", {"safety_security"}),
    (
        "urgent medical need",
        {"urgent_medical_need": "yes"},
        {"migrant_with_health_needs"},
        "urgent",
        {"medical_care"},
    ),
    (
        "pregnant woman",
        {"sex": "F", "pregnant": "yes"},
        {"pregnant_or_lactating"},
        "priority",
        {"sexual_reproductive_health"},
    ),
    ("pregnancy answer of a man is dropped", {"sex": "M", "pregnant": "yes"}, set(), "routine", set()),
    (
        "detained",
        {"currently_detained": "yes", "detention_months": 3},
        {"migrant_in_detention"},
        "priority",
        {"legal_assistance"},
    ),
    ("no document", {"has_identity_document": "no"}, set(), "routine", {"documentation"}),
    (
        "stranded: no money, no document",
        {"basic_needs_met": "no", "has_identity_document": "no"},
        {"stranded_migrant"},
        "routine",
        {"food_and_items", "return_assistance", "documentation"},
    ),
    (
        "torture",
        {"violence_experienced": ["torture"]},
        {"survivor_of_torture", "survivor_of_violence"},
        "priority",
        {"medical_care", "mhpss"},
    ),
]


@pytest.mark.parametrize(
    ("name", "answers", "categories", "urgency", "services"), CASES, ids=[c[0] for c in CASES]
)
def test_answer_sets_give_expected_profiles(name, answers, categories, urgency, services):
    result = profile(**answers)
    assert {c["code"] for c in result["categories"]} == categories
    assert result["urgency"] == urgency
    assert services <= {s["service"] for s in result["services"]}
    for category in result["categories"]:
        assert category["reasons"], f"{category['code']} has no reasons"
        for reason in category["reasons"]:
            assert reason["question"] in {**BASE, **answers}


def test_every_conclusion_names_the_answers_behind_it():
    result = profile(deceived_recruitment="yes", not_free_to_leave="yes", wages_withheld="no")
    trafficking = next(c for c in result["categories"] if c["code"] == "presumed_victim_of_trafficking")
    assert {(r["question"], r["answer"]) for r in trafficking["reasons"]} == {
        ("deceived_recruitment", "yes"),
        ("not_free_to_leave", "yes"),
    }
    assert {"category": "presumed_victim_of_trafficking", "level": "urgent"} in result["urgency_reasons"]
    shelter = next(s for s in result["services"] if s["service"] == "shelter")
    assert {"category": "presumed_victim_of_trafficking"} in shelter["because"]


FACTOR_CASES = [
    (
        {"age_group": "9-17", "child_accompanied": "yes"},
        {("ind_age", "individual", "risk"), ("hh_family_support", "household_family", "protective")},
    ),
    ({"legal_status": "irregular"}, {("ind_migration_status", "individual", "risk")}),
    (
        {"family_support": "yes"},
        {
            ("hh_family_support", "household_family", "protective"),
            ("com_social_networks", "community", "protective"),
        },
    ),
    ({"basic_needs_met": "no"}, {("str_economic_conditions", "structural", "risk")}),
]


@pytest.mark.parametrize(("answers", "expected"), FACTOR_CASES)
def test_factors_by_domv_level_with_direction(answers, expected):
    result = profile(**answers)
    found = {(f["factor"], f["level"], f["direction"]) for f in result["factors"]}
    assert expected <= found
    for factor in result["factors"]:
        assert factor["reasons"]


def test_shipped_rules_agree_with_the_instrument():
    assert rules.check_rules(rules.rules_for(DEFINITION["form_id"]), DEFINITION) == []


def test_rule_checker_finds_unknown_questions_answers_and_codes():
    bad = {
        "categories": [
            {"category": "not_a_category", "services": ["teleportation"], "when": {"q": "nope", "eq": "yes"}}
        ],
        "needs": [{"service": "shelter", "when": {"q": "in_danger_now", "eq": "maybe"}}],
        "urgency": [{"level": "whenever", "when": {"q": "in_danger_now", "eq": "yes"}}],
    }
    problems = "\n".join(rules.check_rules(bad, DEFINITION))
    for expected in ("not_a_category", "teleportation", "unknown question nope", "'maybe'", "whenever"):
        assert expected in problems
