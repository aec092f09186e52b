"""A record's identity comes from its source (file and row), no longer from its values alone.

Records imported before keep their old key (sha256 of the canonical row and its occurrence number)
as ``content_key``; their identity becomes that key within their file (its content fingerprint), as
the import now computes it. A CTDC file imported before is recognised by its bytes on re-import
(a CTDC row now also keeps its "-99" and blank cells, so its content key changed).
"""

import hashlib

from django.db import migrations, models

BATCH = 2_000


def identity_from_file(apps, schema_editor):
    record_model = apps.get_model("standard", "StandardRecord")
    rows = record_model.objects.select_related("batch").only("pk", "row_key", "batch__content_fingerprint")
    changed = []
    for record in rows.iterator(chunk_size=BATCH):
        record.content_key = record.row_key
        record.row_key = hashlib.sha256(
            f"file\x1f{record.batch.content_fingerprint}\x1f{record.content_key}".encode()
        ).hexdigest()
        changed.append(record)
        if len(changed) == BATCH:
            record_model.objects.bulk_update(changed, ["row_key", "content_key"])
            changed = []
    record_model.objects.bulk_update(changed, ["row_key", "content_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("standard", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="partial",
            field=models.BooleanField(default=False, verbose_name="import the valid rows only"),
        ),
        migrations.AddField(
            model_name="standardrecord",
            name="content_key",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(identity_from_file, migrations.RunPython.noop),
    ]
