"""The registration fields a duplicate check takes (web form or API), checked before any search.

Refusals carry codes: ``nothing_to_compare`` (no name, date of birth or document number),
``name_too_short`` (a name of a single letter matches everyone), ``future_date`` (a date of birth
after today), ``document_format`` (a passport number that does not have its issuing country's
format).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import documents, keys
from .identity import Identity

IDENTITY_KEYS = ("given_name", "family_name", "aliases", "date_of_birth", "documents", "sex", "citizenship")


def identity_of(fields: dict) -> Identity:
    """The compared fields of a registration (the form's or the API's, other fields ignored)."""
    return Identity.of(**{k: fields[k] for k in IDENTITY_KEYS if fields.get(k) is not None})


def problems(fields: dict) -> dict[str, list[ValidationError]]:
    """{field: [ValidationError with a code]} for what cannot be searched on."""
    errors: dict[str, list] = {}

    def bad(field, message, code):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    for name in ("given_name", "family_name"):
        value = (fields.get(name) or "").strip()
        if value and len(keys.ascii_name(value).replace(" ", "")) < keys.MIN_TOKEN:
            bad(
                name,
                _("A name of a single letter cannot be compared: give the whole name."),
                "name_too_short",
            )
    dob = fields.get("date_of_birth")
    if isinstance(dob, datetime.date) and dob > timezone.localdate():
        bad("date_of_birth", _("A date of birth cannot be in the future."), "future_date")
    for doc in fields.get("documents") or ():
        number = keys.document_number(doc.get("number", ""))
        if number and not documents.fits_country(doc.get("type", ""), number, doc.get("country") or ""):
            bad(
                "documents",
                _("This passport number does not have the format of the issuing country's passports."),
                "document_format",
            )
    return errors


def query_identity(fields: dict) -> Identity:
    """The identity to search for, or ValidationError naming every unusable field."""
    errors = problems(fields)
    if errors:
        raise ValidationError(errors)
    identity = identity_of(fields)
    if identity.is_empty():
        raise ValidationError(
            {
                "given_name": [
                    ValidationError(
                        _("Give a name, a date of birth or a document number to look for."),
                        code="nothing_to_compare",
                    )
                ]
            }
        )
    return identity
