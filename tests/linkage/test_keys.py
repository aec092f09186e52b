"""Comparison keys: one person's name in Cyrillic, Latin, Thai and Arabic letters gives the same
phonetic codes; dates and document numbers give the variants a clerk may have written."""

import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lindung.linkage import keys

LATIN = ["MHMT", "RHMF"]


@pytest.mark.parametrize(
    "name",
    ["Мухаммад Рахимов", "Mukhammad Rakhimov", "Muhammad Rahimov", "มูฮัมหมัด ราฮิมอฟ", "محمد رحيموف"],
)
def test_every_script_gives_the_same_phonetic_codes(name):
    assert keys.phonetic_codes(keys.name_tokens(name)) == LATIN


def test_cyrillic_and_latin_give_the_same_tokens():
    assert (
        keys.name_tokens("Мухаммад Рахимов")
        == keys.name_tokens("MUHAMMAD  rahimov")
        == ["muhamad", "rahimof"]
    )


def test_thai_silent_h_is_dropped_but_arabic_h_is_kept():
    assert keys.ascii_name("มูฮัมหมัด") == "muhammad"
    assert keys.ascii_name("محمد") == "mhmd"


def test_one_letter_and_empty_names_give_no_token():
    assert keys.name_tokens("A", "", "  ", "-") == []


def test_date_variants_swap_day_and_month_and_shift_the_year():
    variants = keys.dob_variants(datetime.date(1990, 3, 4))
    assert datetime.date(1990, 4, 3) in variants
    assert datetime.date(1989, 3, 4) in variants and datetime.date(1991, 3, 4) in variants
    # No swap when the day cannot be a month, nor a shifted 29 February.
    assert keys.swapped(datetime.date(1990, 3, 14)) is None
    assert datetime.date(1999, 2, 28) not in keys.dob_variants(datetime.date(2000, 2, 29))


def test_document_numbers_one_edit_apart_share_a_deletion():
    a, b = keys.document_number("ab-123 4567"), keys.document_number("AB1234667")
    assert a == "AB1234567"
    assert set(keys.deletions(a)) & set(keys.deletions(b))
    assert not set(keys.deletions(a)) & set(keys.deletions("XY9876543"))


@given(st.text(max_size=60))
@example("²٣①")
@example("")
@example("ห" * 5)
def test_any_text_gives_ascii_tokens_and_numbers(text):
    tokens = keys.name_tokens(text)
    assert all(t.isascii() and t.isalpha() and len(t) >= keys.MIN_TOKEN for t in tokens)
    number = keys.document_number(text)
    assert number == "" or (number.isascii() and number.isalnum() and number.upper() == number)
