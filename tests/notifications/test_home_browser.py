"""In a real browser: an analyst's home page counts the incidents received since they last signed
in and the watch alerts they have not read; each number opens the list of exactly those."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lindung.maritime.models import Incident
from lindung.notifications import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_follows_new_incidents_and_watch_alerts(
    page, live_server, login, people, org_a, record_incident, django_capture_on_commit_callbacks
):
    analyst = people["analyst_a"]
    services.watch_rule_save(
        acting_user=analyst, organisation=org_a, name="Channel", incident_type="shipwreck"
    )
    old = record_incident(org_a, incident_type="interception")
    Incident.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        record_incident(org_a, area="North of Mayotte")
    login(analyst.username)
    page.goto(f"{live_server.url}/")
    new = page.locator("#panel-incidents-new").get_by_role("row", name="Incidents received")
    expect(new.get_by_role("link")).to_have_text("1")
    new.get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.locator("#incident-table tbody tr")).to_have_count(1)
    expect(page.locator("#incident-table tbody tr").first).to_contain_text("North of Mayotte")

    page.goto(f"{live_server.url}/")
    alerts = page.locator("#panel-watch-matches").get_by_role("row", name="Matches not yet read")
    expect(alerts.get_by_role("link")).to_have_text("1")
    alerts.get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.locator("#notifications tbody tr")).to_have_count(1)
    expect(page.get_by_role("table")).to_contain_text("Incident matching a watch rule")
