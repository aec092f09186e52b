"""Writing chosen text into every free-text field of the project's objects, for the walkers.

``fill_text_fields(objects, value_for)`` sets each free-text field (plain or encrypted) of each
object to ``value_for(obj, field)`` and saves it through the model, so encrypted fields are sealed
as usual. Fields that hold codes, keys, references or identifiers are left alone: the pages read
them as such, and a poisoned code is a broken object, not a test of what a page shows.
"""

import re

from django.apps import apps
from django.db import models

from lindung.core.fields import EncryptedCharField, EncryptedField, EncryptedTextField

PROJECT_APPS = ("core", "standard", "frameworks", "cases", "screening", "referrals", "maritime",
                "engagement", "sharing", "stats")  # fmt: skip
CODE_LIKE = re.compile(
    r"(^|_)(code|codes|id|ids|reference|ref|slug|stix|uuid|country|countries|language|languages|lang|"
    r"currency|tlp|status|state|kind|type|hash|sha256|digest|fingerprint|key|keys|token|url|uri|email|"
    r"phone|username|password|version|mmsi|imo|iso|tag|hxl|profile|theme|list|format|method|scope|"
    r"purpose|action|role|capability|label|content|mime|marking|timezone|number|name_en|themes|objectives|"
    r"groups|feeds|data_source|exploitation|node|indicator|operation|secret|ha1|section|team|personal)$"
)
# Objects the site itself runs on: their text is configuration, not something a user typed.
SKIPPED_MODELS = {"core.auditentry", "core.datakey", "core.apitoken", "core.session"}
SKIPPED_FIELDS = {"cases.casetransition.name"}  # a workflow step's name, which the workflow reads


def text_fields(model) -> list:
    fields = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        sealed_text = EncryptedCharField | EncryptedTextField
        if isinstance(field, EncryptedField) and not isinstance(field, sealed_text):
            continue  # dates, JSON and files sealed as text
        if f"{model._meta.label_lower}.{field.name}" in SKIPPED_FIELDS:
            continue
        if field.primary_key or field.unique or field.choices or CODE_LIKE.search(field.name):
            continue
        if isinstance(field, models.CharField) and (field.max_length or 0) < 20:
            continue
        fields.append(field)
    return fields


def project_models():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower not in SKIPPED_MODELS and text_fields(model):
                yield model


def fill_text_fields(objects, value_for) -> int:
    """Set every free-text field of ``objects`` that already holds text; the number of values set."""
    written = 0
    for obj in objects:
        changed = {}
        for field in text_fields(type(obj)):
            if getattr(obj, field.attname):
                value = value_for(obj, field)
                if isinstance(field, models.CharField) and field.max_length:
                    value = value[: field.max_length]
                # An UPDATE, not save(): some records (releases) refuse to change once written, and
                # the text stands for what they could have been written with in the first place.
                sealed = isinstance(field, EncryptedField)
                changed[field.attname] = field.encrypt_for(obj, value) if sealed else value
        if changed:
            type(obj)._default_manager.filter(pk=obj.pk).update(**changed)
            written += len(changed)
    return written
