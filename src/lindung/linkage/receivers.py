"""Keeps blocking keys in step with persons: every save of a person rewrites them in the same
transaction (an erased person's go with it, by cascade; an anonymised person keeps none)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from lindung.cases.models import Person

from . import blocking

IDENTITY_KEYS_FROM = {"given_name", "family_name", "aliases", "date_of_birth", "documents", "anonymised_at"}


@receiver(post_save, sender=Person, dispatch_uid="linkage.person_saved")
def person_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and not IDENTITY_KEYS_FROM & set(update_fields)):
        return
    blocking.rebuild(instance)
