"""The API for instruments, interviews/profiles, the directory and referrals: what it does and
what it refuses (4xx with a message, never 500)."""

import pytest
from rest_framework.test import APIClient

from lindung.core.roles import Role
from lindung.referrals.models import Referral, Service
from lindung.screening.models import Interview
from tests.screening.conftest import ANSWERS


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_instruments_and_interviews(make_user, org_a, org_b, guide):
    user = make_user(org_a, Role.CASEWORKER)
    versions = api(user).get("/api/v1/screening/instruments/").json()["results"]
    assert versions[0]["form_id"] == "lindung_identification" and versions[0]["definition"]["sections"]
    response = api(user).post(
        "/api/v1/screening/interviews/",
        {"version": guide.pk, "answers": ANSWERS, "instance_id": "api-1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "presumed_victim_of_trafficking" in body["profile"]["categories"]
    assert body["explanation"]["categories"][0]["reasons"]
    again = api(user).post(
        "/api/v1/screening/interviews/",
        {"version": guide.pk, "answers": ANSWERS, "instance_id": "api-1"},
        format="json",
    )
    assert again.status_code == 200 and Interview.objects.count() == 1
    bad = api(user).post(
        "/api/v1/screening/interviews/", {"version": guide.pk, "answers": {"sex": "Q"}}, format="json"
    )
    assert bad.status_code == 400 and "sex: Q is not an allowed answer" in str(bad.json())
    assert (
        api(user)
        .post("/api/v1/screening/interviews/", {"version": 999, "answers": {}}, format="json")
        .status_code
        == 400
    )
    other = make_user(org_b, Role.CASEWORKER)
    assert api(other).get(f"/api/v1/screening/interviews/{body['id']}/").status_code == 404
    assert api(other).get("/api/v1/screening/interviews/").json()["results"] == []
    provider = make_user(org_a, Role.SERVICE_PROVIDER)
    assert (
        api(provider)
        .post("/api/v1/screening/interviews/", {"version": guide.pk, "answers": ANSWERS}, format="json")
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_directory_and_referrals(make_user, org_a, provider_org, make_person, completed, make_service):
    provider = make_user(provider_org, Role.SERVICE_PROVIDER)
    created = api(provider).post(
        "/api/v1/referrals/services/",
        {
            "owner": provider_org.pk,
            "name": "API clinic",
            "service_type": "medical_care",
            "country": "THA",
            "place": "Bangkok",
            "languages": ["tha"],
            "latitude": "13.70000",
            "longitude": "100.50000",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    service_id = created.json()["id"]
    refused = api(provider).post(
        "/api/v1/referrals/services/",
        {
            "owner": org_a.pk,
            "name": "Not mine",
            "service_type": "shelter",
            "country": "THA",
            "place": "Bangkok",
        },
        format="json",
    )
    assert refused.status_code == 403
    bad = api(provider).post(
        "/api/v1/referrals/services/",
        {
            "owner": provider_org.pk,
            "name": "Bad",
            "service_type": "shelter",
            "country": "THA",
            "place": "X",
            "languages": ["zz9"],
        },
        format="json",
    )
    assert bad.status_code == 400 and "languages" in bad.json()
    found = (
        api(provider).get("/api/v1/referrals/services/", {"need": "medical_care", "language": "tha"}).json()
    )
    assert [s["name"] for s in found["results"]] == ["API clinic"]

    caseworker = make_user(org_a, Role.CASEWORKER)
    profile = completed(caseworker, person=make_person(org_a, "referral")).profile
    mismatch = api(caseworker).post(
        "/api/v1/referrals/referrals/",
        {"profile": profile.pk, "service": service_id, "needs": ["shelter"]},
        format="json",
    )
    assert mismatch.status_code == 400 and "not one of the needs" in str(mismatch.json())
    sent = api(caseworker).post(
        "/api/v1/referrals/referrals/",
        {"profile": profile.pk, "service": service_id, "needs": ["medical_care"]},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    referral_id = sent.json()["id"]
    assert (
        api(caseworker)
        .post(f"/api/v1/referrals/referrals/{referral_id}/answer/", {"action": "accept"}, format="json")
        .status_code
        == 403
    )
    answer = api(provider).post(
        f"/api/v1/referrals/referrals/{referral_id}/answer/", {"action": "accept"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    incomplete = api(provider).post(
        f"/api/v1/referrals/referrals/{referral_id}/answer/", {"action": "service_given"}, format="json"
    )
    assert incomplete.status_code == 400
    seen = api(caseworker).get(f"/api/v1/referrals/referrals/{referral_id}/").json()
    assert seen["status"] == "accepted"
    assert Referral.objects.count() == 1 and Service.objects.count() == 1
