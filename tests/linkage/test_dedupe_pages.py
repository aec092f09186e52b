"""The review queue of batch deduplication, on the web and in the API: who may see it, accept and
reject, starting a run, and bad input refused with codes."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Job
from lindung.core.roles import Role
from lindung.linkage import splink_model
from lindung.linkage.models import DedupeCandidate, DedupeRun, PersonLink

from .conftest import DOB

pytestmark = pytest.mark.django_db
QUEUE = "/linkage/duplicates/"
API = "/api/v1/linkage/dedupe-candidates/"
EXPLANATION = {
    "match_weight": 12.5,
    "probability": 0.9998,
    "steps": [
        {"field": "prior", "level": "prior", "log2_bayes_factor": -9.0},
        {"field": "given_name", "level": "phonetic", "log2_bayes_factor": 6.0},
        {"field": "family_name", "level": "exact", "log2_bayes_factor": 5.5},
        {"field": "date_of_birth", "level": "exact", "log2_bayes_factor": 10.0},
    ],
}


@pytest.fixture
def supervisor(org_a, make_user):
    return make_user(org_a, Role.SUPERVISOR, username="sup_a")


@pytest.fixture
def pending(org_a, register, rakhimov):
    """A run's proposal: the Cyrillic record and the same man registered again in Latin letters."""
    again = register(given_name="Mukhammad", family_name="Rakhimov", date_of_birth=DOB, sex="M")
    run = DedupeRun.objects.create(organisation=org_a, persons=2, pairs=1, proposed=1)
    return DedupeCandidate.objects.create(
        run=run,
        organisation=org_a,
        person=rakhimov,
        other=again,
        probability=0.9998,
        match_weight=12.5,
        explanation=EXPLANATION,
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_queue_shows_both_persons_and_the_explanation(supervisor, pending):
    page = client_for(supervisor).get(QUEUE).content.decode()
    assert "Мухаммад Рахимов" in page and "Mukhammad Rakhimov" in page
    assert 'data-field="given_name" data-level="phonetic"' in page
    assert str(splink_model.LEVELS["given_name"]["phonetic"]) in page
    assert "Look for duplicates" in page
    # Each identity shown is a logged read.
    assert AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).count() >= 2


def test_roles_allowed_and_refused(pending, caseworker, caseworker_b, org_a, make_user):
    page = client_for(caseworker).get(QUEUE).content.decode()
    # A caseworker reviews (sees identities, changes records) but does not start runs.
    assert "Mukhammad Rakhimov" in page and "Look for duplicates" not in page
    other_org = client_for(caseworker_b).get(QUEUE).content.decode()
    assert "Mukhammad Rakhimov" not in other_org and "No pair to review." in other_org
    for role in (Role.DATA_MANAGER, Role.AUDITOR, Role.ANALYST):
        assert client_for(make_user(org_a, role)).get(QUEUE).status_code == 403


def test_accept_links_and_reject_remembers(supervisor, pending, register):
    web = client_for(supervisor)
    response = web.post(reverse("linkage:dedupe_decide", args=[pending.pk]), {"decision": "accept"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "accepted"
    assert PersonLink.objects.get(person=pending.person, other=pending.other).state == "linked"
    assert AuditEntry.objects.filter(action=AuditAction.DEDUPE_ACCEPTED).count() == 1
    # Decided: gone from the queue, and deciding again is refused.
    assert "No pair to review." in web.get(QUEUE).content.decode()
    assert (
        web.post(reverse("linkage:dedupe_decide", args=[pending.pk]), {"decision": "reject"}).status_code
        == 404
    )


def test_reject_remembers_not_same(supervisor, pending):
    client_for(supervisor).post(reverse("linkage:dedupe_decide", args=[pending.pk]), {"decision": "reject"})
    pending.refresh_from_db()
    assert pending.state == "rejected"
    assert PersonLink.objects.get(person=pending.person, other=pending.other).state == "not_same"


def test_bad_decision_and_bad_organisation(supervisor, pending, org_b):
    web = client_for(supervisor)
    response = web.post(
        reverse("linkage:dedupe_decide", args=[pending.pk]), {"decision": "merge"}, follow=True
    )
    assert "Choose a decision." in response.content.decode()
    pending.refresh_from_db()
    assert pending.state == "open"
    for value in ("", "abc", str(org_b.pk), "99999999999999999999"):
        response = web.post(reverse("linkage:dedupe_start"), {"organisation": value}, follow=True)
        assert "Choose an organisation" in response.content.decode()
    assert not Job.objects.exists()


def test_start_run_with_no_persons_says_so(supervisor, org_a):
    response = client_for(supervisor).post(
        reverse("linkage:dedupe_start"), {"organisation": org_a.pk}, follow=True
    )
    assert "There are not enough persons to compare." in response.content.decode()
    assert Job.objects.get(kind="linkage.dedupe").error_code == "no_persons"


def test_api_list_accept_and_codes(supervisor, pending, caseworker_b):
    api = APIClient()
    api.force_authenticate(supervisor)
    data = api.get(API).json()
    (item,) = data.get("results", data) if isinstance(data, dict) else data
    assert item["person"] == pending.person_id and item["explanation"][1]["level"] == "phonetic"
    assert "Рахимов" not in str(item)  # references and ids only: names through the persons API
    assert api.get(API, {"state": "maybe"}).json()["codes"]["state"] == ["invalid_choice"]
    response = api.post(f"{API}{pending.pk}/accept/")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    response = api.post(f"{API}{pending.pk}/reject/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"

    other = APIClient()
    other.force_authenticate(caseworker_b)
    assert (
        other.post("/api/v1/linkage/dedupe-runs/", {"organisation": pending.organisation_id}).status_code
        == 403
    )
    assert other.post("/api/v1/linkage/dedupe-runs/", {"organisation": "x"}).json()["codes"][
        "organisation"
    ] == ["invalid"]
