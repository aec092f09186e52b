# The interview's place was a plaintext copy of a free-text answer: it is sealed with the
# organisation's data key like the answers, and the plaintext column is dropped.

from django.db import migrations

import lindung.core.fields


def seal_places(apps, schema_editor):
    Interview = apps.get_model("screening", "Interview")
    for interview in Interview.objects.exclude(place_clear="").only("pk", "organisation_id", "place_clear").iterator():
        interview.place = interview.place_clear
        interview.save(update_fields=["place"])


class Migration(migrations.Migration):
    dependencies = [("screening", "0003_digest_nonce")]

    operations = [
        migrations.RenameField(model_name="interview", old_name="place", new_name="place_clear"),
        migrations.AddField(
            model_name="interview",
            name="place",
            field=lindung.core.fields.EncryptedCharField(blank=True, max_length=100, null=True, verbose_name="place"),
        ),
        migrations.RunPython(seal_places, migrations.RunPython.noop),
        migrations.RemoveField(model_name="interview", name="place_clear"),
    ]
