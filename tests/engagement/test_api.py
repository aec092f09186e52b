"""API: coordinators only, no contact details unless allowed (and then logged), bad input is a 4xx
JSON answer with a message, and the operations are in the OpenAPI schema."""

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.engagement.models import Consent, Engagement, Session

pytestmark = pytest.mark.django_db
Scope = Consent.Scope


@pytest.fixture
def api(coordinator):
    client = APIClient()
    client.force_authenticate(coordinator)
    return client


def test_anonymous_is_refused():
    for path in (
        "/api/v1/engagements/",
        "/api/v1/engagement-sessions/",
        "/api/v1/engagement-feedback/",
        "/api/v1/engagement-participants/",
    ):
        assert Client().get(path).status_code in (401, 403)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ENGAGEMENT_COORDINATOR])
def test_other_roles_see_nothing_and_cannot_create(world, role, make_user):
    client = APIClient()
    client.force_authenticate(make_user(world.org, role))
    for path in (
        "/api/v1/engagements/",
        "/api/v1/engagement-sessions/",
        "/api/v1/engagement-feedback/",
        "/api/v1/engagement-participants/",
    ):
        response = client.get(path)
        assert response.status_code == 200 and response.json()["count"] == 0, path
    assert client.get(f"/api/v1/engagements/{world.engagement.pk}/").status_code == 404
    response = client.post(
        "/api/v1/engagements/", {"title": "x", "purpose": "x", "feeds": "x"}, format="json"
    )
    assert response.status_code in (400, 403)
    assert not Engagement.objects.filter(title="x").exists()


def test_coordinator_sees_own_organisation_only(api, world, world_b):
    ids = [row["id"] for row in api.get("/api/v1/engagements/").json()["results"]]
    assert ids == [world.engagement.pk]
    assert api.get(f"/api/v1/engagements/{world_b.engagement.pk}/").status_code == 404
    assert api.get(f"/api/v1/engagement-sessions/{world_b.session.pk}/").status_code == 404
    sessions = api.get(f"/api/v1/engagement-sessions/?engagement={world.engagement.pk}").json()["results"]
    assert [s["id"] for s in sessions] == [world.session.pk]
    assert "Risk assessment done" in sessions[0]["checklist_missing"]


def test_participants_have_no_contact_details_in_lists_and_logged_details(api, world, monkeypatch):
    person = world.participant(Scope.PARTICIPATION)
    listing = api.get("/api/v1/engagement-participants/").json()["results"]
    assert listing[0]["code"] == person.code and listing[0]["contact_details"] is None
    assert "test-contact" not in str(listing) and "Testy" not in str(listing)
    before = AuditEntry.objects.filter(action="personal.viewed").count()
    detail = api.get(f"/api/v1/engagement-participants/{person.pk}/").json()
    assert detail["contact_details"]["contact"] == "test-contact@example.invalid"
    assert detail["consents"] == ["participation"]
    assert AuditEntry.objects.filter(action="personal.viewed").count() == before + 1
    from lindung.core.roles import ROLE_CAPABILITIES, Capability

    monkeypatch.setitem(ROLE_CAPABILITIES, Role.RESEARCHER, frozenset({Capability.MANAGE_ENGAGEMENT}))
    from django.contrib.auth import get_user_model

    helper = get_user_model().objects.create_user("helper")
    helper.memberships.create(organisation=world.org, role=Role.RESEARCHER)
    client = APIClient()
    client.force_authenticate(helper)
    assert client.get(f"/api/v1/engagement-participants/{person.pk}/").json()["contact_details"] is None


def test_create_engagement_and_session(api, world, world_b):
    response = api.post(
        "/api/v1/engagements/",
        {"title": "API engagement", "purpose": "p", "feeds": "f", "guideline": world.guideline.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = Engagement.objects.get(pk=response.json()["id"])
    assert created.organisation == world.org and created.guideline == world.guideline
    response = api.post(
        "/api/v1/engagements/",
        {"title": "t", "purpose": "p", "feeds": "f", "guideline": world_b.guideline.pk},
        format="json",
    )
    assert response.status_code == 400 and "guideline" in response.json()
    response = api.post(
        "/api/v1/engagements/",
        {"title": "t", "purpose": "p", "feeds": "f", "organisation": world_b.org.pk},
        format="json",
    )
    assert response.status_code == 400 and "organisation" in response.json()
    session = {
        "engagement": created.pk,
        "title": "API session",
        "format": "survey",
        "languages": "eng",
        "setting": "remote",
        "starts_at": timezone.now().isoformat(),
    }
    response = api.post("/api/v1/engagement-sessions/", session, format="json")
    assert response.status_code == 201 and response.json()["status"] == "planned"
    response = api.post("/api/v1/engagement-sessions/", {**session, "languages": "english"}, format="json")
    assert response.status_code == 400 and "languages" in response.json()
    response = api.post(
        "/api/v1/engagement-sessions/", {**session, "engagement": world_b.engagement.pk}, format="json"
    )
    assert response.status_code == 400 and "engagement" in response.json()
    response = api.post("/api/v1/engagement-sessions/", {**session, "format": "party"}, format="json")
    assert response.status_code == 400 and "format" in response.json()


def test_start_with_incomplete_checklist_is_a_400_with_reason_and_audited(api, world):
    response = api.post(f"/api/v1/engagement-sessions/{world.session.pk}/start/")
    assert response.status_code == 400
    assert "checklist is incomplete" in str(response.json())
    assert AuditEntry.objects.filter(
        action="engagement.refused", detail__reason="checklist_incomplete"
    ).exists()
    world.complete_checklist()
    response = api.post(f"/api/v1/engagement-sessions/{world.session.pk}/start/")
    assert response.status_code == 200 and response.json()["status"] == Session.Status.IN_PROGRESS


def test_feedback_is_only_cleared_content_and_filters_are_validated(api, world):
    person = world.participant(Scope.PARTICIPATION, Scope.QUOTES)
    world.started()
    world.attend(person)
    quote = world.cleared_quote(person, text="Cleared words")
    world.contribution("feedback", text="Draft words")
    rows = api.get(
        f"/api/v1/engagement-feedback/?engagement={world.engagement.pk}&theme=access_to_information"
    )
    data = rows.json()["results"]
    assert [r["id"] for r in data] == [quote.pk] and data[0]["text"] == "Cleared words"
    assert data[0]["attribution"] is None and "Draft words" not in str(data)
    assert api.get("/api/v1/engagement-feedback/?engagement=abc").status_code == 400
    assert api.get("/api/v1/engagement-feedback/?engagement=99999999999999999999").status_code == 400


def test_operations_are_in_the_schema(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/engagements/",
        "/api/v1/engagement-sessions/{id}/start/",
        "/api/v1/engagement-feedback/{id}/",
        "/api/v1/engagement-participants/{id}/",
    ):
        assert path in schema["paths"], path
    participant = schema["components"]["schemas"]["Participant"]["properties"]
    assert (
        participant["contact_details"].get("nullable")
        or "oneOf" in participant["contact_details"]
        or ("allOf" in participant["contact_details"])
    )
