"""The audit log: append-only, hash-chained.

``audit_record`` must be called inside the transaction of the write it describes, so the write
and its audit entry commit or roll back together. Entries never hold personal data: identifiers,
actions and purposes only.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .audit_actions import AuditAction
from .context import request_id_var
from .models import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 0x4C494E44  # "LIND": one advisory lock serialises chain appends on PostgreSQL


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
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}: add it to AuditAction")
    if organisation_id is None and obj is not None:
        organisation_id = getattr(obj, "organisation_id", None)
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(
            at=timezone.now(),
            actor_id=actor.pk if actor_is_user else None,
            actor_username=actor.get_username() if actor_is_user else "",
            organisation_id=organisation_id,
            action=str(action),
            object_type=object_type or _object_type(obj),
            object_id=object_id or (str(obj.pk) if obj is not None and getattr(obj, "pk", None) else ""),
            purpose=purpose,
            request_id=request_id_var.get(),
            detail=detail or {},
            prev_hash=last or GENESIS,
        )
        # Round-trip through JSON so the hash covers exactly what the database will return.
        entry.detail = json.loads(json.dumps(entry.detail, default=str))
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
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
