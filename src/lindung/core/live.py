"""Live state that must be seen by every process while a job's own transaction is still open:
the progress of a running job and the heartbeats of workers.

A job writes all of its effects in one transaction, so nothing it does is visible until it ends;
its progress must therefore travel on a connection of its own. On PostgreSQL that is a second
connection to the same database (row locks: nobody waits). On SQLite the job's transaction holds
the only write lock of the database file, so live state goes to a small file beside it
(``<database>-live``) that every process on the machine opens. Values are small JSON documents
under a key (``job:<uuid>``, ``worker:<id>``); nothing in them is personal data.
"""

import json
import threading
import time

from django.core.signals import request_finished
from django.db import connections
from django.db.utils import load_backend

TABLE = "lindung_live"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(key varchar(200) PRIMARY KEY, value text NOT NULL, updated_at double precision NOT NULL)"
)
_local = threading.local()


def _settings_dict() -> dict:
    base = connections["default"].settings_dict
    settings_dict = {**base, "OPTIONS": {**base.get("OPTIONS", {})}}
    if base["ENGINE"].endswith("sqlite3"):
        settings_dict["NAME"] = f"{base['NAME']}-live"
        # Plain autocommit; the file is tiny and writes are short.
        settings_dict["OPTIONS"].pop("transaction_mode", None)
    return settings_dict


def _cursor():
    """A cursor on this thread's own live connection (opened on first use, reopened when the
    default database changes, as it does when a test run switches to its test database)."""
    settings_dict = _settings_dict()
    wrapper = getattr(_local, "wrapper", None)
    if wrapper is None or wrapper.settings_dict["NAME"] != settings_dict["NAME"]:
        if wrapper is not None:
            wrapper.close()
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="live")
        _local.wrapper = wrapper
        if wrapper.vendor == "sqlite":
            # The side file is this module's own; on PostgreSQL a migration made the table.
            with wrapper.cursor() as cursor:
                cursor.execute(CREATE_TABLE)
    return wrapper.cursor()


def put(key: str, value: dict) -> None:
    with _cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (key, value, updated_at) VALUES (%s, %s, %s) "  # noqa: S608 (constant)
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [key, json.dumps(value), time.time()],
        )


def get(key: str) -> dict | None:
    with _cursor() as cursor:
        cursor.execute(f"SELECT value, updated_at FROM {TABLE} WHERE key = %s", [key])  # noqa: S608
        row = cursor.fetchone()
    return None if row is None else {**json.loads(row[0]), "updated_at": row[1]}


def with_prefix(prefix: str) -> dict[str, dict]:
    """Every value whose key starts with ``prefix``, keyed by the rest of the key."""
    with _cursor() as cursor:
        cursor.execute(
            f"SELECT key, value, updated_at FROM {TABLE} WHERE key LIKE %s",  # noqa: S608
            [prefix.replace("%", "") + "%"],
        )
        rows = cursor.fetchall()
    return {key[len(prefix) :]: {**json.loads(value), "updated_at": at} for key, value, at in rows}


def delete(key: str) -> None:
    with _cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE key = %s", [key])  # noqa: S608


def close() -> None:
    """Close this thread's live connection (threads that end, and test runs before they drop their
    database, call it)."""
    wrapper = getattr(_local, "wrapper", None)
    if wrapper is not None:
        wrapper.close()
        _local.wrapper = None


# Like Django's own connections, a live connection opened by a request ends with it (threaded
# servers serve each request in a thread of its own).
request_finished.connect(lambda **kwargs: close(), weak=False, dispatch_uid="lindung.core.live.close")
