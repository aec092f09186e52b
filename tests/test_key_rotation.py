"""Key rotation over the whole demo world: every encrypted value of every app reads back."""

import pytest
from django.core.management import call_command
from django.db import connection

from lindung.core import crypto
from lindung.core.keys import _encrypted_models
from lindung.core.models import DataKey

NEW_MASTER = "bmV3LW1hc3Rlci1rZXktZm9yLXJvdGF0aW9uLXRlc3Q="


def _snapshot():
    values = {}
    for model, fields in _encrypted_models():
        for obj in model._base_manager.all():
            for field in fields:
                values[(model._meta.label, obj.pk, field.attname)] = getattr(obj, field.attname)
    return values


def _raw_tokens():
    tokens = {}
    with connection.cursor() as cursor:
        for model, fields in _encrypted_models():
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            cursor.execute(f"SELECT {columns} FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            for row in cursor.fetchall():
                tokens.update({t: model._meta.label for t in row if t})
    return tokens


@pytest.mark.django_db
def test_rotate_then_read_every_value_back(demo_world, settings):
    before = _snapshot()
    assert sum(v is not None for v in before.values()) >= 10, "the demo should hold encrypted personal data"
    old_tokens = _raw_tokens()
    old_keys = set(DataKey.objects.filter(purpose="data").values_list("pk", flat=True))

    settings.LINDUNG_MASTER_KEY = f"{NEW_MASTER},{settings.LINDUNG_MASTER_KEY}"
    call_command("keys", "rotate")

    # Only the new master key is needed from now on.
    settings.LINDUNG_MASTER_KEY = NEW_MASTER
    crypto.forget_cached_keys()
    assert _snapshot() == before
    new_tokens = _raw_tokens()
    assert not set(new_tokens) & set(old_tokens), "every value must be re-encrypted"
    assert {crypto.token_key_id(t) for t in new_tokens}.isdisjoint(old_keys)


@pytest.mark.django_db
def test_database_holds_no_plaintext_of_encrypted_values(demo_world):
    """A dump of every table shows none of the encrypted strings."""
    plaintexts = {v for v in _snapshot().values() if isinstance(v, str) and len(v) >= 4}
    assert plaintexts
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(str(cell) for row in cursor.fetchall() for cell in row if cell is not None)
    text = "\n".join(dump)
    leaked = [p for p in plaintexts if p in text]
    assert not leaked, f"{len(leaked)} encrypted values appear in clear in the database"
