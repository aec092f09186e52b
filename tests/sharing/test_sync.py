"""Pulling (``lindung sharing sync``) with the peer's answers played back: paging, cursor,
superseding versions, and refusals that keep nothing of the pull."""

import copy

import pytest
import requests
from django.core.management import call_command

from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP
from lindung.maritime.models import Incident
from lindung.sharing import exchange, services, stix, sync
from lindung.sharing.models import ExchangeLog, ImportedObject

from .factories import make_agreement, make_incident, make_peer

pytestmark = pytest.mark.django_db


class FakeCollection:
    """Plays a peer's TAXII collection from pages of objects."""

    def __init__(self, pages, error=None):
        self.pages, self.error, self.calls = pages, error, []

    def get_objects(self, **params):
        self.calls.append(params)
        if self.error:
            raise self.error
        index = int(params.get("next") or 0)
        more = index + 1 < len(self.pages)
        envelope = {"more": more, "objects": self.pages[index]}
        if more:
            envelope["next"] = str(index + 1)
        return envelope


@pytest.fixture
def setup(org_a, org_b, monkeypatch):
    sender_peer = make_peer(org_a, name="node-b", partners=[org_b])
    sending = make_agreement(org_a, sender_peer, [org_b])
    receiver_peer = make_peer(org_b, name="node-a", partners=[org_a])
    receiving = make_agreement(org_b, receiver_peer, [org_a], reference="wio-test-01")
    played = {}
    monkeypatch.setattr(sync, "_collection", lambda agreement: played["collection"])
    return {"sending": sending, "receiving": receiving, "played": played, "org_a": org_a}


def _pages(agreement, size):
    """The sender's collection cut into pages of ``size`` objects, as its server would."""
    pages, cursor = [], ""
    while True:
        page = exchange.outgoing_page(agreement, cursor=cursor, limit=size)
        pages.append(page.objects)
        if not page.more:
            return pages
        cursor = page.next_cursor


def _received():
    return Incident.objects.exclude(origin_node="")


def test_pull_pages_and_cursor(setup):
    for _ in range(4):
        make_incident(setup["org_a"], tlp=TLP.GREEN)
    pages = _pages(setup["sending"], 8)
    assert len(pages) > 1
    setup["played"]["collection"] = collection = FakeCollection(pages)
    [report] = sync.sync(peer_name="node-a", full_validation=True)
    assert report.ok and report.created == 4
    assert _received().count() == 4 and ImportedObject.objects.count() == 4
    setup["receiving"].refresh_from_db()
    assert setup["receiving"].pull_cursor is not None
    assert collection.calls[0]["added_after"] is None
    log = ExchangeLog.objects.filter(direction="pulled").get()
    assert log.outcome == "ok" and log.detail["created"] == 4
    # The next pull starts after what was received; the same objects again change nothing.
    setup["played"]["collection"] = again = FakeCollection(pages)
    [report] = sync.sync(peer_name="node-a")
    assert report.ok and report.unchanged == 4 and report.created == 0
    assert again.calls[0]["added_after"] == setup["receiving"].pull_cursor


def test_a_bad_second_page_keeps_nothing(setup):
    for _ in range(3):
        make_incident(setup["org_a"], tlp=TLP.GREEN)
    pages = copy.deepcopy(_pages(setup["sending"], 8))
    last = [o for o in pages[-1] if o["type"] == "report"][-1]
    last["object_marking_refs"] = [
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
    ]  # TLP 1.0 green
    setup["played"]["collection"] = FakeCollection(pages)
    [report] = sync.sync(peer_name="node-a", full_validation=False)
    assert not report.ok and "unknown marking" in report.message
    assert not _received().exists()
    setup["receiving"].refresh_from_db()
    assert setup["receiving"].pull_cursor is None
    assert ExchangeLog.objects.get(direction="pulled").outcome == "refused"


def test_pull_refuses_objects_for_another_organisation(setup, org_a, org_b):
    make_incident(org_a, tlp=TLP.GREEN)
    pages = copy.deepcopy(_pages(setup["sending"], 100))
    report_obj = next(o for o in pages[0] if o["type"] == "report")
    report_obj["extensions"][stix.INCIDENT_EXTENSION_ID]["recipient_refs"] = [
        stix.organisation_identity_id("X")
    ]
    setup["played"]["collection"] = FakeCollection(pages)
    [report] = sync.sync(peer_name="node-a")
    assert not report.ok and "not addressed" in report.message
    assert not _received().exists()


def test_unreachable_or_refusing_peer(setup):
    setup["played"]["collection"] = FakeCollection([], error=requests.ConnectionError("down"))
    [report] = sync.sync(peer_name="node-a")
    assert not report.ok and report.message == "The peer could not be reached."
    response = requests.Response()
    response.status_code, response._content = (
        403,
        b'{"description": "The agreement wio-test-01 has been revoked."}',
    )
    setup["played"]["collection"] = FakeCollection([], error=requests.HTTPError(response=response))
    [report] = sync.sync(peer_name="node-a")
    assert report.message == "The peer answered 403: The agreement wio-test-01 has been revoked."
    assert ExchangeLog.objects.filter(direction="pulled", outcome="refused").count() == 2


def test_revoked_local_agreement_pulls_nothing(setup):
    services.agreement_revoke(acting_user=SYSTEM, agreement=setup["receiving"])
    setup["played"]["collection"] = FakeCollection([[]])
    assert sync.sync(peer_name="node-a") == []  # not in force: not even tried
    report = sync.pull_agreement(setup["receiving"])
    assert not report.ok and "not in force" in report.message


def test_sync_command_exit_status(setup, capsys):
    setup["played"]["collection"] = FakeCollection([], error=requests.ConnectionError("down"))
    with pytest.raises(SystemExit) as exited:
        call_command("sharing", "sync", "--peer", "node-a")
    assert exited.value.code == 1
    assert "REFUSED" in capsys.readouterr().out


def test_retention_purge(setup):
    from datetime import timedelta

    from django.utils import timezone

    make_incident(setup["org_a"], tlp=TLP.GREEN)
    setup["played"]["collection"] = FakeCollection(_pages(setup["sending"], 100))
    sync.sync(peer_name="node-a")
    assert _received().count() == 1
    assert services.purge_expired_imports() == 0
    assert services.purge_expired_imports(now=timezone.now() + timedelta(days=31)) == 1
    assert not _received().exists() and not ImportedObject.objects.exists()


@pytest.mark.parametrize("page", [[1], [{"type": ["x"], "id": 2, "spec_version": "2.1"}], "not a list"])
def test_garbage_from_the_peer_is_refused_not_a_crash(setup, page):
    setup["played"]["collection"] = FakeCollection([page])
    [report] = sync.sync(peer_name="node-a", full_validation=True)
    assert not report.ok and report.message
    assert not _received().exists()


def test_a_newer_version_replaces_persons_and_facilitators(setup):
    """Updates are stored together at the end of a page: the new version's persons on board and
    facilitators replace the old ones (no duplicate group, no stale row)."""
    from datetime import timedelta

    from lindung.maritime.models import FacilitatorReference, PersonsOnBoard

    incident = make_incident(setup["org_a"], tlp=TLP.GREEN)
    setup["played"]["collection"] = FakeCollection(_pages(setup["sending"], 100))
    assert sync.sync(peer_name="node-a")[0].created == 1
    copy_ = _received().get()
    assert sorted(copy_.persons.values_list("sex", "count")) == [("F", 12), ("M", 28)]
    assert copy_.facilitators.count() == 1

    incident.persons.filter(sex="M").update(count=20)
    PersonsOnBoard.objects.create(incident=incident, sex="F", age_group="unknown", nationality="", count=8)
    other = FacilitatorReference.objects.create(organisation=setup["org_a"], reference="NET-TEST-8")
    incident.facilitators.set([other])
    incident.version, incident.modified_at = 2, incident.modified_at + timedelta(minutes=5)
    incident.save()
    setup["played"]["collection"] = FakeCollection(_pages(setup["sending"], 100))
    [report] = sync.sync(peer_name="node-a")
    assert report.ok and report.updated == 1, report.message
    copy_ = _received().get()
    assert copy_.version == 2
    assert sorted(copy_.persons.values_list("sex", "age_group", "count")) == [
        ("F", "18-20", 12),
        ("F", "unknown", 8),
        ("M", "unknown", 20),
    ]
    [facilitator] = copy_.facilitators.all()
    assert facilitator.origin_id
    assert FacilitatorReference.objects.filter(origin_node="node-a").count() == 2
