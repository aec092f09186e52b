"""Paginators that save queries keep the answers of Django's own."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lindung.core.models import Organisation
from lindung.core.paging import ShortListPaginator


@pytest.fixture
def organisations(db):
    Organisation.objects.bulk_create(
        Organisation(name=f"Paging org {n:02d}", kind="ngo", country="THA") for n in range(7)
    )
    return Organisation.objects.filter(name__startswith="Paging org").order_by("name")


@pytest.mark.parametrize("per_page", [3, 7, 8, 25])
def test_pages_and_counts_equal_the_plain_paginator(organisations, per_page):
    plain = Paginator(organisations, per_page)
    for number in [None, "1", "2", "3", "99", "x"]:
        short = ShortListPaginator(organisations, per_page)
        page, expected = short.get_page(number), plain.get_page(number)
        assert list(page) == list(expected) and page.number == expected.number
        assert short.count == plain.count == 7 and short.num_pages == plain.num_pages


def test_a_short_first_page_is_counted_from_its_rows(organisations):
    with CaptureQueriesContext(connection) as short:
        page = ShortListPaginator(organisations, 25).get_page("1")
        assert page.paginator.count == 7 and not page.has_next()
    with CaptureQueriesContext(connection) as full:
        page = ShortListPaginator(organisations, 5).get_page(None)
        assert page.paginator.count == 7 and page.has_next()
    assert len(short) == 1
    assert len(full) == 2 and "COUNT" in full[1]["sql"].upper()


def test_an_empty_list_has_one_empty_page(db):
    page = ShortListPaginator(Organisation.objects.filter(name="none such"), 25).get_page(None)
    assert list(page) == [] and page.paginator.count == 0 and page.paginator.num_pages == 1


def test_orphans_are_refused(organisations):
    with pytest.raises(ValueError, match="orphans"):
        ShortListPaginator(organisations, 3, orphans=1)
