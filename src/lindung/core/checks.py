"""Checks of the key material at start: `lindung check`, every command that runs system checks
(runserver and the task worker among them) and, for gunicorn, lindung.wsgi through ``require_keys``.

A missing, malformed or wrong master key used to show up later as every read failing with
"failed authentication"; these checks name the setting, the key and what is wrong instead.
"""

from collections import defaultdict

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

from . import crypto
from .audit import audit_keys


@checks.register(checks.Tags.security)
def check_keys(app_configs=None, **kwargs):
    try:
        masters = crypto.master_keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="lindung.E001")]
    errors = []
    try:
        audit_keys()
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="lindung.E002"))
    errors.extend(checks.Error(message, id="lindung.E003") for message in _unwrap_problems(masters))
    errors.extend(_loose_files())
    return errors


@checks.register(checks.Tags.security, deploy=True)
def check_audit_key(app_configs=None, **kwargs):
    if settings.LINDUNG_AUDIT_KEY or settings.LINDUNG_DEMO:
        return []
    return [
        checks.Warning(
            "LINDUNG_AUDIT_KEY is not set: the audit chain is keyed with a key derived from the master "
            "key, so entries keyed before a change of master key verify only while the old master key "
            "stays listed in LINDUNG_MASTER_KEY.",
            hint="Set LINDUNG_AUDIT_KEY (base64 of 32 random bytes) before you ever change the master key.",
            id="lindung.W002",
        )
    ]


def _stored_keys():
    """The wrapped data keys, or none when the database has no tables yet (a first `migrate`) or
    cannot be reached (a check on a build machine): there is then nothing to check against."""
    from .models import DataKey

    try:
        if DataKey._meta.db_table not in connection.introspection.table_names():
            return []
        return list(DataKey.objects.select_related("organisation").order_by("pk"))
    except DatabaseError:
        return []


def _unwrap_problems(masters: list[bytes]) -> list[str]:
    """One message per master key that wrapped data keys the configured keys cannot unwrap."""
    configured = {crypto.master_key_id(key): index for index, key in enumerate(masters)}
    failed = defaultdict(list)
    for key in _stored_keys():
        try:
            crypto.unwrap_key(key.wrapped)
        except crypto.CryptoError:
            failed[key.wrapped.partition(":")[0]].append(key)
    messages = []
    for wrapped_by, keys in failed.items():
        first = keys[0]
        owner = first.organisation
        which = f"data key {first.pk} of organisation {owner.name!r} (id {owner.pk})"
        if len(keys) > 1:
            which += f" and {len(keys) - 1} other data key(s)"
        if wrapped_by in configured:
            setting = f"LINDUNG_MASTER_KEY ({crypto.key_position(configured[wrapped_by])})"
            messages.append(f"{setting} does not unwrap {which}: the stored wrapped key is damaged.")
        else:
            names = ", ".join(f"{key_id} ({crypto.key_position(i)})" for key_id, i in configured.items())
            messages.append(
                f"LINDUNG_MASTER_KEY does not unwrap {which}: it was wrapped by master key {wrapped_by}, "
                f"and the configured keys are {names}. Set LINDUNG_MASTER_KEY to the key this database "
                "was created with (during a rotation: new,old)."
            )
    return messages


def _loose_files():
    """var/, the SQLite database and the key files must be the owner's alone (older installs
    created them readable by everyone)."""
    paths = [settings.VAR_DIR, settings.LINDUNG_MASTER_KEY_FILE, settings.VAR_DIR / "secret.key"]
    if connection.vendor == "sqlite":
        paths.append(settings.VAR_DIR / str(connection.settings_dict["NAME"]))
    return [
        checks.Warning(
            f"{path} can be read by other users of this machine (mode {path.stat().st_mode & 0o777:o}).",
            hint=f"chmod {'700' if path.is_dir() else '600'} {path}",
            id="lindung.W001",
        )
        for path in paths
        if path.exists() and path.stat().st_mode & 0o077
    ]


def require_keys() -> None:
    """Refuse to serve with keys that cannot work (gunicorn runs no system checks)."""
    errors = [e for e in check_keys() if e.level >= checks.ERROR]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{e.id}: {e.msg}" for e in errors))
