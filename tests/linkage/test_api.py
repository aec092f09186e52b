"""The linkage API: candidates with their explanation before a registration, decisions, and
bad input refused with codes."""

import datetime

import pytest
from rest_framework.test import APIClient

from lindung.linkage.models import PersonLink

from .conftest import DOB

pytestmark = pytest.mark.django_db
URL = "/api/v1/linkage/candidates/"


@pytest.fixture
def api(caseworker):
    client = APIClient()
    client.force_authenticate(caseworker)
    return client


def test_candidates_with_their_explanation(api, rakhimov):
    response = api.post(
        URL,
        {"given_name": "Muhammad", "family_name": "Rahimov", "date_of_birth": DOB.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    (candidate,) = response.json()["candidates"]
    assert candidate["person"] == rakhimov.pk and candidate["given_name"] == "Мухаммад"
    assert candidate["probability"] > 0.99
    steps = {s["field"]: s for s in candidate["steps"]}
    assert steps["prior"]["log2_bayes_factor"] < 0
    assert steps["name"]["level"] == "exact" and steps["date_of_birth"]["level"] == "exact"
    assert steps["name"]["bayes_factor"] > 1000


def test_names_never_in_the_url(api, rakhimov):
    assert api.get(URL).status_code == 405


def test_another_organisations_person_is_not_a_candidate(caseworker_b, rakhimov):
    client = APIClient()
    client.force_authenticate(caseworker_b)
    response = client.post(URL, {"given_name": "Мухаммад", "family_name": "Рахимов"}, format="json")
    assert response.status_code == 200 and response.json()["candidates"] == []


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "given_name", "nothing_to_compare"),
        ({"given_name": "", "family_name": ""}, "given_name", "nothing_to_compare"),
        ({"given_name": "M", "family_name": "Rahimov"}, "given_name", "name_too_short"),
        ({"family_name": "R."}, "family_name", "name_too_short"),
        (
            {
                "given_name": "Muhammad",
                "date_of_birth": (datetime.date.today() + datetime.timedelta(days=1)).isoformat(),
            },
            "date_of_birth",
            "future_date",
        ),
        (
            {"documents": [{"type": "passport", "number": "123456789", "country": "THA"}]},
            "documents",
            "document_format",
        ),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth", "invalid"),
        ({"documents": [{"type": "passport", "number": "X1", "country": "XXX"}]}, "documents", None),
    ],
)
def test_bad_input_refused_with_a_code(api, rakhimov, body, field, code):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    if code:
        assert code in str(response.json()["codes"][field])


def test_decide_link_and_undo(api, caseworker, register, rakhimov):
    latin = register(given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    decisions = "/api/v1/linkage/decisions/"
    response = api.post(
        decisions, {"person": latin.pk, "other": rakhimov.pk, "decision": "link"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "linked" and response.json()["reasons"]["probability"] > 0.99
    response = api.post(
        decisions, {"person": latin.pk, "other": rakhimov.pk, "decision": "link"}, format="json"
    )
    assert response.status_code == 400 and response.json()["codes"]["non_field_errors"] == ["already_linked"]
    response = api.post(
        decisions, {"person": latin.pk, "other": rakhimov.pk, "decision": "unlink"}, format="json"
    )
    assert response.status_code == 201 and response.json()["state"] == "unlinked"
    response = api.get(f"{decisions}?person={rakhimov.pk}")
    assert [row["state"] for row in response.json()["results"]] == ["unlinked", "linked"]
    assert api.get(f"{decisions}?person=abc").status_code == 400


def test_decision_on_a_person_you_may_not_see(caseworker_b, register, rakhimov):
    latin = register(given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    client = APIClient()
    client.force_authenticate(caseworker_b)
    response = client.post(
        "/api/v1/linkage/decisions/",
        {"person": latin.pk, "other": rakhimov.pk, "decision": "link"},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()) >= {"person", "other"}
    assert not PersonLink.objects.exists()
    assert client.get("/api/v1/linkage/decisions/").json()["results"] == []
