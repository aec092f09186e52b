"""Real headless Chromium: an analyst creates a watch rule through the form, a matching incident
arrives (recorded by a colleague), the header's unread count shows it, the inbox lists it, and
marking all read clears the count. The pages pass axe's serious and critical checks."""

import pytest
from playwright.sync_api import expect

from lindung.core.models import Organisation
from lindung.core.roles import Role
from lindung.notifications.models import Notification, WatchRule
from tests.referrals.test_browser import axe_violations

from .conftest import incident_fields

pytestmark = [pytest.mark.browser]


def test_watch_rule_then_alert_in_the_header_and_inbox(page, live_server, login, make_user, transactional_db):
    from lindung.maritime import services as maritime_services

    centre = Organisation.objects.create(name="Fusion centre (test)", kind="regional_centre", country="MDG")
    make_user(centre, Role.ANALYST, username="watcher")
    colleague = make_user(centre, Role.ANALYST, username="colleague")
    login("watcher")
    page.goto(f"{live_server.url}/notifications/watch-rules/")
    page.get_by_role("link", name="New watch rule").click()
    page.get_by_label("Name of the rule").fill("Deaths in the channel")
    page.get_by_label("Named sea area").fill("Mozambique Channel")
    page.get_by_label("At least this many dead and missing").fill("1")
    page.get_by_label("TLP:GREEN").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save watch rule").click()
    expect(page.locator("#watch-rules")).to_contain_text("Deaths in the channel")
    rule = WatchRule.objects.get()
    assert rule.area_name == "Mozambique Channel" and rule.tlp == ["green"] and rule.min_dead_and_missing == 1
    expect(page.locator("#unread-count")).to_have_count(0)

    incident = maritime_services.incident_create(
        acting_user=colleague, organisation=centre, **incident_fields()
    )
    maritime_services.incident_create(
        acting_user=colleague, organisation=centre, **incident_fields(area="Andaman Sea")
    )  # no match
    page.reload()
    expect(page.locator("#unread-count")).to_have_text("1")
    page.locator("#notifications-link").click()
    expect(page.locator("#notifications")).to_contain_text(
        f"Incident I-{incident.pk} matches your watch rule."
    )
    expect(page.locator("#notifications")).to_contain_text("Watch rule: Deaths in the channel")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("#unread-count")).to_have_count(0)
    assert not Notification.objects.filter(read_at__isnull=True).exists()
