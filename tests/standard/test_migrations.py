"""Migration standard/0002: records imported before keep their old key as content_key and get the
file-and-row identity the import now computes."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lindung.core.actors import SYSTEM
from lindung.standard import services
from lindung.standard.models import StandardRecord

from .helpers import LINDUNG_ROW, lindung_csv


@pytest.mark.django_db(transaction=True)
def test_old_records_get_their_file_and_row_identity(org_a):
    data = lindung_csv(LINDUNG_ROW, LINDUNG_ROW)
    batch = services.batch_import(
        acting_user=SYSTEM, organisation=org_a, file_name="old.csv", data=data, profile="lindung"
    )
    new_keys = sorted(StandardRecord.objects.values_list("row_key", "content_key"))
    # As 0001 stored them: the row key was the content key.
    for record in StandardRecord.objects.all():
        StandardRecord.objects.filter(pk=record.pk).update(row_key=record.content_key)
    executor = MigrationExecutor(connection)
    executor.migrate([("standard", "0001_initial")])
    executor = MigrationExecutor(connection)
    executor.migrate([("standard", "0002_record_identity_and_partial")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # what depends on standard comes back too
    migrated = sorted(StandardRecord.objects.values_list("row_key", "content_key"))
    assert migrated == new_keys
    fingerprint = batch.content_fingerprint
    for row_key, content_key in migrated:
        assert row_key == hashlib.sha256(f"file\x1f{fingerprint}\x1f{content_key}".encode()).hexdigest()
