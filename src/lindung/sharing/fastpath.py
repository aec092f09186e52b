"""The speed work of the sharing receive path, in one place, with what each piece measured.

A pull brings thousands of incidents a page; the plain Django way (a model instance, ``full_clean``
and ``bulk_create`` per row) received 494 incidents/s on the 2-core development machine, about
200 s for 100,000. The pieces below, together, brought 100,000 incidents to 37.8 s (docs/sharing.md
has the whole account). Each says what it saved when it was measured.

* ``insert_rows``: one prepared ``INSERT`` per table through the driver's ``executemany``.
  ``QuerySet.bulk_create`` compiled a new multi-row statement for every 22 incidents (SQLite's 999
  parameters, about forty columns an incident), and that compilation cost more than the rest of
  an import together.
* ``checked_values``: received values checked as ``full_clean`` checks them, without building an
  instance; code lists are checked against sets built once per process and constant defaults are
  taken once per process (asking every field for its default on every row cost about a sixth of
  the checks). These checks were the larger part of the second round of this work, which brought
  a sync of 100,000 incidents from 68.0 s to 37.8 s.
* ``lindung.core.interpreter.bulk_process``: the cycle collector paused and a short switch
  interval, for the whole of a process's bulk work; taking them away roughly doubles the time of
  a sync. They are the whole process's settings, so they are applied where a process starts its
  work (the ``sharing sync`` command, the worker's loop around each task) and never inside a
  function a threaded web server may run (core holds them, so that core's worker can apply them).

Gathering the receive path into ``receive.objects_receive`` (one transaction with the log and the
audit entry) and these pieces here, with the collector no longer paused while the serving node
builds a page, was measured against the code before it on the sharing bench, 20,000 incidents,
alternating the two four times each on the shared 2-core machine (load average 9 to 15 from other
jobs): best sync 18.99 s after, 18.01 s before, a ratio of 1.05, well inside the run-to-run spread
of either (18.0 to 40.5 s for the same code). A quiet machine should measure it again.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connections, models, router

# checking received values --------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """How the received rows of a model are made and checked (built once per process)."""

    constants: dict  # the columns' defaults that are constants, by attribute name
    drawn: tuple  # fields whose default is drawn for each row (a uuid, the time)
    coded: tuple  # the coded fields checked, each with its codes
    cleaned: tuple  # the other fields checked by their own ``clean`` (related rows are in hand)


@functools.cache
def check_plan(model, exclude: tuple) -> _Plan:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    drawn = tuple(f for f in fields if f.has_default() and callable(f.default))
    checked = [f for f in fields if f.name not in exclude]
    coded = [f for f in checked if f.choices is not None]
    return _Plan(
        constants={f.attname: f.get_default() for f in fields if f not in drawn},
        drawn=drawn,
        coded=tuple((f, frozenset(str(c) for c, _ in f.flatchoices)) for f in coded),
        cleaned=tuple(f for f in checked if f not in coded and not f.is_relation),
    )


def _code_errors(coded, values: dict, errors: dict) -> None:
    for f, codes in coded:
        value = values[f.attname]
        # Django's own messages for these refusals, translated in every language Lindung has.
        if value is None and not f.null:
            errors[f.name] = [f.error_messages["null"]]
        elif value in (None, ""):
            if not f.blank:
                errors[f.name] = [f.error_messages["blank"]]
        elif str(value) not in codes:
            errors[f.name] = [f.error_messages["invalid_choice"] % {"value": str(value)[:40]}]


def checked_values(model, values: dict, *, exclude=(), rules=None) -> dict:
    """The row of a received ``model`` from its values by attribute name, the other columns at
    their defaults, checked as ``full_clean`` checks an instance but without building one (this
    runs for every incident, vessel and persons-on-board row of a pull): field by field, with code
    lists checked against sets built once per process (Django would rebuild every translated
    choice list for every field of every row), then ``rules``, the model's rules between fields
    (``clean``), given ``value(attname)``. No uniqueness query: origin node and id are looked up
    before, replaced persons rows are cleared. Returns the row, values cleaned (and the primary key
    of a row held here kept); raises ValidationError naming each field refused."""
    if rules is None and model.clean is not models.Model.clean:
        raise TypeError(f"{model._meta.label} has rules between fields: pass them.")
    plan = check_plan(model, tuple(exclude))
    row = {**plan.constants, **values}
    for f in plan.drawn:
        if f.attname not in row:
            row[f.attname] = f.get_default()
    errors = {}
    _code_errors(plan.coded, row, errors)
    for f in plan.cleaned:
        value = row[f.attname]
        # Like full_clean, an empty value is left alone where the field may be blank; unlike it, a
        # null where the column takes none is refused here rather than by the database.
        if f.blank and value in f.empty_values and (value is not None or f.null):
            continue
        try:
            row[f.attname] = f.clean(value, None)
        except ValidationError as exc:
            errors[f.name] = exc.messages
    # The rules between fields read valid values only (full_clean would also run them on the
    # values it refused, and fail on a text where a number belongs).
    if not errors and rules is not None:
        errors = rules(row.__getitem__)
    if errors:
        raise ValidationError(errors)
    return row


# inserting rows ------------------------------------------------------------------------------


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
