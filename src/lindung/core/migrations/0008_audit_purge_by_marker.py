"""The audit log's guard no longer obeys a switch that any session can set.

Before, any database session could set ``lindung.audit_purge`` and delete the newest entries. Now
the trigger lets a DELETE through in two cases only:

- the entry lies below the cut named by a retention purge's marker entry (``audit.purged``, written
  by lindung.core.audit.audit_purge before it deletes): the log's old start may go, and the keyed
  marker tells ``lindung audit verify`` where the log now begins;
- on PostgreSQL, a superuser has set the switch to empty a test database. A superuser can drop the
  trigger anyway, so this gives nothing away; the application's own role (never a superuser in
  production) cannot use it. On SQLite the switch is a function of Lindung's own process.

Whoever owns the table can still disable the trigger: that is what the keyed chain and the anchors
outside the database are for (see docs/security.md)."""

import importlib

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION lindung_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.id < (SELECT max((detail ->> 'before_id')::bigint) FROM core_auditentry
                     WHERE action = 'audit.purged') THEN
            RETURN OLD;
        END IF;
    END IF;
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('lindung.audit_purge', true) = 'on'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
    "CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "WHEN lindung_audit_purge_allowed() = 0 AND OLD.id >= coalesce(("
    "SELECT max(CAST(json_extract(detail, '$.before_id') AS INTEGER)) FROM core_auditentry "
    "WHERE action = 'audit.purged'), 0) "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (DELETE refused)'); END;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)  # "%" in the function body is not a placeholder
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    # Back to the guard of core/0002, as that migration creates it.
    previous = importlib.import_module("lindung.core.migrations.0002_audit_append_only")
    previous.backward(apps, schema_editor)
    previous.forward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_revoke_tokens_without_second_factor")]
    operations = [migrations.RunPython(forward, backward)]
