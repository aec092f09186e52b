"""The audit log: append-only, hash-chained.

``audit_record`` must be called inside the transaction of the write it describes, so the write
and its audit entry commit or roll back together. Entries never hold personal data: identifiers,
actions and purposes only.
"""

import functools
import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .audit_actions import AuditAction
from .context import request_id_var
from .models import AuditEntry

GENESIS = "0" * 64
# Checked as a set: ``AuditAction.values`` builds a new list on every call, and every personal read
# appends an entry.
_ACTIONS = frozenset(AuditAction.values)
# The chain's head, read with appends serialised. PostgreSQL: one call to a function (migration
# core/0005) that takes an advisory lock for the transaction, then reads the last hash with a fresh
# snapshot: one round trip where a lock and a read were two. SQLite serialises writers itself.
_TABLE = AuditEntry._meta.db_table
_HEAD_SQL = {
    "postgresql": "SELECT lindung_audit_chain_head()",
    "sqlite": f"SELECT hash FROM {_TABLE} ORDER BY id DESC LIMIT 1",  # noqa: S608 - the model's table
}
_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "purpose": entry.purpose,
        "request_id": entry.request_id,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(entry.prev_hash.encode() + _canonical(entry)).hexdigest()


def _object_type(obj) -> str:
    return obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else ""


@functools.cache
def _insert_sql(vendor: str) -> str:
    """The entry's INSERT, written once per database kind (names from the model)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _FIELDS)
    marks = ", ".join(["%s"] * len(_FIELDS))
    return f"INSERT INTO {quote(_TABLE)} ({columns}) VALUES ({marks}) RETURNING id"  # noqa: S608


def _append(cursor, entry: AuditEntry) -> None:
    """INSERT the entry with one statement. An entry is written on every read of personal data,
    and a model ``save()`` (signals, field loops, a compiler per call) cost as much as the database
    round trip; the values still go through each field's own preparation."""
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _FIELDS]
    cursor.execute(_insert_sql(connection.vendor), values)
    entry.pk = cursor.fetchone()[0]
    entry._state.adding = False


def audit_record(
    *,
    action: AuditAction,
    actor=None,
    obj=None,
    organisation_id=None,
    purpose: str = "",
    detail: dict | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEntry:
    if action not in _ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to AuditAction")
    if organisation_id is None and obj is not None:
        organisation_id = getattr(obj, "organisation_id", None)
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        actor_id=actor.pk if actor_is_user else None,
        actor_username=actor.get_username() if actor_is_user else "",
        organisation_id=organisation_id,
        action=str(action),
        object_type=object_type or _object_type(obj),
        object_id=object_id or (str(obj.pk) if obj is not None and getattr(obj, "pk", None) else ""),
        purpose=purpose,
        request_id=request_id_var.get(),
        # Round-trip through JSON so the hash covers exactly what the database will return.
        detail=json.loads(json.dumps(detail or {}, default=str)),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_HEAD_SQL[connection.vendor])
        row = cursor.fetchone()
        entry.prev_hash = (row[0] if row else None) or GENESIS
        # Timed once the chain is ours, so that entries' times follow their order.
        entry.at = timezone.now()
        entry.hash = entry_hash(entry)
        _append(cursor, entry)
    return entry


_purge_allowed = False


def purge_allowed() -> bool:
    return _purge_allowed


def allow_purge(value: bool) -> None:
    """Let a test database be emptied between tests (never set in production code paths).

    Applies to connections opened from now on and to the open default connection."""
    global _purge_allowed
    _purge_allowed = value
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lindung.audit_purge', %s, false)", ["on" if value else "off"])


def on_connection_created(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "lindung_audit_purge_allowed", 0, lambda: int(_purge_allowed), deterministic=False
        )
    elif connection.vendor == "postgresql" and _purge_allowed:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lindung.audit_purge', 'on', false)")


@dataclass
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain() -> ChainReport:
    previous = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != previous:
            return ChainReport(checked, entry.id, "its previous-hash does not match the entry before it")
        if entry_hash(entry) != entry.hash:
            return ChainReport(checked, entry.id, "its content does not match its hash")
        previous = entry.hash
        checked += 1
    return ChainReport(checked)
