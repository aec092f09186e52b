# Attachments move from files on disk into the database, sealed like other personal data.

from django.core.files.storage import default_storage
import django.db.models.deletion
from django.db import migrations, models, transaction

import lindung.core.fields


def seal_files(apps, schema_editor):
    """Encrypt each stored file into ``content`` with its incident's organisation key, then delete
    the plaintext file."""
    Attachment = apps.get_model("maritime", "Attachment")
    names = []
    for attachment in Attachment.objects.select_related("incident").iterator():
        with default_storage.open(attachment.file.name, "rb") as handle:
            attachment.content = handle.read()
        attachment.organisation_id = attachment.incident.organisation_id
        attachment.save(update_fields=["organisation", "content"])
        names.append(attachment.file.name)
    # Only once the sealed copies are committed.
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names], using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_auditentry_action_open_list"),
        ("maritime", "0002_incident_organisation_modified"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="organisation",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.organisation"
            ),
        ),
        migrations.AddField(
            model_name="attachment",
            name="content",
            field=lindung.core.fields.EncryptedBinaryField(null=True),
        ),
        migrations.RunPython(seal_files, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="attachment",
            name="file",
        ),
    ]
