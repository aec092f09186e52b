"""Persons on board lose the single-column index on their incident: the unique constraint on
(incident, sex, age group, nationality) starts with it and serves the same lookups; a pull from a
peer writes two or more of these rows for every incident."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("maritime", "0005_incident_organisation_index_covered"),
    ]

    operations = [
        migrations.AlterField(
            model_name="personsonboard",
            name="incident",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="persons",
                to="maritime.incident",
                verbose_name="incident",
            ),
        ),
    ]
