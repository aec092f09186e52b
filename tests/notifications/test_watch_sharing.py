"""A watch rule matching an incident received from another node, by a pull (``lindung sharing
sync``) or pushed to our TAXII endpoint: the alert is stored when the received set commits."""

import time

import pytest

from lindung.core.markings import TLP
from lindung.core.roles import Role
from lindung.maritime.models import Incident
from lindung.notifications import services
from lindung.notifications.models import Event, Notification
from lindung.sharing import exchange, sync
from tests.sharing.factories import make_agreement, make_incident, make_peer, receive_objects
from tests.sharing.test_sync import FakeCollection

pytestmark = pytest.mark.django_db


@pytest.fixture
def nodes(org_a, org_b, make_user, monkeypatch):
    """Org A's node sends, org B's node receives (one database plays both, as in the sharing tests)."""
    sending = make_agreement(org_a, make_peer(org_a, name="node-b", partners=[org_b]), [org_b])
    receiving = make_agreement(org_b, make_peer(org_b, name="node-a", partners=[org_a]), [org_a])
    played = {}
    monkeypatch.setattr(sync, "_collection", lambda agreement: played["collection"])
    return {
        "sending": sending,
        "receiving": receiving,
        "played": played,
        "watcher": make_user(org_b, Role.ANALYST, username="watcher_b"),
        "other": make_user(org_b, Role.ANALYST, username="other_b"),
    }


def _rule(user, organisation, **fields):
    return services.watch_rule_save(acting_user=user, organisation=organisation, name="Received", **fields)


def test_a_pulled_incident_matching_a_rule_raises_an_alert(
    org_a, org_b, nodes, django_capture_on_commit_callbacks
):
    _rule(nodes["watcher"], org_b, area_name="Mozambique Channel (test)", min_dead_and_missing=3)
    _rule(nodes["other"], org_b, incident_type="shipwreck")  # the received one is an interception
    make_incident(org_a, tlp=TLP.GREEN)
    nodes["played"]["collection"] = FakeCollection(
        [exchange.outgoing_page(nodes["sending"], limit=50).objects]
    )
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        [report] = sync.sync(peer_name="node-a")
    assert report.ok and report.created == 1
    received = Incident.objects.exclude(origin_node="").get()
    alert = Notification.objects.get(event=Event.WATCH_MATCH)
    assert alert.recipient == nodes["watcher"] and alert.reference == f"I-{received.pk}"
    assert alert.link == received.get_absolute_url() and alert.watch_rule.owner == nodes["watcher"]
    assert time.monotonic() - started < 60
    # The same version pulled again raises nothing more.
    nodes["played"]["collection"] = FakeCollection(
        [exchange.outgoing_page(nodes["sending"], limit=50).objects]
    )
    with django_capture_on_commit_callbacks(execute=True):
        sync.sync(peer_name="node-a")
    assert Notification.objects.filter(event=Event.WATCH_MATCH).count() == 1


def test_a_pushed_incident_alerts_the_receiving_side_only(
    org_a, org_b, nodes, make_user, django_capture_on_commit_callbacks
):
    _rule(nodes["watcher"], org_b)
    sender_analyst = make_user(org_a, Role.ANALYST, username="sender_a")
    _rule(sender_analyst, org_a, area_name="Nowhere at all")
    make_incident(org_a, tlp=TLP.GREEN)
    objects = exchange.outgoing_page(nodes["sending"], limit=50).objects
    with django_capture_on_commit_callbacks(execute=True):
        result = receive_objects(nodes["receiving"], objects, pushed=True)
    assert result.created == 1
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["watcher_b"]


def test_a_refused_pull_raises_nothing(org_a, org_b, nodes, django_capture_on_commit_callbacks):
    _rule(nodes["watcher"], org_b)
    make_incident(org_a, tlp=TLP.GREEN)
    page = exchange.outgoing_page(nodes["sending"], limit=50).objects
    broken = [dict(o) for o in page]
    for obj in broken:
        if obj["type"] == "report":
            obj["object_marking_refs"] = ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]
    nodes["played"]["collection"] = FakeCollection([broken])
    with django_capture_on_commit_callbacks(execute=True):
        [report] = sync.sync(peer_name="node-a", full_validation=False)
    assert not report.ok
    assert not Incident.objects.exclude(origin_node="").exists() and not Notification.objects.exists()
