"""The notifications and watch-rules API: your own only, marking read, preferences, rules made
through the same service as the pages (4xx with the field named, never 500)."""

import pytest
from rest_framework.test import APIClient

from lindung.core.roles import Role
from lindung.notifications import services
from lindung.notifications.models import Event, Notification, WatchRule

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_notifications_are_listed_for_their_recipient_only(org_a, make_user):
    mine, theirs = make_user(org_a, Role.CASEWORKER), make_user(org_a, Role.CASEWORKER)
    services.notify(event=Event.TASK_DUE, recipients=[mine], reference="C-MINE-0001", link="/cases/")
    other = services.notify(event=Event.TASK_DUE, recipients=[theirs], reference="C-THEIR-0001")[0]
    rows = api(mine).get("/api/v1/notifications/").json()["results"]
    assert [r["reference"] for r in rows] == ["C-MINE-0001"]
    assert rows[0]["message"] == "A task of case C-MINE-0001 is due today." and rows[0]["is_read"] is False
    assert api(mine).get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert api(mine).post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    read = api(mine).post(f"/api/v1/notifications/{rows[0]['id']}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert api(mine).get("/api/v1/notifications/?unread=1").json()["results"] == []
    assert api(theirs).post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences(org_a, make_user):
    user = make_user(org_a, Role.CASEWORKER)
    before = api(user).get("/api/v1/notifications/preferences/").json()
    assert before["task_due"] == "inbox" and before["watch_match"] == "email"
    after = api(user).put("/api/v1/notifications/preferences/", {"task_due": "digest"}, format="json")
    assert after.status_code == 200 and after.json()["task_due"] == "digest"
    bad = api(user).put("/api/v1/notifications/preferences/", {"task_due": "pigeon"}, format="json")
    assert bad.status_code == 400 and "task_due" in bad.json()
    # Regression: as an action of the notifications viewset, OPTIONS asked for an object id (500).
    assert api(user).options("/api/v1/notifications/preferences/").status_code == 200


def test_watch_rules_crud(org_a, org_b, make_user):
    analyst = make_user(org_a, Role.ANALYST)
    created = api(analyst).post(
        "/api/v1/watch-rules/",
        {"organisation": org_a.pk, "name": "Box", "min_latitude": "-20", "max_latitude": "-10",
         "min_longitude": "40", "max_longitude": "50", "tlp": ["amber"]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    assert WatchRule.objects.get().owner == analyst
    changed = api(analyst).patch(f"/api/v1/watch-rules/{rule_id}/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["active"] is False
    half_box = api(analyst).patch(f"/api/v1/watch-rules/{rule_id}/", {"min_latitude": None}, format="json")
    assert half_box.status_code == 400 and "max_longitude" in half_box.json()
    moved = api(analyst).patch(f"/api/v1/watch-rules/{rule_id}/", {"organisation": org_b.pk}, format="json")
    assert moved.status_code == 400 and "organisation" in moved.json()
    elsewhere = api(analyst).post(
        "/api/v1/watch-rules/", {"organisation": org_b.pk, "name": "X"}, format="json"
    )
    assert elsewhere.status_code == 400 and "organisation" in elsewhere.json()
    other = make_user(org_a, Role.ANALYST)
    assert api(other).get(f"/api/v1/watch-rules/{rule_id}/").status_code == 404
    assert api(other).delete(f"/api/v1/watch-rules/{rule_id}/").status_code == 404
    assert api(analyst).delete(f"/api/v1/watch-rules/{rule_id}/").status_code == 204
    assert not WatchRule.objects.exists()


def test_caseworkers_have_no_watch_rules(org_a, make_user):
    caseworker = make_user(org_a, Role.CASEWORKER)
    assert api(caseworker).get("/api/v1/watch-rules/").json()["results"] == []
    refused = api(caseworker).post(
        "/api/v1/watch-rules/", {"organisation": org_a.pk, "name": "X"}, format="json"
    )
    assert refused.status_code == 400 and not WatchRule.objects.exists()


def test_the_schema_documents_the_routes(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    for path in (
        "/api/v1/notifications/",
        "/api/v1/notifications/{id}/read/",
        "/api/v1/notifications/read-all/",
        "/api/v1/notifications/preferences/",
        "/api/v1/watch-rules/",
        "/api/v1/watch-rules/{id}/",
    ):
        assert path in paths
