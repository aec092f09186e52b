"""Encryption of personal data at rest, blind indexes and keyed pseudonyms.

Envelope scheme: every organisation has its own random data keys (AES-256-GCM), stored only
wrapped (encrypted) by the master key that comes from the environment. A database dump therefore
holds no readable personal data and no usable key. Exact-match search uses a keyed blind index
(HMAC-SHA256 of the normalised value) so that equal values can be found without decrypting.
Pseudonyms for anything that leaves an organisation are HMACs keyed per purpose, so two
recipients cannot join their pseudonyms.

Token format of an encrypted value: ``v1:<data key id>:<base64(nonce | ciphertext+tag)>``. The
associated data binds a value to its column, so a value copied into another column fails to
decrypt.
"""

import base64
import hashlib
import hmac
import secrets
import threading
import time
import unicodedata

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

TOKEN_PREFIX = "v1:"
_NONCE_BYTES = 12
_CURRENT_KEY_TTL = 60.0  # seconds a process trusts its idea of an organisation's current key

_lock = threading.Lock()
_raw_keys: dict[int, bytes] = {}
_current: dict[tuple[int, str], tuple[float, int]] = {}


class CryptoError(Exception):
    """A value could not be decrypted or a key could not be unwrapped (never carries the value)."""


class Ciphertext(str):
    """A value already encrypted for the database; encrypted fields store it untouched."""


# master keys ---------------------------------------------------------------------------------


MISSING_MASTER_KEY = (
    "LINDUNG_MASTER_KEY is not set. It is the key that wraps every organisation's data keys: "
    "base64 of 32 random bytes (44 characters), made with "
    '`python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"` '
    "for a new site, or the key this database was created with. Only the demo (make run, "
    "LINDUNG_DEMO=1) keeps a generated key in var/master.key."
)
_ORDINALS = ("first", "second", "third")


def key_position(index: int) -> str:
    """How a message names one key of a comma-separated setting: "first key", "key 4"."""
    return f"{_ORDINALS[index]} key" if index < len(_ORDINALS) else f"key {index + 1}"


def decode_keys(configured: str, setting: str) -> list[bytes]:
    """The keys of a comma-separated setting of base64-encoded 32-byte keys, or
    ImproperlyConfigured naming the setting, the key and what is wrong with it."""
    keys = []
    for index, text in enumerate(part.strip() for part in configured.split(",") if part.strip()):
        where = f"{setting} ({key_position(index)})"
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{where} is not base64: expected 32 random bytes in base64.") from exc
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{where} decodes to {len(raw)} bytes; it must be 32 random bytes in base64 (44 characters)."
            )
        keys.append(raw)
    return keys


def master_keys() -> list[bytes]:
    """The master keys, newest first. ``LINDUNG_MASTER_KEY`` may list several, comma-separated,
    while a rotation is under way: the first wraps, all of them unwrap. Without it only the demo
    runs, on a key generated beside its database; anywhere else a new key would silently make
    every stored value unreadable."""
    configured = settings.LINDUNG_MASTER_KEY
    if not configured:
        if not settings.LINDUNG_DEMO:
            raise ImproperlyConfigured(MISSING_MASTER_KEY)
        from .keyfiles import local_master_key

        configured = local_master_key(settings.LINDUNG_MASTER_KEY_FILE)
    return decode_keys(configured, "LINDUNG_MASTER_KEY")


def master_key_id(key: bytes) -> str:
    return hashlib.sha256(b"lindung-master-id" + key).hexdigest()[:12]


def wrap_key(raw: bytes) -> str:
    master = master_keys()[0]
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(master).encrypt(nonce, raw, b"lindung-data-key")
    return f"{master_key_id(master)}:{base64.b64encode(nonce + sealed).decode()}"


def unwrap_key(wrapped: str) -> bytes:
    key_id, _, blob = wrapped.partition(":")
    for master in master_keys():
        if master_key_id(master) == key_id:
            data = base64.b64decode(blob)
            try:
                return AESGCM(master).decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], b"lindung-data-key")
            except Exception as exc:
                raise CryptoError(f"a data key wrapped by master key {key_id} failed authentication") from exc
    raise CryptoError(
        f"this data key was wrapped by master key {key_id}, which is not in LINDUNG_MASTER_KEY "
        f"(configured: {', '.join(master_key_id(m) for m in master_keys())})"
    )


# data keys -----------------------------------------------------------------------------------
#
# A process caches raw keys by id and each organisation's current key id. A key created (or first
# read) inside a transaction may vanish with it: if the transaction rolls back, a cached id would
# name a key that does not exist (and SQLite gives that id to the next key), and every value sealed
# with it could never be decrypted. So what a transaction learns is kept apart: that transaction
# uses it, and the process caches it only when the transaction commits. Django drops an on-commit
# callback when the transaction or savepoint that registered it rolls back, so a pending entry is
# alive exactly while its callback is still registered.


class _Pending:
    """Cache entries learnt inside an open transaction (one key)."""

    __slots__ = ("key_id", "raw", "current")

    def __init__(self, key_id: int, raw: bytes | None, current: tuple[int, str] | None):
        self.key_id = key_id
        self.raw = raw
        self.current = current

    def publish(self) -> None:
        with _lock:
            if self.raw is not None:
                _raw_keys[self.key_id] = self.raw
            if self.current is not None:
                _current[self.current] = (time.monotonic(), self.key_id)
        pending = _pending_list()
        if self in pending:
            pending.remove(self)

    def alive(self) -> bool:
        registered = transaction.get_connection().run_on_commit
        return any(callback == self.publish for _savepoints, callback, _robust in registered)


_local = threading.local()


def _pending_list() -> list:
    if not hasattr(_local, "pending"):
        _local.pending = []
    return _local.pending


def _pending_entries():
    """This thread's live pending entries, newest first (rolled-back ones are dropped)."""
    pending = _pending_list()
    pending[:] = [entry for entry in pending if entry.alive()]
    return reversed(pending)


def _remember(key_id: int, *, raw: bytes | None = None, current: tuple[int, str] | None = None) -> None:
    entry = _Pending(key_id, raw, current)
    if transaction.get_connection().in_atomic_block:
        _pending_list().append(entry)
    # Runs at once outside a transaction.
    transaction.on_commit(entry.publish)


def _data_key_model():
    # Through the app registry: the models use the encrypted fields, which use this module, so
    # importing core.models here would close a circle.
    return apps.get_model("core", "DataKey")


def _raw_key(key_id: int) -> bytes:
    with _lock:
        raw = _raw_keys.get(key_id)
    if raw is None:
        raw = next((e.raw for e in _pending_entries() if e.key_id == key_id and e.raw is not None), None)
    if raw is None:
        DataKey = _data_key_model()
        try:
            wrapped = DataKey.objects.values_list("wrapped", flat=True).get(pk=key_id)
        except DataKey.DoesNotExist as exc:
            raise CryptoError(f"unknown data key {key_id}") from exc
        raw = unwrap_key(wrapped)
        _remember(key_id, raw=raw)
    return raw


def current_key_id(organisation_id: int, purpose: str = "data") -> int:
    """The key an organisation uses now for a purpose, created on first use."""
    cache_key = (organisation_id, purpose)
    for entry in _pending_entries():
        if entry.current == cache_key:
            return entry.key_id
    with _lock:
        cached = _current.get(cache_key)
    if cached and time.monotonic() - cached[0] < _CURRENT_KEY_TTL:
        return cached[1]
    DataKey = _data_key_model()
    key_id = (
        DataKey.objects.filter(organisation_id=organisation_id, purpose=purpose, retired_at__isnull=True)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if key_id is None:
        return create_data_key(organisation_id, purpose).pk
    _remember(key_id, current=cache_key)
    return key_id


def create_data_key(organisation_id: int, purpose: str = "data"):
    DataKey = _data_key_model()
    raw = secrets.token_bytes(32)
    with transaction.atomic():
        key = DataKey.objects.create(organisation_id=organisation_id, purpose=purpose, wrapped=wrap_key(raw))
    _remember(key.pk, raw=raw, current=(organisation_id, purpose))
    return key


def forget_cached_keys() -> None:
    with _lock:
        _raw_keys.clear()
        _current.clear()
    _pending_list().clear()


# values --------------------------------------------------------------------------------------


def encrypt(plaintext: str, *, organisation_id: int, context: str) -> Ciphertext:
    key_id = current_key_id(organisation_id)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(_raw_key(key_id)).encrypt(nonce, plaintext.encode(), context.encode())
    return Ciphertext(f"{TOKEN_PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode()}")


def token_key_id(token: str) -> int:
    if not token.startswith(TOKEN_PREFIX):
        raise CryptoError("value is not an encrypted token")
    return int(token[len(TOKEN_PREFIX) :].split(":", 1)[0])


def decrypt(token: str, *, context: str) -> str:
    key_id = token_key_id(token)
    blob = base64.b64decode(token.split(":", 2)[2])
    # Outside the try: a key that does not unwrap says so, rather than blaming the value.
    cipher = AESGCM(_raw_key(key_id))
    try:
        return cipher.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], context.encode()).decode()
    except Exception as exc:
        raise CryptoError(f"an encrypted value in {context} failed authentication") from exc


# blind index and pseudonyms ------------------------------------------------------------------


def normalise(value: str) -> str:
    """Case, width and spacing differences must not defeat an exact match."""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return " ".join(text.replace("-", " ").split())


def _hmac(organisation_id: int, purpose: str, message: str) -> bytes:
    key = _raw_key(current_key_id(organisation_id, purpose))
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def blind_index(value: str, *, organisation_id: int, kind: str) -> str:
    """Keyed index of a normalised value; ``kind`` separates names from document numbers."""
    return _hmac(organisation_id, "index", f"{kind}\x00{normalise(value)}").hex()


def pseudonym(value: str, *, organisation_id: int, purpose: str, prefix: str = "P") -> str:
    """A stable pseudonym of ``value`` for one purpose (e.g. ``agreement:12``)."""
    digest = _hmac(organisation_id, "pseudonym", f"{purpose}\x00{value}")
    code = base64.b32encode(digest).decode()[:10]
    return f"{prefix}-{code[:5]}-{code[5:]}"
