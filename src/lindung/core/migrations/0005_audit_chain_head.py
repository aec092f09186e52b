"""On PostgreSQL, one function takes the lock that serialises appends to the audit chain and reads
the chain's head, so an append costs one round trip for both (see lindung.core.audit).

The lock is a transaction-level advisory lock, released at commit or rollback. The read runs after
the lock is granted: a VOLATILE PL/pgSQL function takes a new snapshot for each statement, so it
sees the entry that the previous holder of the lock committed."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION lindung_audit_chain_head() RETURNS varchar AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1279872580);  -- 0x4C494E44, "LIND"
    RETURN (SELECT hash FROM core_auditentry ORDER BY id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
"""
PG_BACKWARD = "DROP FUNCTION IF EXISTS lindung_audit_chain_head();"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_action_at_index")]
    operations = [migrations.RunPython(forward, backward)]
