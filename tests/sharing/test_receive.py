"""Received objects, their exchange-log line and its audit entry are one transaction
(``receive.objects_receive``), whether pushed to our TAXII endpoint or pulled by ``sharing sync``;
a bug while storing surfaces as a bug; the interpreter's process-wide settings are applied by the
processes' entry points only."""

import gc
import sys
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from lindung.core import interpreter
from lindung.core.markings import TLP
from lindung.core.models import AuditEntry, ObjectShare
from lindung.maritime.models import FacilitatorReference, Incident, Vessel
from lindung.sharing import exchange, receive, services, stix, sync
from lindung.sharing.models import ExchangeLog, ImportedObject

from . import test_sync, test_taxii
from .factories import make_incident
from .test_sync import FakeCollection, _pages
from .test_taxii import _envelope, _post

pytestmark = pytest.mark.django_db
# The pull's world (test_sync) and the push's (test_taxii), as fixtures of this module too.
setup = test_sync.setup
served, receiving = test_taxii.served, test_taxii.receiving


class LoggingBroke(Exception):
    """Raised by a log writer made to fail after the objects were stored."""


def _nothing_received():
    """Not one row of a receipt is left: no incident, vessel, facilitator, provenance, share, log
    or audit entry of an exchange."""
    return {
        "incidents": Incident.objects.exclude(origin_node="").count(),
        "vessels": Vessel.objects.exclude(origin_node="").count(),
        "facilitators": FacilitatorReference.objects.exclude(origin_node="").count(),
        "provenance": ImportedObject.objects.count(),
        "shares": ObjectShare.objects.filter(purpose__startswith="agreement ").count(),
        "log": ExchangeLog.objects.count(),
        "audit": AuditEntry.objects.filter(action__startswith="sharing.exchange").count(),
    } == dict.fromkeys(("incidents", "vessels", "facilitators", "provenance", "shares", "log", "audit"), 0)


def _break(monkeypatch, writer):
    """Make the exchange log's writer (the log row, or its audit entry) fail. Both are looked up
    when called, so the failure happens after the objects were stored, wherever the log is written."""

    def broken(*args, **kwargs):
        raise LoggingBroke(writer)

    if writer == "log":
        monkeypatch.setattr(ExchangeLog.objects, "create", broken)
    else:
        monkeypatch.setattr(services, "audit_record", broken)


@pytest.mark.parametrize("writer", ["log", "audit"])
def test_a_push_whose_logging_fails_leaves_nothing_stored(
    client, org_a, served, receiving, monkeypatch, writer
):
    _, envelope = _envelope(org_a, served, tlp=TLP.GREEN)
    ExchangeLog.objects.all().delete()
    _break(monkeypatch, writer)
    with pytest.raises(LoggingBroke):
        _post(client, receiving["url"], envelope)
    assert _nothing_received()


@pytest.mark.parametrize("writer", ["log", "audit"])
def test_a_pull_whose_logging_fails_leaves_nothing_stored(setup, monkeypatch, writer):
    for _ in range(3):
        make_incident(setup["org_a"], tlp=TLP.GREEN)
    setup["played"]["collection"] = FakeCollection(_pages(setup["sending"], 8))
    _break(monkeypatch, writer)
    with pytest.raises(LoggingBroke):
        sync.sync(peer_name="node-a")
    assert _nothing_received()
    setup["receiving"].refresh_from_db()
    assert setup["receiving"].pull_cursor is None


def _spy_on_writes(monkeypatch) -> list[str]:
    """The order in which a receipt stores rows, writes its log, its audit entry, and commits."""
    events = []
    insert_rows, audit_record, commit = receive.insert_rows, services.audit_record, connection.commit

    def spied_insert(model, rows, **kwargs):
        if model is Incident and rows:
            events.append("incidents")
        return insert_rows(model, rows, **kwargs)

    def spied_audit(**kwargs):
        events.append(f"audit {kwargs['action']}")
        return audit_record(**kwargs)

    def spied_commit():
        events.append("commit")
        return commit()

    monkeypatch.setattr(receive, "insert_rows", spied_insert)
    monkeypatch.setattr(services, "audit_record", spied_audit)
    monkeypatch.setattr(connection, "commit", spied_commit)
    return events


@pytest.mark.django_db(transaction=True)
def test_a_push_stores_logs_and_audits_in_one_commit(client, org_a, served, receiving, monkeypatch):
    incident, envelope = _envelope(org_a, served, tlp=TLP.GREEN)
    events = _spy_on_writes(monkeypatch)
    response = _post(client, receiving["url"], envelope)
    assert response.status_code == 202, response.json()
    assert events == ["incidents", "audit sharing.exchange_received", "commit"]
    copy_ = Incident.objects.get(origin_node="node-a", origin_id=incident.stix_id)
    log = ExchangeLog.objects.get(direction="received", outcome="ok")
    assert log.object_count == len(envelope["objects"]) and log.detail["created"] == 1
    assert log.detail["status"] == response.json() and str(log.status_id) == response.json()["id"]
    entry = AuditEntry.objects.get(action="sharing.exchange_received")
    assert entry.object_id == str(log.pk) and entry.actor_username == "system"
    assert ImportedObject.objects.get().object_id == str(copy_.pk)


@pytest.mark.django_db(transaction=True)
def test_a_pull_stores_logs_and_audits_in_one_commit(setup, monkeypatch):
    for _ in range(3):
        make_incident(setup["org_a"], tlp=TLP.GREEN)
    pages = _pages(setup["sending"], 8)
    assert len(pages) > 1
    setup["played"]["collection"] = FakeCollection(pages)
    events = _spy_on_writes(monkeypatch)
    [report] = sync.sync(peer_name="node-a")
    assert report.ok and report.created == 3
    # Every page's incidents, then the one log line's audit entry, then one commit for them all.
    assert events[-2:] == ["audit sharing.exchange_received", "commit"]
    assert set(events[:-2]) == {"incidents"} and len(events) - 2 == len(pages)
    log = ExchangeLog.objects.get(direction="pulled")
    assert log.outcome == "ok" and log.detail == {"created": 3, "updated": 0, "unchanged": 0}
    assert AuditEntry.objects.get(action="sharing.exchange_received").object_id == str(log.pk)
    setup["receiving"].refresh_from_db()
    assert setup["receiving"].pull_cursor is not None


@pytest.mark.parametrize("error", [TypeError, KeyError, AttributeError, ValueError])
def test_a_bug_while_storing_a_pull_surfaces_instead_of_passing_for_a_bad_answer(setup, monkeypatch, error):
    make_incident(setup["org_a"], tlp=TLP.GREEN)
    setup["played"]["collection"] = FakeCollection(_pages(setup["sending"], 100))

    def broken(value):
        raise error("a bug in Lindung, not in the objects")

    monkeypatch.setattr(Incident, "rule_errors", staticmethod(broken))
    with pytest.raises(error, match="a bug in Lindung"):
        sync.sync(peer_name="node-a")
    # Not logged as a refusal of the peer's answer, and nothing kept.
    assert _nothing_received()


class Answers:
    """A peer answering the same envelope to every request."""

    def __init__(self, envelope):
        self.envelope = envelope

    def get_objects(self, **params):
        return self.envelope


@pytest.mark.parametrize(
    "envelope",
    [["not", "an", "envelope"], "text", None, {"more": True, "next": 7, "objects": []}],
    ids=["list", "text", "null", "next not text"],
)
def test_a_pull_refuses_an_answer_that_is_not_an_envelope(setup, envelope):
    setup["played"]["collection"] = Answers(envelope)
    [report] = sync.sync(peer_name="node-a")
    assert not report.ok and report.message == "The peer's answer is not a TAXII envelope."
    log = ExchangeLog.objects.get(direction="pulled")
    assert log.outcome == "refused" and log.message == report.message


class Pages:
    """A peer answering pages in turn (the last one again when it has no more)."""

    def __init__(self, *envelopes):
        self.envelopes = list(envelopes)

    def get_objects(self, **params):
        return self.envelopes.pop(0) if len(self.envelopes) > 1 else self.envelopes[0]


@pytest.mark.parametrize(
    "pages",
    [
        [{"more": True, "next": "p2", "objects": []}, {"more": True, "next": "p2", "objects": []}],
        [{"more": True, "next": "", "objects": []}],
        [{"more": True, "next": "p2", "objects": []}, {"more": True, "next": "p3", "objects": []}],
    ],
    ids=["same position again", "no position", "more pages than allowed"],
)
def test_a_pull_whose_pages_never_end_is_refused(setup, settings, pages):
    """A peer saying "more" for ever used to keep the pull, and its transaction, going for ever."""
    settings.LINDUNG_SYNC_MAX_PAGES = 1
    setup["played"]["collection"] = Pages(*pages)
    [report] = sync.sync(peer_name="node-a")
    assert not report.ok and report.message == "The peer's pages do not come to an end: nothing pulled."
    assert ExchangeLog.objects.get(direction="pulled").outcome == "refused"
    assert Incident.objects.exclude(origin_node="").count() == ImportedObject.objects.count() == 0


def test_receiving_needs_an_acting_user(setup):
    with pytest.raises(TypeError, match="acting_user is None"):
        receive.objects_receive(
            acting_user=None, peer=setup["receiving"].peer, agreement=setup["receiving"], pages=[[]],
            how=receive.Pull(),
        )  # fmt: skip


def test_building_a_page_leaves_the_cycle_collector_alone(setup, monkeypatch):
    """A page is built inside a threaded web server: nothing there may switch process-wide settings."""
    make_incident(setup["org_a"], tlp=TLP.GREEN)
    seen = []
    incident_objects = stix.incident_objects

    def spied(*args, **kwargs):
        seen.append((gc.isenabled(), sys.getswitchinterval()))
        return incident_objects(*args, **kwargs)

    monkeypatch.setattr(stix, "incident_objects", spied)
    assert gc.isenabled()
    interval = sys.getswitchinterval()
    exchange.outgoing_page(setup["sending"])
    assert seen == [(True, interval)]


def test_the_sync_command_sets_the_interpreter_for_its_pull_and_restores_it(setup, monkeypatch):
    seen = []
    monkeypatch.setattr(
        sync, "sync", lambda **kwargs: seen.append((gc.isenabled(), sys.getswitchinterval())) or []
    )
    interval = sys.getswitchinterval()
    call_command("sharing", "sync")
    assert seen == [(False, interpreter.SWITCH_INTERVAL)]
    assert gc.isenabled() and sys.getswitchinterval() == interval


def test_bulk_process_is_refused_outside_the_main_thread():
    refused = []

    def run():
        try:
            with interpreter.bulk_process():
                pass
        except RuntimeError as exc:
            refused.append(str(exc))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert refused and "entry point" in refused[0] and gc.isenabled()


def test_the_worker_sets_the_interpreter_around_each_task_and_restores_it(monkeypatch):
    """The worker's own loop (a process's entry point) sets the interpreter for the tasks it runs,
    pulls from peers among them; the task functions themselves set nothing."""
    from types import SimpleNamespace

    from django_tasks_db.management.commands.db_worker import Worker

    from lindung.core import jobs
    from lindung.core.management.commands.worker import BeatingWorker

    seen = []
    monkeypatch.setattr(
        Worker, "run_task", lambda self, result: seen.append((gc.isenabled(), sys.getswitchinterval()))
    )
    monkeypatch.setattr(jobs, "beat", lambda *args, **kwargs: None)
    worker = BeatingWorker.__new__(BeatingWorker)
    worker.worker_id = "test-worker"
    interval = sys.getswitchinterval()
    worker.run_task(SimpleNamespace(pk=1))
    assert seen == [(False, interpreter.SWITCH_INTERVAL)]
    assert gc.isenabled() and sys.getswitchinterval() == interval and worker.current_task == ""
