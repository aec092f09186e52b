"""The cases API: CRUD and transitions, bad input as 4xx JSON, other organisations not found."""

import datetime

import pytest
from rest_framework.test import APIClient

from lindung.cases.models import Case, Person
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry

TODAY = datetime.date.today().isoformat()


@pytest.fixture
def api(caseworker):
    client = APIClient()
    client.force_authenticate(caseworker)
    return client


def test_register_person_open_case_and_move_it(api):
    response = api.post(
        "/api/v1/persons/",
        {
            "given_name": "Apia",
            "family_name": "Test",
            "sex": "F",
            "age_group": "24-26",
            "languages": ["tha"],
            "documents": [{"type": "passport", "number": "AP-1", "country": "THA"}],
            "vulnerabilities": ["older_migrant"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    person = response.json()
    assert person["given_name"] == "Apia" and person["vulnerabilities"] == ["older_migrant"]
    response = api.post(
        "/api/v1/consents/",
        {"person": person["id"], "purpose": "return", "language": "tha", "information_given": "Explained."},
        format="json",
    )
    assert response.status_code == 201 and response.json()["active"] is True
    response = api.post("/api/v1/cases/", {"person": person["id"], "case_type": "avrr"}, format="json")
    assert response.status_code == 201
    case = response.json()
    assert case["state"] == "counselling" and "complete_counselling" in case["next_steps"]
    response = api.post(
        f"/api/v1/cases/{case['id']}/transition/",
        {
            "transition": "complete_counselling",
            "version": case["version"],
            "data": {"counselling_date": TODAY, "informed_decision": True},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "eligibility" and response.json()["version"] == 2
    response = api.get("/api/v1/cases/?case_type=avrr&state=eligibility")
    assert [c["id"] for c in response.json()["results"]] == [case["id"]]


def test_transition_errors_are_400_with_reasons(api, make_case):
    case = make_case("avrr")
    url = f"/api/v1/cases/{case.pk}/transition/"
    cases = [
        ({"transition": "confirm_arrival", "version": 1, "data": {"arrival_date": TODAY}}, "transition"),
        ({"transition": "complete_counselling", "version": 1, "data": {}}, "counselling_date"),
        (
            {
                "transition": "complete_counselling",
                "version": 9,
                "data": {"counselling_date": TODAY, "informed_decision": True},
            },
            "non_field_errors",
        ),
        ({"transition": "fly", "version": 1}, "transition"),
        ({"transition": "complete_counselling", "version": 1, "data": "text"}, "data"),
    ]
    for body, field in cases:
        response = api.post(url, body, format="json")
        assert response.status_code == 400, (body, response.status_code)
        assert field in response.json(), (body, response.json())
    assert Case.objects.get(pk=case.pk).state == "counselling"


def test_stale_person_update_is_refused(api, make_person):
    person = make_person()
    assert (
        api.patch(f"/api/v1/persons/{person.pk}/", {"version": 1, "sex": "M"}, format="json").status_code
        == 200
    )
    response = api.patch(f"/api/v1/persons/{person.pk}/", {"version": 1, "sex": "F"}, format="json")
    assert response.status_code == 400 and "changed by someone else" in str(response.json())
    assert Person.objects.get(pk=person.pk).sex == "M"


def test_other_organisation_gets_404_and_cannot_open_cases(make_case, caseworker_b):
    case = make_case("protection")
    client = APIClient()
    client.force_authenticate(caseworker_b)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/persons/{case.person_id}/").status_code == 404
    assert client.get("/api/v1/cases/").json()["count"] == 0
    response = client.post("/api/v1/cases/", {"person": case.person_id, "case_type": "avrr"}, format="json")
    assert response.status_code == 400 and "person" in response.json()
    response = client.post(
        f"/api/v1/cases/{case.pk}/transition/",
        {"transition": "start_assessment", "version": 1, "data": {}},
        format="json",
    )
    assert response.status_code == 404


def test_assign_needs_supervisor_and_erase_through_delete(api, make_case, supervisor, caseworker):
    case = make_case("protection")
    response = api.patch(f"/api/v1/cases/{case.pk}/", {"version": 1, "team": "X"}, format="json")
    assert response.status_code == 403
    sup = APIClient()
    sup.force_authenticate(supervisor)
    response = sup.patch(
        f"/api/v1/cases/{case.pk}/", {"version": 1, "owner": caseworker.pk, "team": "X"}, format="json"
    )
    assert response.status_code == 200 and response.json()["owner"] == caseworker.pk
    assert api.delete(f"/api/v1/persons/{case.person_id}/").status_code == 403
    assert sup.delete(f"/api/v1/persons/{case.person_id}/").status_code == 204
    assert not Case.objects.exists()


def test_consent_withdraw_and_export(api, make_person):
    person = make_person(given_name="Exporty")
    consent = api.post(
        "/api/v1/consents/",
        {"person": person.pk, "purpose": "referral", "language": "eng", "information_given": "Told."},
        format="json",
    ).json()
    response = api.post(f"/api/v1/consents/{consent['id']}/withdraw/")
    assert response.status_code == 200 and response.json()["active"] is False
    assert api.post(f"/api/v1/consents/{consent['id']}/withdraw/").status_code == 400
    export = api.get(f"/api/v1/persons/{person.pk}/export/").json()
    assert export["person"]["given_name"] == "Exporty" and export["consents"][0]["purpose"] == "referral"


def test_bad_person_input_is_400(api):
    response = api.post(
        "/api/v1/persons/", {"given_name": "", "sex": "Q", "date_of_birth": "2999-01-01"}, format="json"
    )
    assert response.status_code == 400 and "sex" in response.json()
    response = api.post(
        "/api/v1/persons/",
        {"given_name": "A", "date_of_birth": "2999-01-01", "languages": ["zzz"]},
        format="json",
    )
    assert response.status_code == 400 and {"date_of_birth", "languages"} <= set(response.json())


def test_schema_lists_the_case_operations(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in [
        "/api/v1/cases/",
        "/api/v1/cases/{id}/transition/",
        "/api/v1/persons/",
        "/api/v1/consents/",
        "/api/v1/persons/{id}/export/",
        "/api/v1/persons/search/",
    ]:
        assert path in schema["paths"], path


def test_search_by_name_in_the_body_is_logged_and_scoped(api, make_person, caseworker, caseworker_b):
    person = make_person(given_name="Amaryllis", family_name="Quenby", sex="F")
    make_person(given_name="Other", family_name="Body")
    response = api.post("/api/v1/persons/search/", {"name": "amaryllis  QUENBY"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert [p["reference"] for p in body["results"]] == [person.reference]
    assert body["results"][0]["given_name"] == "Amaryllis"
    assert AuditEntry.objects.filter(
        action=AuditAction.PERSONAL_DATA_SEARCHED, actor_id=caseworker.pk
    ).exists()
    other = APIClient()
    other.force_authenticate(caseworker_b)
    assert (
        other.post("/api/v1/persons/search/", {"name": "Amaryllis Quenby"}, format="json").json()["count"]
        == 0
    )


def test_search_bad_input_names_the_field(api):
    response = api.post("/api/v1/persons/search/", {"name": "x" * 201, "sex": "nonsense"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "sex", "codes"}
    assert response.json()["codes"] == {"name": ["max_length"], "sex": ["invalid_choice"]}
