"""The audit log: append-only, hash-chained with a key, anchored outside the database.

``audit_record`` must be called inside the transaction of the write it describes, so the write
and its audit entry commit or roll back together. Entries never hold personal data: identifiers,
actions and purposes only.

Each entry's hash is an HMAC, keyed by a key that is not in the database (``LINDUNG_AUDIT_KEY``,
or derived from the master key), of the previous entry's hash and the entry's canonical JSON:
whoever can write the database cannot recompute a chain that verifies. Entries written before
the chain was keyed carry a plain SHA-256 and still verify, but only as the start of the log:
after the first keyed entry, or after the last anchor, an unkeyed entry is a forgery.

Cutting the newest entries leaves a chain that still verifies; ``anchor_write`` appends the
chain's signed head to a file outside the database, and ``verify_chain`` compares the log with
every anchor. Old entries leave only through ``audit_purge``, which appends a keyed marker naming
the new start before it deletes them.
"""

import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import crypto
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


def audit_keys() -> tuple[bytes, ...]:
    """The chain's keys, the one that keys new entries first: those of ``LINDUNG_AUDIT_KEY``, then
    those derived from the master keys (which keyed the chain until LINDUNG_AUDIT_KEY was set)."""
    return _audit_keys(settings.LINDUNG_AUDIT_KEY, settings.LINDUNG_MASTER_KEY)


@functools.lru_cache(maxsize=8)
def _audit_keys(audit_setting: str, _master_setting: str) -> tuple[bytes, ...]:
    # Cached per configuration: an entry is appended on every read of personal data.
    explicit = crypto.decode_keys(audit_setting, "LINDUNG_AUDIT_KEY") if audit_setting else []
    return tuple(explicit + [_derive(master) for master in crypto.master_keys()])


def _derive(master: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"lindung audit chain").derive(master)


def audit_key_id(key: bytes) -> str:
    return hashlib.sha256(b"lindung-audit-key-id" + key).hexdigest()[:12]


def entry_hash(entry: AuditEntry, key: bytes | None = None) -> str:
    """The entry's keyed hash (by the chain's current key unless ``key`` is given)."""
    mac = _keyed(key or audit_keys()[0]).copy()
    mac.update(entry.prev_hash.encode() + _canonical(entry))
    return mac.hexdigest()


@functools.lru_cache(maxsize=8)
def _keyed(key: bytes):
    # Keyed once per key and copied per entry: setting up an HMAC costs more than hashing an entry.
    return hmac.new(key, digestmod=hashlib.sha256)


def unkeyed_hash(entry: AuditEntry) -> str:
    """The rule of entries written before the chain was keyed."""
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


# retention ------------------------------------------------------------------------------------


def audit_purge(*, before) -> int:
    """Remove the entries older than ``before`` (a datetime): the one way out of the log.

    A keyed marker entry is appended first, naming the first entry kept and its previous hash, so
    that ``verify_chain`` knows where the log now starts; the database lets through only deletions
    below the cut of such a marker (migration core/0010). The newest entry always stays."""
    with transaction.atomic():
        ids = AuditEntry.objects.order_by("id").values_list("id", flat=True)
        head = ids.last()
        if head is None:
            return 0
        cut = ids.filter(at__gte=before).first() or head
        deleted = AuditEntry.objects.filter(id__lt=cut).count()
        if not deleted:
            return 0
        audit_record(
            action=AuditAction.AUDIT_PURGED,
            detail={
                "before_id": cut,
                "prev_hash": AuditEntry.objects.values_list("prev_hash", flat=True).get(pk=cut),
                "deleted": deleted,
                "before": before.isoformat(),
            },
        )
        AuditEntry.objects.filter(id__lt=cut).delete()
    return deleted


_purge_allowed = False


def purge_allowed() -> bool:
    return _purge_allowed


def allow_purge(value: bool) -> None:
    """Let a test database be emptied between tests (never set in production code paths).

    On PostgreSQL the trigger honours the session setting this sets only for a superuser, who could
    drop the trigger anyway: the application's own role cannot cut the log with it. On SQLite it is
    a function of this process; whoever can write the database file can drop the trigger, which is
    why the chain is keyed and anchored.

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


# anchors ---------------------------------------------------------------------------------------


class AnchorError(Exception):
    """The anchor file was altered, or the log no longer matches it."""


def _anchor_mac(key: bytes, record: dict) -> str:
    fields = {name: record[name] for name in ("id", "hash", "at", "key")}
    message = b"lindung audit anchor\x00" + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _anchor_path(path) -> Path:
    return Path(path or settings.LINDUNG_AUDIT_ANCHOR_FILE)


def read_anchors(path=None) -> list[dict]:
    """Every anchor of the file, oldest first, each checked against its signature."""
    path = _anchor_path(path)
    if not path.exists():
        return []
    keys = {audit_key_id(key): key for key in audit_keys()}
    anchors = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            record = json.loads(line)
            key = keys.get(record["key"])
            signed = key is not None and hmac.compare_digest(_anchor_mac(key, record), record["mac"])
        except (ValueError, KeyError, TypeError):
            signed = False
        if not signed:
            raise AnchorError(f"line {number} of {path} is not an anchor signed with the audit key")
        anchors.append(record)
    return anchors


def _newest(anchors: list[dict]) -> dict:
    # Two anchor writers at once may append their lines out of order.
    return max(anchors, key=lambda anchor: anchor["id"])


def _head() -> dict:
    return AuditEntry.objects.order_by("-id").values("id", "hash").first() or {"id": 0, "hash": GENESIS}


def anchor_write(path=None) -> dict:
    """Append the chain's signed head (entry id, hash, time) to the anchor file.

    Refused when the log no longer holds the last anchor's entry as it was (unless a purge removed
    it with the log's start): a new anchor over a cut log would hide the cut from anyone who reads
    only the newest anchor."""
    path = _anchor_path(path)
    anchors = read_anchors(path)
    head = _head()
    if anchors:
        last = _newest(anchors)
        kept = AuditEntry.objects.filter(pk=last["id"]).values_list("hash", flat=True).first()
        below_start = kept is None and not AuditEntry.objects.filter(id__lte=last["id"]).exists()
        if kept != last["hash"] and not (below_start and head["id"] > last["id"]):
            raise AnchorError(
                f"the log no longer holds entry {last['id']} as anchored at {last['at']}: "
                "run `lindung audit verify`"
            )
    key = audit_keys()[0]
    record = {"id": head["id"], "hash": head["hash"], "at": timezone.now().isoformat()}
    record["key"] = audit_key_id(key)
    record["mac"] = _anchor_mac(key, record)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # One write of one line in append mode: concurrent writers never interleave inside a line.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(record, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return record


# verification -----------------------------------------------------------------------------------


@dataclass
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str = ""
    code: str = ""  # why it is broken: link, tampered, unkeyed, start_missing, anchor_*, truncated
    anchors: int = 0
    warning: str = ""

    @property
    def ok(self) -> bool:
        return not self.code


class _Broken(Exception):
    def __init__(self, entry_id, reason, code):
        super().__init__(reason)
        self.entry_id, self.reason, self.code = entry_id, reason, code


def _start(first) -> tuple[str, int | None]:
    """The hash the first entry must follow, and the purge marker that vouches for it, if any."""
    if first.prev_hash == GENESIS:
        return GENESIS, None
    marker = (
        AuditEntry.objects.filter(action=AuditAction.AUDIT_PURGED, detail__before_id=first.id)
        .order_by("-id")
        .first()
    )
    if marker is None or marker.detail.get("prev_hash") != first.prev_hash:
        reason = "the entries before it were removed without a retention purge"
        raise _Broken(first.id, reason, "start_missing")
    return first.prev_hash, marker.id


def _walk(anchors: list[dict], report: "ChainReport") -> None:
    """Check every entry in order, counting them in ``report``; _Broken at the first wrong one."""
    keys = audit_keys()
    anchored = {anchor["id"]: anchor for anchor in anchors}
    # After the last anchor, and after the first keyed entry, every entry must be keyed.
    unkeyed_until = _newest(anchors)["id"] if anchors else float("inf")
    entries = AuditEntry.objects.order_by("id")
    first = entries.only("id", "prev_hash").first()
    if first is None:
        return
    previous, marker_id = _start(first)
    for entry in entries.iterator(chunk_size=2000):
        if entry.prev_hash != previous:
            raise _Broken(entry.id, "its previous-hash does not match the entry before it", "link")
        if any(hmac.compare_digest(entry_hash(entry, key), entry.hash) for key in keys):
            unkeyed_until = 0
        elif unkeyed_hash(entry) != entry.hash:
            raise _Broken(entry.id, "its content does not match its hash", "tampered")
        elif entry.id > unkeyed_until or entry.id == marker_id:
            raise _Broken(entry.id, "it carries an unkeyed hash where only keyed entries may be", "unkeyed")
        anchor = anchored.pop(entry.id, None)
        if anchor is not None and anchor["hash"] != entry.hash:
            reason = f"it differs from the anchor written at {anchor['at']}"
            raise _Broken(entry.id, reason, "anchor_mismatch")
        previous = entry.hash
        report.checked += 1
    # An anchored entry that the walk did not meet was taken out of the log.
    head_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    for anchor_id in sorted(i for i in anchored if first.id <= i <= head_id):
        raise _Broken(anchor_id, "this anchored entry is no longer in the log", "anchor_mismatch")


def verify_chain(anchor_file=None) -> ChainReport:
    """Walk the log (links, keyed hashes, the purge marker of its start) against every anchor."""
    try:
        anchors = read_anchors(anchor_file)
    except AnchorError as exc:
        return ChainReport(0, None, str(exc), code="anchor_forged")
    report = ChainReport(0, anchors=len(anchors))
    try:
        _walk(anchors, report)
    except _Broken as broken:
        report.broken_id, report.reason, report.code = broken.entry_id, broken.reason, broken.code
        return report
    head_id = _head()["id"]
    if anchors and _newest(anchors)["id"] > head_id:
        last = _newest(anchors)
        report.broken_id, report.code = last["id"], "truncated"
        report.reason = (
            f"the log ends at entry {head_id}, but this entry was anchored at {last['at']}: "
            "its newest entries were removed"
        )
    elif not anchors:
        report.warning = "no anchor yet: a cut of the newest entries cannot be detected"
    return report
