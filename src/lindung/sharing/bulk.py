"""Inserting the many rows of one received page with one prepared statement per table.

``QuerySet.bulk_create`` compiles a fresh multi-row ``INSERT`` for every few dozen rows (SQLite
takes at most 999 parameters per statement, and an incident has about forty columns), and that
compilation cost more than the rest of an import together. Here the statement is written once
and the rows go through the driver's ``executemany``; values are prepared exactly as Django
prepares them for a save (``pre_save`` then ``get_db_prep_save``), so encrypted fields are still
encrypted and time zones still applied. The same code runs on PostgreSQL.
"""

from django.db import connections, models, router

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
    connection = connections[router.db_for_write(model)]
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    relations = [f for f in fields if f.is_relation]
    quote = connection.ops.quote_name
    columns, placeholders = ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    # Table and column names come from the model, never from the received objects (values are parameters).
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
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


# Fields whose database value is the Python text itself (``to_python`` of a str is the str).
_PLAIN_TEXT = (models.CharField, models.TextField)


def _preparer(field, connection):
    """``field.get_db_prep_save`` for one column, with the two shortcuts that matter for a received
    incident, where most of some forty values are empty: an empty value (None or "") is prepared
    once per column and remembered, and text for a plain text column is passed as it is."""
    empty = {}
    plain = type(field) in _PLAIN_TEXT

    def prepare(value):
        if value is None or (type(value) is str and not value):
            if value not in empty:
                empty[value] = field.get_db_prep_save(value, connection)
            return empty[value]
        if plain and type(value) is str:
            return value
        return field.get_db_prep_save(value, connection)

    return prepare
