# After 0003 gave every attachment its organisation (a migration of its own: PostgreSQL refuses
# ALTER TABLE in the transaction that just updated the rows).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("maritime", "0003_attachment_content_encrypted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.organisation"
            ),
        ),
    ]
