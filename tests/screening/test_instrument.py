"""Instruments as data: the YAML source, XLSForm export (passes pyxform) and import with errors that
name sheet and row, skip-logic expressions and answer checks."""

import io

import openpyxl
import pytest
from pyxform.xls2xform import convert

from lindung.screening import expressions
from lindung.screening import instrument as ins

DEFINITION = ins.from_source(ins.shipped_source_path())
SECTIONS = {
    "safety",
    "violence",
    "health",
    "children_family",
    "trafficking",
    "legal",
    "detention",
    "livelihood",
}


def test_shipped_guide_covers_every_area_in_two_languages():
    assert {s["name"] for s in DEFINITION["sections"]} >= SECTIONS
    for _section, question in ins.questions(DEFINITION):
        assert question["label"].get("en") and question["label"].get("fr"), question["name"]


def test_shipped_xlsx_is_built_from_the_yaml_source():
    # `lindung screening build-xlsform` regenerates it; a stale file fails here.
    assert ins.from_xlsx(ins.shipped_xlsx_path().read_bytes()) == DEFINITION


def test_xlsform_export_passes_pyxform_and_round_trips():
    data = ins.to_xlsx(DEFINITION)
    result = convert(xlsform=data, file_type=".xlsx")
    assert 'id="lindung_identification"' in result.xform
    assert 'version="2026.1"' in result.xform
    assert 'lang="French (fr)"' in result.xform
    assert "La personne est-elle en danger" in result.xform
    assert ins.from_xlsx(data) == DEFINITION


def _workbook(mutate):
    wb = openpyxl.load_workbook(io.BytesIO(ins.to_xlsx(DEFINITION)))
    mutate(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _errors(data):
    with pytest.raises(ins.DefinitionError) as info:
        ins.from_xlsx(data)
    return "\n".join(info.value.errors)


def test_import_refuses_a_file_that_is_not_a_workbook():
    with pytest.raises(ins.DefinitionError) as info:
        ins.from_xlsx(b"hello")
    assert info.value.code == "xlsx.unreadable"


def test_import_names_missing_sheets():
    def drop(wb):
        del wb["choices"]

    assert "'choices' is missing" in _errors(_workbook(drop))


def test_import_names_the_row_of_an_unsupported_type():
    def bad(wb):
        wb["survey"].cell(row=3, column=1, value="geopoint")

    assert "survey row 3" in _errors(_workbook(bad))


def test_import_names_unknown_factor_and_wrong_level():
    def bad(wb):
        sheet = wb[ins.FACTOR_SHEET]
        sheet.append(["in_danger_now", "yes", "risk", "not_a_factor", "individual"])
        sheet.append(["in_danger_now", "yes", "risk", "com_security", "individual"])
        sheet.append(["no_such_question", "yes", "risk", "com_security", "community"])

    errors = _errors(_workbook(bad))
    assert "belongs to the community level, not individual" in errors
    assert "no_such_question" in errors


def test_import_refuses_skip_logic_on_a_later_question():
    def bad(wb):
        survey = wb["survey"]
        header = [c.value for c in survey[1]]
        survey.cell(row=4, column=header.index("relevant") + 1, value="${wants_to_return} = 'yes'")

    assert "unknown or later question" in _errors(_workbook(bad))


def test_import_refuses_factors_for_an_answer_not_in_the_list():
    def bad(wb):
        wb[ins.FACTOR_SHEET].append(["in_danger_now", "perhaps", "risk", "com_security", "community"])

    assert "'perhaps', which is not a choice" in _errors(_workbook(bad))


@pytest.mark.parametrize(
    ("expr", "answers", "expected"),
    [
        ("${a} = 'yes'", {"a": "yes"}, True),
        ("${a} = 'yes'", {}, False),
        ("${a} != 'yes'", {"a": "no"}, True),
        ("${a} = 'x' or ${b} = 'y'", {"b": "y"}, True),
        ("${a} = 'x' and ${b} = 'y'", {"b": "y"}, False),
        ("not(${a} = 'x')", {"a": "z"}, True),
        ("selected(${m}, 'sexual')", {"m": ["physical", "sexual"]}, True),
        ("selected(${m}, 'sexual')", {"m": ["physical"]}, False),
        ("${n} >= 18", {"n": 20}, True),
        ("${n} >= 18", {"n": ""}, False),
        ("(${a} = 'x' or ${a} = 'y') and ${b} = 'z'", {"a": "y", "b": "z"}, True),
        ("", {}, True),
    ],
)
def test_expressions(expr, answers, expected):
    assert expressions.evaluate(expr, answers) is expected


def test_constraint_uses_the_value_itself():
    assert expressions.evaluate(". >= 0 and . <= 240", {}, 12)
    assert not expressions.evaluate(". >= 0 and . <= 240", {}, 300)


@pytest.mark.parametrize("expr", ["${a} == 'x'", "count(${a})", "${a} = 'x' and", "${a} = 'unterminated"])
def test_unsupported_expressions_are_refused(expr):
    with pytest.raises(expressions.ExpressionError):
        expressions.parse(expr)


def test_answers_outside_the_lists_are_refused_with_the_question_named():
    with pytest.raises(ins.DefinitionError) as info:
        ins.clean_answers(
            DEFINITION, {"agrees_to_interview": "maybe", "detention_months": "many", "nope": "1"}
        )
    text = "\n".join(info.value.errors)
    assert "agrees_to_interview: maybe is not an allowed answer" in text
    assert "detention_months" in text and "whole number" in text
    assert "nope is not a question" in text


def test_out_of_range_integer_is_refused():
    with pytest.raises(ins.DefinitionError, match="outside the allowed range"):
        ins.clean_answers(
            DEFINITION, {"agrees_to_interview": "yes", "currently_detained": "yes", "detention_months": "999"}
        )


def test_refusing_the_interview_skips_every_other_section():
    answers = ins.clean_answers(DEFINITION, {"agrees_to_interview": "no", "in_danger_now": "yes"})
    assert answers == {"agrees_to_interview": "no"}
    assert ins.missing_required(DEFINITION, answers) == ["interview_country"]
