import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from lindung.core.audit import audit_record, verify_chain
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry


@pytest.fixture
def chain(db, org_a):
    for i in range(5):
        audit_record(action=AuditAction.RECORD_CREATED, organisation_id=org_a.pk, detail={"n": i})
    return list(AuditEntry.objects.order_by("id"))


def test_entries_are_chained(chain):
    for previous, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == previous.hash
    assert verify_chain().ok
    assert verify_chain().checked == 5


def test_unknown_action_is_refused(db):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(action="made.up")


def test_update_and_delete_are_refused_by_the_database(chain):
    from lindung.core import audit

    audit.allow_purge(False)
    entry = chain[2]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="tampered")
    try:
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
    finally:
        audit.allow_purge(True)


def _drop_guard():
    """What an attacker with database rights would do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")


def test_verify_command_names_the_first_edited_entry(chain, capsys):
    call_command("audit", "verify")
    assert "intact: 5 entries" in capsys.readouterr().out
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET purpose = 'tampered' WHERE id = %s", [chain[3].pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert f"BROKEN at entry {chain[3].pk}" in capsys.readouterr().err


def test_request_id_and_actor_are_recorded(client_for, org_a):
    from lindung.core.roles import Role

    client = client_for(org_a, Role.ADMINISTRATOR)
    response = client.post(
        "/organisations/new/",
        {"name": "New partner", "kind": "ngo", "country": "IDN"},
        HTTP_X_REQUEST_ID="req-123",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.ORGANISATION_CREATED)
    assert entry.request_id == "req-123"
    assert entry.actor_id == client.user.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    """Appends from several connections at once are serialised: no two entries share a previous
    hash, and the chain verifies (the PostgreSQL lock and head are one function, core/0005)."""
    import threading

    from django.db import connections

    errors = []

    def append_some(n):
        try:
            for i in range(8):
                audit_record(action=AuditAction.RECORD_CREATED, detail={"thread": n, "i": i})
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append_some, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = list(AuditEntry.objects.order_by("id"))
    assert len(entries) == 32
    assert len({e.prev_hash for e in entries}) == 32
    report = verify_chain()
    assert report.ok and report.checked == 32
