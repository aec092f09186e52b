"""Inserting the many rows of one received page with one prepared statement per table.

``QuerySet.bulk_create`` compiles a fresh multi-row ``INSERT`` for every few dozen rows (SQLite
takes at most 999 parameters per statement, and an incident has about forty columns), and that
compilation cost more than the rest of an import together. Here the statement is written once
and the rows go through the driver's ``executemany``; values are prepared exactly as Django
prepares them for a save (``pre_save`` then ``get_db_prep_save``), so encrypted fields are still
encrypted and time zones still applied. The same code runs on PostgreSQL.
"""

from datetime import datetime

from django.db import connections, models, router

from lindung.core.fields import EncryptedField

# Rows looked up at once when reading back the primary keys (under SQLite's 999 parameters).
LOOKUP_CHUNK = 900


def insert(model, objs, *, key=None) -> None:
    """Insert unsaved instances of ``model``. With ``key`` (a unique field that already has its
    value, such as a ``uuid`` set by its default), their primary keys are read back and set, so
    that rows referring to them can be inserted next.

    Foreign keys given as instances are taken from those instances' primary keys; an instance not
    saved yet is an error, as it is for ``save()``.
    """
    if not objs:
        return
    meta = model._meta
    connection, fields, sql = _statement(model)
    relations = [f for f in fields if f.is_relation]
    preparers = [_preparer(f, connection) for f in fields]
    params = []
    for obj in objs:
        for f in relations:
            if f.is_cached(obj) and (target := f.get_cached_value(obj)) is not None:
                if target.pk is None:
                    raise ValueError(f"{meta.label}.{f.name} refers to an unsaved {target._meta.label}.")
                setattr(obj, f.attname, target.pk)
        params.append([prepare(f.pre_save(obj, True)) for f, prepare in zip(fields, preparers, strict=True)])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    if key is None:
        return
    by_key = {getattr(obj, key): obj for obj in objs}
    values = list(by_key)
    manager = model._base_manager.using(connection.alias)
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = values[start : start + LOOKUP_CHUNK]
        for value, pk in manager.filter(**{f"{key}__in": chunk}).values_list(key, "pk"):
            by_key[value].pk = pk


def insert_rows(model, rows) -> None:
    """Insert rows given as values by attribute name (``incident_id``, not ``incident``), without
    building a model instance for each: for rows this node writes itself (provenance, shares) or
    whose values were checked already. A column left out gets its default. Fields that compute
    their stored value when saved (encrypted, ``auto_now``) are refused: they need instances.
    """
    if not rows:
        return
    connection, fields, sql = _statement(model)
    if any(isinstance(f, EncryptedField) or getattr(f, "auto_now", False) for f in fields):
        raise TypeError(f"{model._meta.label} has fields computed when saved; insert instances instead.")
    plan = [(f.attname, f, _preparer(f, connection)) for f in fields]
    params = [
        [prepare(row[name] if name in row else f.get_default()) for name, f, prepare in plan] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


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
