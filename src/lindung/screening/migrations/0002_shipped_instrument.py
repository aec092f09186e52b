"""Load the identification interview guide that ships with Lindung (instruments/identification.xlsx)."""

from django.db import migrations


def load(apps, schema_editor):
    from lindung.screening.services import load_shipped_instrument

    load_shipped_instrument(apps.get_model("screening", "Instrument"), apps.get_model("screening", "InstrumentVersion"),
                            audit=False)


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
