"""The full-text index over SearchEntry.body, one per database (see lindung.frameworks.search).

SQLite: an external-content FTS5 table kept in step by triggers. If a later migration alters
frameworks_searchentry, SQLite rebuilds the table and drops these triggers: recreate them there.
PostgreSQL: a GIN index on the same expression Django's SearchVector("body", config="simple") emits.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE frameworks_search_fts USING fts5("
    "body, content='frameworks_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER frameworks_search_ai AFTER INSERT ON frameworks_searchentry BEGIN "
    "INSERT INTO frameworks_search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER frameworks_search_ad AFTER DELETE ON frameworks_searchentry BEGIN "
    "INSERT INTO frameworks_search_fts(frameworks_search_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER frameworks_search_au AFTER UPDATE ON frameworks_searchentry BEGIN "
    "INSERT INTO frameworks_search_fts(frameworks_search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO frameworks_search_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO frameworks_search_fts(frameworks_search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS frameworks_search_au",
    "DROP TRIGGER IF EXISTS frameworks_search_ad",
    "DROP TRIGGER IF EXISTS frameworks_search_ai",
    "DROP TABLE IF EXISTS frameworks_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX frameworks_searchentry_body_fts ON frameworks_searchentry "
    "USING GIN (to_tsvector('simple'::regconfig, COALESCE(body, '')))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS frameworks_searchentry_body_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
