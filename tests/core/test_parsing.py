"""Numbers and JSON from outside: one parser, nasty inputs refused with a code, never a crash."""

import json

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from lindung.core.parsing import (
    INT64_MAX,
    MAX_JSON_DEPTH,
    JSONTooDeep,
    id_or_none,
    load_json,
    parse_int,
    parse_optional_int,
)

# The inputs that broke ``str.isdigit()`` + ``int()`` and their relatives.
NASTY = [
    "²",
    "٣",
    "①",
    "𝟓",
    "５",
    "1_000",
    "0x10",
    "1e3",
    "5.0",
    "",
    "   ",
    "+",
    "-",
    "--5",
    "5-",
    "\x00",
    "١٢",
]


def _code(refusal) -> str:
    return refusal.value.error_dict["n"][0].code


@pytest.mark.parametrize("text", NASTY)
def test_unicode_digits_and_other_non_numbers_are_refused_with_a_code(text):
    with pytest.raises(ValidationError) as refused:
        parse_int(text, field="n")
    assert _code(refused) == ("required" if not text.strip() else "invalid")


@pytest.mark.parametrize(
    ("text", "number"), [("5", 5), ("+5", 5), ("-5", -5), (" 5 ", 5), ("\t42\n", 42), ("007", 7), (12, 12)]
)
def test_ascii_whole_numbers_with_sign_and_spaces_are_read(text, number):
    assert parse_int(text, field="n") == number


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("99999999999999999999", "max_value"),
        (str(10**30), "max_value"),
        ("-" + "9" * 30, "min_value"),
        ("9" * 100_000, "max_value"),  # refused before int() is asked to read it
        (str(INT64_MAX + 1), "max_value"),
        ("0", "min_value"),
    ],
)
def test_numbers_out_of_range_are_refused_with_their_code(text, code):
    with pytest.raises(ValidationError) as refused:
        parse_int(text, field="n", minimum=1)
    assert _code(refused) == code


def test_bounds_are_inclusive_and_booleans_are_not_numbers():
    assert parse_int("200", field="n", minimum=1, maximum=200) == 200
    assert parse_int("1", field="n", minimum=1, maximum=200) == 1
    assert parse_int(str(INT64_MAX), field="n") == INT64_MAX
    with pytest.raises(ValidationError):
        parse_int(True, field="n")
    with pytest.raises(ValidationError):
        parse_int(None, field="n")


def test_optional_and_reference_forms():
    assert parse_optional_int(None, field="n") is None and parse_optional_int(" ", field="n") is None
    assert parse_optional_int("3", field="n") == 3
    assert [id_or_none(v) for v in ("12", "²", "ACME", "0", "99999999999999999999", "٣")] == [
        12, None, None, None, None, None,
    ]  # fmt: skip


@given(st.text(max_size=30))
@example("²")
@example("٣")
@example("①")
@example("+5")
@example("-5")
@example(" 5 ")
@example(str(10**30))
@example("99999999999999999999")
@example("")
def test_any_text_is_a_number_in_range_or_a_coded_refusal(text):
    try:
        number = parse_int(text, field="n", minimum=-1000, maximum=1000)
    except ValidationError as refusal:
        assert refusal.error_dict["n"][0].code in {"required", "invalid", "min_value", "max_value"}
    else:
        assert -1000 <= number <= 1000 and number == int(text.strip())
        assert text.strip().lstrip("+-").isascii()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_within_the_limit_is_read_and_deeper_is_refused():
    assert load_json(_nested(MAX_JSON_DEPTH)) is not None
    assert load_json(json.dumps({"a": [{"b": 1}]})) == {"a": [{"b": 1}]}
    for depth in (MAX_JSON_DEPTH + 1, 100_000):
        with pytest.raises(JSONTooDeep) as refused:
            load_json(_nested(depth))
        assert refused.value.code == "json_too_deep" and isinstance(refused.value, ValueError)


def test_property_tests_draw_from_a_fixed_seed(pytestconfig):
    # pyproject's addopts: without it, a property test passes or fails by the luck of its draw.
    assert pytestconfig.getoption("hypothesis_seed") is not None
