"""Single-word searches match word forms (stems in each language, Thai segmented): a column beside
the body, filled for existing entries, and indexed with it (see lindung.frameworks.wordforms).

SQLite: the FTS5 table and its triggers are recreated with both columns (a column cannot be added
to an FTS5 table). PostgreSQL: a second GIN index, on the word forms.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS frameworks_search_au",
    "DROP TRIGGER IF EXISTS frameworks_search_ad",
    "DROP TRIGGER IF EXISTS frameworks_search_ai",
    "DROP TABLE IF EXISTS frameworks_search_fts",
    "CREATE VIRTUAL TABLE frameworks_search_fts USING fts5(body, word_forms, "
    "content='frameworks_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER frameworks_search_ai AFTER INSERT ON frameworks_searchentry BEGIN "
    "INSERT INTO frameworks_search_fts(rowid, body, word_forms) VALUES (new.id, new.body, new.word_forms); END",
    "CREATE TRIGGER frameworks_search_ad AFTER DELETE ON frameworks_searchentry BEGIN "
    "INSERT INTO frameworks_search_fts(frameworks_search_fts, rowid, body, word_forms) "
    "VALUES ('delete', old.id, old.body, old.word_forms); END",
    "CREATE TRIGGER frameworks_search_au AFTER UPDATE ON frameworks_searchentry BEGIN "
    "INSERT INTO frameworks_search_fts(frameworks_search_fts, rowid, body, word_forms) "
    "VALUES ('delete', old.id, old.body, old.word_forms); "
    "INSERT INTO frameworks_search_fts(rowid, body, word_forms) VALUES (new.id, new.body, new.word_forms); END",
    "INSERT INTO frameworks_search_fts(frameworks_search_fts) VALUES ('rebuild')",
]
POSTGRES_FORWARD = [
    "CREATE INDEX frameworks_searchentry_forms_fts ON frameworks_searchentry "
    "USING GIN (to_tsvector('simple'::regconfig, COALESCE(word_forms, '')))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS frameworks_searchentry_forms_fts"]


def fill_word_forms(apps, schema_editor):
    from lindung.frameworks.wordforms import index_text

    SearchEntry = apps.get_model("frameworks", "SearchEntry")
    for entry in SearchEntry.objects.only("pk", "body").iterator():
        SearchEntry.objects.filter(pk=entry.pk).update(word_forms=index_text(entry.body))


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0002_search_index")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="word_forms",
            field=models.TextField(blank=True, default=""),
        ),
        # Before the index is rebuilt, so the rebuild reads the filled column.
        migrations.RunPython(fill_word_forms, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD}),
        ),
    ]
