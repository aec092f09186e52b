"""The incident's organisation loses its single-column index: the (organisation, occurred_at) and
(organisation, modified_at) indexes serve every lookup by organisation, and each index is one more
write for every incident stored (a pull from a peer stores thousands)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("maritime", "0004_attachment_organisation_required"),
    ]

    operations = [
        migrations.AlterField(
            model_name="incident",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents",
                to="core.organisation",
                verbose_name="organisation",
            ),
        ),
    ]
