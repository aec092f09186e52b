"""With the demo loaded, every role's home page shows numbers, and each number is exactly the
number of rows of the list it links to."""

import pytest
from django.test import Client

from tests.home_lists import listed, panel_counts

# The demo users the issue names, and a panel each must show with something in it.
EXPECTED = {
    "caseworker": ("my-cases", "my-tasks", "consents", "referrals-sent"),
    "supervisor": ("approvals", "team-overdue", "caseload", "referrals-overdue"),
    "provider": ("referrals-received",),
    "analyst": ("incidents-new", "watch-matches"),
    "datamanager": ("imports", "releases"),
    "coordinator": ("engagement",),
    "auditor": ("audit",),
}


@pytest.mark.django_db
def test_every_role_home_has_numbers_that_match_their_lists(demo_world):
    for username, expected in EXPECTED.items():
        client = Client()
        client.force_login(demo_world["users"][username])
        panels = panel_counts(client)
        for key in expected:
            assert key in panels, (username, key)
            assert any(value for _label, value, _url in panels[key]), (username, key)
        for key, counts in panels.items():
            for label, value, url in counts:
                assert listed(client, url) == pytest.approx(value), (username, key, label, url)


@pytest.mark.django_db
def test_a_researcher_sees_no_panel_and_the_page_still_works(demo_world):
    client = Client()
    client.force_login(demo_world["users"]["researcher"])
    assert panel_counts(client) == {}
