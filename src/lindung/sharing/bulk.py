"""Inserting the many rows of one received page with one prepared statement per table.

``QuerySet.bulk_create`` compiles a fresh multi-row ``INSERT`` for every few dozen rows (SQLite
takes at most 999 parameters per statement, and an incident has about forty columns), and that
compilation cost more than the rest of an import together. Here the statement is written once
and the rows go through the driver's ``executemany``; values are prepared as Django prepares them
for a save (``get_db_prep_save``), so time zones are still applied. The same code runs on
PostgreSQL.
"""

from datetime import datetime

from django.db import connections, models, router

# Rows looked up at once when reading back the primary keys (under SQLite's 999 parameters).
LOOKUP_CHUNK = 900


def insert_rows(model, rows, *, key=None) -> None:
    """Insert rows given as values by attribute name (``incident_id``, not ``incident``), without
    building a model instance for each: rows this node writes itself (provenance, shares) or whose
    values were checked already (received incidents, vessels, persons on board). A column left out
    gets its default. With ``key``, a unique field each row has a value for (a ``uuid`` drawn when
    the row was made), the primary keys of the new rows are read back into them, so that rows
    referring to them can be inserted next.

    Fields that compute their stored value when saved are refused (``auto_now``). An encrypted
    field can only be left empty here: its value is sealed by the model's save, and preparing a
    plaintext for the database raises.
    """
    if not rows:
        return
    connection, fields, sql = _statement(model)
    if any(getattr(f, "auto_now", False) for f in fields):
        raise TypeError(f"{model._meta.label} has fields computed when saved; save instances instead.")
    plan = [(f.attname, f, _preparer(f, connection)) for f in fields]
    params = [
        [prepare(row[name] if name in row else f.get_default()) for name, f, prepare in plan] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        if key is not None:
            position = [f.name for f in fields].index(key)
            # The database gives a key back as the value it was given (prepared), not as the row's.
            by_key = {values[position]: row for values, row in zip(params, rows, strict=True)}
            _read_back_primary_keys(cursor, model, fields[position], by_key)


def _read_back_primary_keys(cursor, model, key_field, by_key: dict) -> None:
    meta, quote = model._meta, cursor.db.ops.quote_name
    column, pk = quote(key_field.column), meta.pk
    keys = list(by_key)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        # Table and column names come from the model; the keys are parameters.
        cursor.execute(
            f"SELECT {column}, {quote(pk.column)} FROM {quote(meta.db_table)} "  # noqa: S608
            f"WHERE {column} IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
        for value, pk_value in cursor.fetchall():
            by_key[value][pk.attname] = pk_value


def _statement(model):
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns, placeholders = ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    # Table and column names come from the model, never from the received objects (values are parameters).
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    return connection, fields, sql


# Fields whose database value is the Python text itself (``to_python`` of a str is the str).
_PLAIN_TEXT = (models.CharField, models.TextField)


def _preparer(field, connection):
    """``field.get_db_prep_save`` for one column, with shortcuts for what a received page repeats
    thousands of times: the same object as in the row before (an organisation's id, the time of
    the import), an empty value (None or ""), text for a plain text column, an aware time for a
    plain time column (only the backend's adaptation applies to it)."""
    empty = {}
    plain = type(field) in _PLAIN_TEXT
    adapt_time = connection.ops.adapt_datetimefield_value if type(field) is models.DateTimeField else None
    last = [object(), None]  # the value of the row before, and what it was prepared to

    def prepare(value):
        if value is last[0]:
            return last[1]
        if value is None or (type(value) is str and not value):
            if value not in empty:
                empty[value] = field.get_db_prep_save(value, connection)
            prepared = empty[value]
        elif plain and type(value) is str:
            prepared = value
        elif adapt_time is not None and type(value) is datetime and value.utcoffset() is not None:
            prepared = adapt_time(value)
        else:
            prepared = field.get_db_prep_save(value, connection)
        last[0], last[1] = value, prepared
        return prepared

    return prepare
