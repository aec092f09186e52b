"""A list of codes stored as one space-delimited text (" atd return "), searchable on every database.

Why not JSON: SQLite's JSON field has no containment lookup, and a tag table per vocabulary would
triple the joins of the comparison matrix. Codes never contain spaces, so ``codes_q("themes",
"atd")`` (a ``contains`` on " atd ") is exact on SQLite and PostgreSQL alike.
"""

from django import forms
from django.db import models
from django.db.models import Q


def _as_list(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").replace(";", " ").split()
    return sorted({str(v).strip() for v in value if str(v).strip()})


class CodesField(models.TextField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return _as_list(value)

    def to_python(self, value):
        return _as_list(value)

    def get_prep_value(self, value):
        # A plain string is a lookup operand (see codes_q), passed through as it is.
        if isinstance(value, str):
            return value
        codes = _as_list(value)
        return f" {' '.join(codes)} " if codes else ""

    def value_to_string(self, obj):
        return " ".join(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return forms.CharField(required=not self.blank, label=self.verbose_name, help_text=self.help_text)


def codes_q(field: str, code: str) -> Q:
    return Q(**{f"{field}__contains": f" {code} "})
