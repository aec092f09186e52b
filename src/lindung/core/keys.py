"""Key rotation: new data keys, every encrypted value re-encrypted, every key re-wrapped."""

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from . import crypto
from .audit import audit_record
from .audit_actions import AuditAction
from .fields import encrypted_fields
from .models import DataKey, Organisation


def _encrypted_models():
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields:
            yield model, fields


def _reencrypt(organisation_id: int) -> tuple[int, int]:
    rows = values = 0
    for model, fields in _encrypted_models():
        attr = getattr(model, "encryption_organisation_attr", "organisation_id")
        queryset = model._base_manager.filter(**{attr: organisation_id}).only(
            "pk", attr, *[f.attname for f in fields]
        )
        for obj in queryset.iterator(chunk_size=500):
            update = {}
            for field in fields:
                value = getattr(obj, field.attname)
                if value is not None:
                    update[field.attname] = field.encrypt_for(obj, value)
            if update:
                model._base_manager.filter(pk=obj.pk).update(**update)
                rows += 1
                values += len(update)
    return rows, values


def rotate_keys(*, organisation_id: int | None = None) -> dict:
    orgs = Organisation.objects.all()
    if organisation_id is not None:
        orgs = orgs.filter(pk=organisation_id)
    report = {"organisations": 0, "rows": 0, "values": 0, "rewrapped": 0}
    # The new keys are cached for the process only if this commits (see lindung.core.crypto).
    with transaction.atomic():
        _rotate(orgs, report)
    return report


def _rotate(orgs, report):
    # Re-wrap every key first, so that the newest master key alone can unwrap all of them.
    for key in DataKey.objects.select_for_update():
        key.wrapped = crypto.wrap_key(crypto.unwrap_key(key.wrapped))
        key.save(update_fields=["wrapped"])
        report["rewrapped"] += 1
    for org in orgs:
        old = list(DataKey.objects.filter(organisation=org, purpose="data", retired_at__isnull=True))
        crypto.create_data_key(org.pk, "data")
        rows, values = _reencrypt(org.pk)
        for key in old:
            key.retired_at = timezone.now()
            key.save(update_fields=["retired_at"])
        report["organisations"] += 1
        report["rows"] += rows
        report["values"] += values
    audit_record(action=AuditAction.KEYS_ROTATED, detail=report)
