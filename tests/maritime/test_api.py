"""API /api/v1/maritime/: roles, markings, validation (4xx JSON, never 5xx)."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from lindung.core.markings import TLP, Distribution
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.maritime.models import Incident

pytestmark = pytest.mark.django_db
URL = "/api/v1/maritime/incidents/"


@pytest.fixture
def api_for(make_user):
    def make(org, *roles):
        client = APIClient()
        client.force_authenticate(make_user(org, *roles))
        return client

    return make


def payload(**overrides):
    data = {
        "incident_type": "interception",
        "occurred_at": (timezone.now() - datetime.timedelta(days=1)).isoformat(),
        "latitude": 11.8,
        "longitude": 45.2,
        "area": "Gulf of Aden",
        "route": "horn_of_africa_yemen",
        "persons_on_board": 50,
        "dead": 0,
        "missing": 0,
        "survivors": 50,
        "tlp": "green",
        "distribution": "community",
        "persons": [{"sex": "M", "age_group": "18-20", "nationality": "ETH", "count": 30}],
        "facilitators": ["NET-11"],
    }
    data.update(overrides)
    return data


def test_analyst_records_and_reads(api_for, org_a):
    client = api_for(org_a, Role.ANALYST)
    response = client.post(URL, payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stix_id"].startswith("report--") and body["organisation"] == org_a.pk
    assert body["persons"] == [{"sex": "M", "age_group": "18-20", "nationality": "ETH", "count": 30}]
    assert body["facilitators"] == ["NET-11"] and "narrative" not in body
    assert client.get(URL).json()["count"] == 1
    patched = client.patch(f"{URL}{body['id']}/", {"dead": 1, "survivors": 49}, format="json")
    assert patched.status_code == 200 and patched.json()["version"] == 2


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.RESEARCHER, Role.ADMINISTRATOR, Role.AUDITOR])
def test_roles_without_incident_capabilities(api_for, org_a, make_incident, role):
    make_incident(tlp=TLP.CLEAR, distribution=Distribution.CONNECTED)
    client = api_for(org_a, role)
    assert client.get(URL).json()["count"] == 0
    assert client.post(URL, payload(), format="json").status_code == 403
    assert not Incident.objects.filter(incident_type="interception", area="Gulf of Aden").exists()


def test_other_organisation_sees_by_marking_and_cannot_change(api_for, org_b, make_incident):
    green = make_incident(tlp=TLP.GREEN, distribution=Distribution.COMMUNITY, facilitators=["NET-1"])
    red = make_incident(tlp=TLP.RED)
    client = api_for(org_b, Role.ANALYST)
    ids = [i["id"] for i in client.get(URL).json()["results"]]
    assert ids == [green.pk]
    assert client.get(f"{URL}{red.pk}/").status_code == 404
    shown = client.get(f"{URL}{green.pk}/").json()
    assert shown["facilitators"] == []  # references stay with the owner
    assert client.patch(f"{URL}{green.pk}/", {"dead": 5}, format="json").status_code == 403
    assert client.post(URL, payload(organisation=green.organisation_id), format="json").status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": 91}, "latitude"),
        ({"longitude": None}, "longitude"),
        ({"occurred_at": (timezone.now() + datetime.timedelta(days=1)).isoformat()}, "occurred_at"),
        ({"dead": 40, "survivors": 50}, "persons_on_board"),
        ({"persons": [{"sex": "M", "age_group": "18-20", "count": 80}]}, "persons"),
        ({"facilitators": ["a person with a name"]}, "facilitators"),
        ({"tlp": "white"}, "tlp"),
        ({"route": "to the moon"}, "route"),
        ({"vessel": 999999}, "vessel"),
        ({"sharing_group": 999999, "distribution": "sharing_group"}, "sharing_group"),
        ({"dead": -1}, "dead"),
        ({"incident_type": ""}, "incident_type"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_for, org_a, overrides, field):
    response = api_for(org_a, Role.ANALYST).post(URL, payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Incident.objects.exists()
    assert AuditEntry.objects.filter(action="maritime.incident_refused").count() == 1


def test_vessels(api_for, org_a, org_b):
    client = api_for(org_a, Role.ANALYST)
    created = client.post(
        "/api/v1/maritime/vessels/", {"vessel_type": "dhow", "mmsi": "123456789"}, format="json"
    )
    assert created.status_code == 201 and created.json()["organisation"] == org_a.pk
    assert (
        client.post(
            "/api/v1/maritime/vessels/", {"vessel_type": "dhow", "mmsi": "12"}, format="json"
        ).status_code
        == 400
    )
    assert api_for(org_b, Role.ANALYST).get("/api/v1/maritime/vessels/").json()["count"] == 0
    assert (
        api_for(org_b, Role.CASEWORKER)
        .post("/api/v1/maritime/vessels/", {"vessel_type": "dhow"}, format="json")
        .status_code
        == 403
    )
