"""Model fields whose values are encrypted at rest with the owning organisation's data key.

The owning organisation is ``instance.organisation_id`` unless the model names another attribute
in ``encryption_organisation_attr``. Filtering on these fields is refused: lookups go through a
blind index field kept beside them.
"""

import base64
import datetime
import json

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_date

from . import crypto


class EncryptedField(models.TextField):
    """Base: subclasses convert between the Python value and the plaintext string."""

    def _to_plaintext(self, value) -> str:
        return str(value)

    def _from_plaintext(self, text: str):
        return text

    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.attname}"

    def organisation_id_for(self, instance) -> int:
        attr = getattr(instance, "encryption_organisation_attr", "organisation_id")
        org_id = getattr(instance, attr)
        if org_id is None:
            raise ValueError(f"{self.model.__name__} needs its organisation before personal data is saved")
        return org_id

    def encrypt_for(self, instance, value) -> crypto.Ciphertext | None:
        if value is None or (isinstance(value, str) and value == ""):
            return None
        return crypto.encrypt(
            self._to_plaintext(value),
            organisation_id=self.organisation_id_for(instance),
            context=self._context(),
        )

    def pre_save(self, model_instance, add):
        return self.encrypt_for(model_instance, getattr(model_instance, self.attname))

    def get_prep_value(self, value):
        if value is None or isinstance(value, crypto.Ciphertext):
            return value
        raise TypeError(
            f"{self._context()} is encrypted: save it through the model, "
            "and search it through its blind index"
        )

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self._from_plaintext(crypto.decrypt(value, context=self._context()))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj):
        # Serialised output (dumpdata, fixtures) must never carry plaintext.
        return "<encrypted>"


class EncryptedTextField(EncryptedField):
    """Encrypted free text (narratives, notes)."""


class EncryptedCharField(EncryptedField):
    """Encrypted short text; ``max_length`` limits the plaintext, checked by forms and clean()."""

    def formfield(self, **kwargs):
        from django import forms

        defaults = {"form_class": forms.CharField, "max_length": self.max_length}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class EncryptedDateField(EncryptedField):
    def _to_plaintext(self, value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        parsed = parse_date(str(value))
        if parsed is None:
            raise ValidationError(f"{value!r} is not a date (YYYY-MM-DD)")
        return parsed.isoformat()

    def _from_plaintext(self, text):
        return datetime.date.fromisoformat(text)

    def to_python(self, value):
        if value is None or isinstance(value, datetime.date):
            return value
        parsed = parse_date(str(value))
        if parsed is None:
            raise ValidationError("Enter a valid date (YYYY-MM-DD).", code="invalid")
        return parsed

    def formfield(self, **kwargs):
        from django import forms

        return models.Field.formfield(self, **{"form_class": forms.DateField, **kwargs})


class EncryptedJSONField(EncryptedField):
    def _to_plaintext(self, value):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    def _from_plaintext(self, text):
        return json.loads(text)

    def formfield(self, **kwargs):
        from django import forms

        return models.Field.formfield(self, **{"form_class": forms.JSONField, **kwargs})


class EncryptedBinaryField(EncryptedField):
    """Small files (photos, attachments) sealed as base64 inside the token."""

    def _to_plaintext(self, value):
        return base64.b64encode(bytes(value)).decode()

    def _from_plaintext(self, text):
        return base64.b64decode(text)


def encrypted_fields(model) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
