"""Query parameters that crashed the cases API, and the subject-access export of a person with a
monitoring visit (its scores are Decimals, which json.dumps refused)."""

import datetime
import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from lindung.cases import services

NOT_NUMBERS = [("²", "invalid"), ("٣", "invalid"), ("①", "invalid"), ("-5", "min_value"), ("abc", "invalid")]


@pytest.fixture
def api(caseworker):
    client = APIClient()
    client.force_authenticate(caseworker)
    return client


@pytest.mark.parametrize(("value", "code"), [*NOT_NUMBERS, ("99999999999999999999", "max_value")])
def test_case_list_refuses_an_organisation_that_is_not_an_id(api, value, code):
    response = api.get("/api/v1/cases/", {"organisation": value})
    assert response.status_code == 400 and response.json()["codes"] == {"organisation": [code]}


@pytest.mark.parametrize(("value", "code"), [*NOT_NUMBERS, ("99999999999999999999", "max_value")])
def test_consent_list_refuses_a_person_that_is_not_an_id(api, value, code):
    response = api.get("/api/v1/consents/", {"person": value})
    assert response.status_code == 400 and response.json()["codes"] == {"person": [code]}


def test_list_filters_read_signed_and_spaced_ids(api, make_case, org_a):
    case = make_case("avrr")
    for value in (str(org_a.pk), f"+{org_a.pk}", f" {org_a.pk} "):
        listed = api.get("/api/v1/cases/", {"organisation": value}).json()["results"]
        assert [c["id"] for c in listed] == [case.pk], value


def test_subject_access_export_of_a_person_with_a_monitoring_visit(make_case, caseworker):
    case = make_case("reintegration")
    services.visit_record(
        acting_user=caseworker,
        case=case,
        visit_on=datetime.date.today(),
        economic="0.5",
        social="0.75",
        psychosocial="1",
    )
    client = Client()
    client.force_login(caseworker)
    response = client.get(f"/cases/persons/{case.person_id}/export/")
    assert response.status_code == 200
    visit = json.loads(response.content)["cases"][0]["monitoring_visits"][0]
    assert (visit["economic"], visit["social"], visit["psychosocial"]) == ("0.50", "0.75", "1.00")
    api = APIClient()
    api.force_authenticate(caseworker)
    exported = api.get(f"/api/v1/persons/{case.person_id}/export/").json()
    assert exported["cases"][0]["monitoring_visits"][0]["social"] == "0.75"
