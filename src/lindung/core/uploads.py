"""Sanity of what users give: a file's type from its content, and dates a person could have meant.

``sniff(filename, content, allowed)`` is the one check of an uploaded file's type: the first bytes
name it (the declared content type a browser or client sends is never trusted), and the file name's
extension must agree. Text files have no signature: they must be UTF-8 without NUL bytes.

``check_dates(**dates)`` and ``model_date_errors(instance)`` refuse dates before 1900 or more than
``LINDUNG_MAX_YEARS_AHEAD`` years ahead (year 1 and 9999 are typing slips or probes, never a
consent's date), naming each field.
"""

import datetime
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    DOCX: (b"PK\x03\x04",),
    ODT: (b"PK\x03\x04",),
    "text/plain": (),
    "text/csv": (),
}
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    DOCX: {".docx"},
    ODT: {".odt"},
    "text/plain": {".txt"},
    "text/csv": {".csv"},
}
EARLIEST_YEAR = 1900


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(filename: str, content: bytes, allowed) -> str:
    """The content type of ``content`` among ``allowed``, checked by its first bytes and the
    file name's extension; a ValidationError (code ``file.type``) when they do not agree."""
    ext = os.path.splitext((filename or "").lower())[1]
    for ctype in allowed:
        if ext not in EXTENSIONS[ctype]:
            continue
        signatures = SIGNATURES[ctype]
        if any(content.startswith(s) for s in signatures) or (not signatures and _is_text(content)):
            return ctype
    names = sorted({e for ctype in allowed for e in EXTENSIONS[ctype]})
    raise ValidationError(
        _("Only %(types)s files are accepted, and the file name must match the content.")
        % {"types": ", ".join(names)},
        code="file.type",
    )


def latest_date() -> datetime.date:
    today = timezone.localdate()
    years = int(settings.LINDUNG_MAX_YEARS_AHEAD)
    return today.replace(year=min(today.year + years, 9999), day=min(today.day, 28))


def date_errors(**dates) -> dict:
    """{field: [ValidationError]} for each given date that no one could have meant."""
    errors = {}
    latest = latest_date()
    for field, value in dates.items():
        if not isinstance(value, datetime.date):
            continue  # absent, or not a date at all: the service's own checks say so
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day.year < EARLIEST_YEAR or day > latest:
            errors[field] = [
                ValidationError(
                    _("%(field)s: give a date between %(first)s and %(last)s.")
                    % {"field": field, "first": EARLIEST_YEAR, "last": latest.year},
                    code="date.implausible",
                )
            ]
    return errors


def model_date_errors(instance) -> dict:
    """``date_errors`` of every date and time field of a model instance."""
    from django.db import models

    return date_errors(
        **{
            f.name: getattr(instance, f.attname)
            for f in instance._meta.concrete_fields
            if isinstance(f, models.DateField) and not (f.auto_now or f.auto_now_add)
        }
    )


def check_dates(**dates) -> None:
    errors = date_errors(**dates)
    if errors:
        raise ValidationError(errors)
