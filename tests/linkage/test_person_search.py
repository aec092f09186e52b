"""The person search finds people (issue 19.4): names by part and by their spelling in another
script (linkage's blocking keys), document numbers whatever their case, spaces and hyphens, and
each result says what it matched. Only identity holders search; other organisations stay out."""

import pytest
from django.test import Client
from django.urls import reverse

from lindung.cases import identifiers, selectors
from lindung.core.roles import Role


def _matches(user, **query):
    """{person id: the match codes shown for them}."""
    persons, matches = selectors.persons_search_matches(user, **query)
    return {p.pk: identifiers.shown(matches[p.pk]) for p in persons}


@pytest.mark.django_db
def test_a_name_is_found_by_a_part_and_by_its_latin_spelling(rakhimov, register, caseworker):
    register(given_name="Anna", family_name="Karenina", sex="F")
    assert _matches(caseworker, name="Рахимов") == {rakhimov.pk: ["name"]}  # a whole (family) name
    assert _matches(caseworker, name="rakhimov") == {rakhimov.pk: ["name_part"]}  # Latin for Cyrillic
    assert _matches(caseworker, name="Muhammad Rahimov") == {rakhimov.pk: ["name_part"]}
    assert _matches(caseworker, name="Мухаммад") == {rakhimov.pk: ["name"]}
    assert _matches(caseworker, name="Mohammad Raheemov") == {rakhimov.pk: ["name_variant"]}  # sounds alike
    assert _matches(caseworker, name="Karimov Zzz") == {}  # every part must match


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["AB1234567", "ab1234567", "AB-123 4567", " ab 1234-567 "])
def test_a_document_number_is_found_however_written(rakhimov, caseworker, typed):
    assert _matches(caseworker, document=typed) == {rakhimov.pk: ["document"]}


@pytest.mark.django_db
def test_a_number_one_character_apart_is_said_to_be_near(rakhimov, caseworker):
    assert _matches(caseworker, document="AB123456") == {rakhimov.pk: ["document_near"]}
    assert _matches(caseworker, document="XY99") == {}


@pytest.mark.django_db
def test_no_search_outside_what_the_policy_allows(rakhimov, caseworker_b, org_a, make_user):
    assert _matches(caseworker_b, name="Rakhimov") == {}
    assert _matches(caseworker_b, document="AB1234567") == {}
    auditor = make_user(org_a, Role.AUDITOR)  # sees cases, not identities
    assert _matches(auditor, name="Rakhimov") == {}


@pytest.mark.django_db
def test_the_list_shows_names_and_what_matched(rakhimov, caseworker, org_a, make_user):
    client = Client()
    client.force_login(caseworker)
    url = reverse("cases:person_list")
    body = client.post(url, {"document": "ab-123 4567"}).content.decode()
    assert "Мухаммад Рахимов" in body and "Matched by" in body
    assert '<td class="matched">document number</td>' in body
    body = client.post(url, {"name": "rahimov"}).content.decode()
    assert '<td class="matched">part of a name</td>' in body
    # The plain list shows names to identity holders, never to others.
    assert "Рахимов" in client.get(url).content.decode()
    auditor = Client()
    auditor.force_login(make_user(org_a, Role.AUDITOR))
    listing = auditor.get(url).content.decode()
    assert rakhimov.reference in listing and "Рахимов" not in listing
    # Bad input: an over-long name is refused with the field's error, nothing searched.
    assert "at most 200 characters" in client.post(url, {"name": "x" * 201}).content.decode()


@pytest.mark.django_db
def test_the_api_search_says_what_matched(rakhimov, caseworker):
    client = Client()
    client.force_login(caseworker)
    answer = client.post(
        "/api/v1/persons/search/", {"document": "ab 1234-567"}, content_type="application/json"
    ).json()
    assert [(r["id"], r["matched"]) for r in answer["results"]] == [(rakhimov.pk, ["document"])]
    answer = client.post(
        "/api/v1/persons/search/", {"name": "Rakhimov"}, content_type="application/json"
    ).json()
    assert answer["results"][0]["matched"] == ["name_part"]
    bad = client.post("/api/v1/persons/search/", {"document": "x" * 65}, content_type="application/json")
    assert bad.status_code == 400 and "document" in bad.json()
