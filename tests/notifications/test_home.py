"""Home panels of the referrals, maritime and notifications apps: what a referrer waits for, what
a provider must answer, what an analyst received since signing in before and which watch alerts
they have not read. Counts match the linked lists; other organisations' objects never count."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lindung.core.markings import Distribution
from lindung.core.roles import Role
from lindung.maritime.models import Incident
from lindung.notifications import services
from tests.home_lists import listed, panel_counts

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _values(panels, key):
    return {label: value for label, value, _url in panels[key]}


def _check_links(client, panels, *keys):
    for key in keys:
        for label, value, url in panels[key]:
            assert listed(client, url) == value, (key, label, url)


def test_referrer_and_provider_count_what_waits_and_nobody_else_does(people, send_referral, org_b, make_user):
    send_referral()
    send_referral()
    referrer = _client(people["cw_a"])
    panels = panel_counts(referrer)
    assert _values(panels, "referrals-sent") == {"Received, waiting for an answer": 2}
    _check_links(referrer, panels, "referrals-sent")
    provider = _client(people["provider"])
    panels = panel_counts(provider)
    assert _values(panels, "referrals-received") == {"Waiting for your answer": 2}
    _check_links(provider, panels, "referrals-received")
    # Another organisation's caseworker and another service provider count none of them.
    assert _values(panel_counts(_client(people["cw_b"])), "referrals-sent") == {
        "Received, waiting for an answer": 0
    }
    other_provider = make_user(org_b, Role.SERVICE_PROVIDER)
    assert _values(panel_counts(_client(other_provider)), "referrals-received") == {
        "Waiting for your answer": 0
    }


def test_a_referral_sent_by_a_colleague_is_not_mine(people, send_referral, org_a, make_user):
    send_referral()
    colleague = make_user(org_a, Role.CASEWORKER)
    client = _client(colleague)
    assert _values(panel_counts(client), "referrals-sent") == {"Received, waiting for an answer": 0}
    assert listed(client, "/referrals/?status=sent") == 1  # the organisation's list still has it


def test_overdue_referrals_are_counted_for_supervisors(people, send_referral):
    referral = send_referral()
    type(referral).objects.filter(pk=referral.pk).update(due_at=timezone.now() - timedelta(days=1))
    client = _client(people["sup_a"])
    panels = panel_counts(client)
    assert _values(panels, "referrals-overdue") == {"Past their answer time": 1}
    _check_links(client, panels, "referrals-overdue")
    assert _values(panel_counts(_client(people["sup_b"])), "referrals-overdue") == {
        "Past their answer time": 0
    }


def test_incidents_received_since_the_previous_sign_in(people, org_a, org_b, record_incident):
    analyst = people["analyst_a"]
    before = record_incident(org_a)
    Incident.objects.filter(pk=before.pk).update(created_at=timezone.now() - timedelta(hours=1))
    Client().force_login(analyst)  # a first sign-in
    after = record_incident(org_a)
    record_incident(org_b, user=people["analyst_b"])  # another organisation's, never counted
    client = _client(analyst)  # signed in again: "since" is the first sign-in
    panels = panel_counts(client)
    assert _values(panels, "incidents-new") == {"Incidents received": 1}
    _check_links(client, panels, "incidents-new")
    listed_ids = [i.pk for i in client.get(panels["incidents-new"][0][2]).context["page"].object_list]
    assert listed_ids == [after.pk]


def test_at_a_first_sign_in_the_last_week_counts(people, org_a, record_incident):
    recent = record_incident(org_a)
    old = record_incident(org_a)
    Incident.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    client = _client(people["analyst_a"])
    panels = panel_counts(client)
    assert _values(panels, "incidents-new") == {"Incidents received": 1}
    assert [i.pk for i in client.get(panels["incidents-new"][0][2]).context["page"].object_list] == [
        recent.pk
    ]


def test_unread_watch_matches_are_the_analysts_own(
    people, org_a, org_b, record_incident, django_capture_on_commit_callbacks
):
    for who, org in (("analyst_a", org_a), ("analyst_b", org_b)):
        services.watch_rule_save(acting_user=people[who], organisation=org, name="Channel")
    with django_capture_on_commit_callbacks(execute=True):
        record_incident(org_a, distribution=Distribution.ORGANISATION)
        record_incident(org_a, distribution=Distribution.ORGANISATION)
    client = _client(people["analyst_a"])
    panels = panel_counts(client)
    assert _values(panels, "watch-matches") == {"Matches not yet read": 2, "Watch rules": 1}
    _check_links(client, panels, "watch-matches")
    # Analyst B may not see org A's incidents: no alert, nothing counted.
    assert _values(panel_counts(_client(people["analyst_b"])), "watch-matches")["Matches not yet read"] == 0


def test_inbox_ignores_an_unknown_event_filter(people):
    client = _client(people["analyst_a"])
    response = client.get("/notifications/?event=%3Cscript%3E")
    assert response.status_code == 200 and response.context["event_label"] == ""


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45T00:00", "%C2%B2"])
def test_a_bad_received_after_is_refused_with_a_message(people, value):
    response = _client(people["analyst_a"]).get(f"/maritime/incidents/?received_after={value}")
    assert response.status_code == 200
    assert response.context["filter_form"].errors.as_data()["received_after"][0].code == "invalid"


def test_analyst_panels_are_for_incident_readers(org_a, make_user):
    assert not {"incidents-new", "watch-matches"} & set(
        panel_counts(_client(make_user(org_a, Role.CASEWORKER)))
    )
