"""What someone who can write the database tries on the audit log (issue 13, finding 3), on SQLite
and on PostgreSQL alike: cut its newest entries, or edit one and recompute the chain after it.
The keyed chain and the anchors outside the database must catch both."""

import hashlib
import json
import os
import sqlite3
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from lindung.core import audit
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry


@pytest.fixture
def anchors(settings):
    return settings.LINDUNG_AUDIT_ANCHOR_FILE  # in the test's tmp_path (conftest)


def _append(n, start=0):
    for i in range(start, start + n):
        audit.audit_record(action=AuditAction.RECORD_CREATED, detail={"n": i})
    return list(AuditEntry.objects.order_by("id"))


def _drop_guard():
    """What an attacker with the rights of the table's owner does first (undone with the test's
    transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")


def _delete_newest(count):
    ids = list(AuditEntry.objects.order_by("-id").values_list("id", flat=True)[:count])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM core_auditentry WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)  # noqa: S608


def _rechain(entries, hasher):
    """Recompute every hash from ``entries[0]`` on, as the attacker can: ``hasher(entry)``."""
    previous = entries[0].prev_hash
    with connection.cursor() as cursor:
        for entry in entries:
            entry.prev_hash = previous
            entry.hash = hasher(entry)
            cursor.execute(
                "UPDATE core_auditentry SET purpose = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [entry.purpose, entry.prev_hash, entry.hash, entry.pk],
            )
            previous = entry.hash


def _sha256(entry):
    """The unkeyed rule: everything an attacker without the key can compute."""
    return hashlib.sha256(entry.prev_hash.encode() + audit._canonical(entry)).hexdigest()


# truncation ------------------------------------------------------------------------------------


def test_cutting_the_newest_entries_is_detected_against_the_last_anchor(db, anchors):
    _append(6)
    audit.anchor_write()
    _append(2, start=6)
    assert audit.verify_chain().ok

    _drop_guard()
    _delete_newest(4)  # two entries after the anchor and two before it
    report = audit.verify_chain()
    assert not report.ok
    assert report.code == "truncated"


def test_cutting_everything_is_detected(db, anchors):
    _append(3)
    audit.anchor_write()
    _drop_guard()
    _delete_newest(3)
    assert audit.verify_chain().code == "truncated"


def test_the_verify_command_fails_on_a_cut_log(db, anchors, capsys):
    _append(4)
    call_command("audit", "anchor")
    call_command("audit", "verify")
    assert "intact: 4 entries verified, 1 anchor(s)" in capsys.readouterr().out
    _drop_guard()
    _delete_newest(1)
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert "[truncated]" in capsys.readouterr().err


def test_no_new_anchor_is_written_over_a_cut_log(db, anchors):
    _append(4)
    audit.anchor_write()
    _drop_guard()
    _delete_newest(2)
    _append(3, start=10)  # the log grows again past the anchored id
    with pytest.raises(audit.AnchorError):
        audit.anchor_write()
    assert len(audit.read_anchors()) == 1
    assert audit.verify_chain().code == "anchor_mismatch"


def test_a_session_cannot_switch_the_guard_off_to_cut_the_tail(db):
    """The finding itself: a session set the purge switch and deleted the newest entries."""
    entries = _append(3)
    if connection.vendor == "postgresql":
        # The application's role, which is not a superuser, in a session of its own making.
        role = f"lindung_audit_test_{os.getpid()}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {role} NOLOGIN")
            cursor.execute(f"GRANT SELECT, DELETE ON core_auditentry TO {role}")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {role}")
            cursor.execute("SELECT set_config('lindung.audit_purge', 'on', true)")
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    else:
        # Another program on the file has no way to say "allowed" but to define Lindung's function:
        # without it the trigger refuses (with it, or by dropping the trigger, the anchors catch it).
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=1)
        try:
            with pytest.raises(sqlite3.OperationalError, match="lindung_audit_purge_allowed"):
                other.execute("DELETE FROM core_auditentry WHERE id = ?", [entries[-1].pk])
        finally:
            other.close()
    assert AuditEntry.objects.count() == 3


@pytest.fixture
def guarded():
    """The guard as in production: the tests' switch for emptying the database off."""
    audit.allow_purge(False)
    yield
    audit.allow_purge(True)


def test_lindung_itself_cannot_delete_the_newest_entries(db, guarded):
    entries = _append(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[-1].pk).delete()
    assert AuditEntry.objects.count() == 3


# rewriting -------------------------------------------------------------------------------------


def test_an_edited_entry_with_a_recomputed_chain_does_not_verify(db):
    """Without the key an attacker can only recompute plain hashes after the edited entry."""
    entries = _append(5)
    _drop_guard()
    entries[2].purpose = "tampered"
    _rechain(entries[2:], _sha256)
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_id == entries[2].pk
    assert report.code == "unkeyed"


def test_a_chain_recomputed_with_another_key_does_not_verify(db):
    entries = _append(5)
    _drop_guard()
    entries[1].purpose = "tampered"
    _rechain(entries[1:], lambda entry: audit.entry_hash(entry, b"k" * 32))
    report = audit.verify_chain()
    assert (report.code, report.broken_id) == ("tampered", entries[1].pk)


def test_a_whole_chain_recomputed_unkeyed_differs_from_its_anchor(db, anchors):
    """Recomputed from its very first entry the chain looks like one written before keying; the
    anchor says otherwise."""
    entries = _append(4)
    audit.anchor_write()
    _drop_guard()
    entries[0].purpose = "tampered"
    _rechain(entries, _sha256)
    report = audit.verify_chain()
    assert report.code == "anchor_mismatch"
    assert report.broken_id == entries[-1].pk


def test_an_altered_anchor_file_is_refused(db, anchors):
    _append(3)
    audit.anchor_write()
    record = json.loads(anchors.read_text())
    record["id"] -= 1
    anchors.write_text(json.dumps(record) + "\n")
    report = audit.verify_chain()
    assert report.code == "anchor_forged"


def test_anchors_are_signed_heads_appended_to_an_owner_only_file(db, anchors):
    entries = _append(2)
    first = audit.anchor_write()
    _append(1, start=2)
    second = audit.anchor_write()
    assert (first["id"], first["hash"]) == (entries[-1].pk, entries[-1].hash)
    assert second["id"] > first["id"]
    assert [a["id"] for a in audit.read_anchors()] == [first["id"], second["id"]]
    assert anchors.stat().st_mode & 0o077 == 0


# entries written before the chain was keyed -----------------------------------------------------


def test_entries_from_before_the_key_still_verify_and_keyed_ones_follow(db):
    old = _append(3)
    _drop_guard()
    _rechain(old, _sha256)  # what the unkeyed code wrote
    new = _append(2, start=3)
    assert new[3].prev_hash == old[-1].hash
    report = audit.verify_chain()
    assert report.ok and report.checked == 5


def test_unkeyed_entries_after_the_last_anchor_are_refused(db, anchors):
    old = _append(2)
    _drop_guard()
    _rechain(old, _sha256)
    audit.anchor_write()  # the head is still an unkeyed entry
    later = _append(2, start=2)
    later[2].purpose = "tampered"
    _rechain(later[2:], _sha256)
    assert audit.verify_chain().code == "unkeyed"


# retention -------------------------------------------------------------------------------------


def test_a_retention_purge_leaves_a_chain_that_verifies(db, anchors, guarded):
    entries = _append(5)
    audit.anchor_write()
    deleted = audit.audit_purge(before=timezone.now() + timedelta(seconds=1))
    assert deleted == 4  # the newest entry always stays
    marker = AuditEntry.objects.get(action=AuditAction.AUDIT_PURGED)
    assert marker.detail["before_id"] == entries[-1].pk
    assert list(AuditEntry.objects.order_by("id").values_list("id", flat=True)) == [entries[-1].pk, marker.pk]
    report = audit.verify_chain()
    assert report.ok, report.reason
    assert report.checked == 2
    audit.anchor_write()  # the anchored entry went with the purge: a new anchor is fine


def test_the_start_removed_without_a_purge_is_detected(db):
    entries = _append(4)
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id < %s", [entries[2].pk])
    report = audit.verify_chain()
    assert (report.code, report.broken_id) == ("start_missing", entries[2].pk)


def test_the_database_lets_through_only_deletions_below_a_purge_marker(db, guarded):
    entries = _append(4)
    audit.audit_purge(before=entries[2].at)
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in entries[:2]]).count() == 0
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[2].pk).delete()
    assert audit.verify_chain().ok


def test_the_purge_command(db, capsys):
    _append(3)
    call_command("audit", "purge", "--before", (timezone.now() + timedelta(days=1)).date().isoformat())
    assert "Removed 2 audit entries" in capsys.readouterr().out
    assert audit.verify_chain().ok


def test_setting_an_audit_key_later_keeps_the_chain_verifiable(db, settings):
    """Keyed first by the key derived from the master key, then by LINDUNG_AUDIT_KEY."""
    _append(2)
    settings.LINDUNG_AUDIT_KEY = "YXVkaXQta2V5LWF1ZGl0LWtleS1hdWRpdC1rZXktMzI="
    entries = _append(2, start=2)
    assert entries[-1].hash == audit.entry_hash(entries[-1], b"audit-key-audit-key-audit-key-32")
    report = audit.verify_chain()
    assert report.ok and report.checked == 4
