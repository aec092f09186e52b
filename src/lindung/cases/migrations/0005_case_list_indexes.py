# The list indexes of 0004's columns, in a migration of their own: PostgreSQL refuses CREATE INDEX
# in the transaction that just updated the table (pending trigger events).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_list_columns"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['organisation', '-opened_on', '-id'], include=('open_task_due_on', 'vulnerability_codes'), name='cases_case_list_org'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['organisation', 'case_type', 'state', '-opened_on', '-id'], include=('open_task_due_on', 'vulnerability_codes'), name='cases_case_list_type_step'),
        ),
    ]
