"""Erasure and anonymisation reach referrals: the copy of the person's identity and the free-text
note in a referral's payload are removed when the cases app erases or anonymises the person. The
referral itself (codes, dates, outcome) stays for the follow-up and for statistics."""

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from .models import Referral


def _scrub(person):
    for referral in Referral.objects.filter(person=person):
        payload = dict(referral.payload or {})
        if "identity" in payload or payload.get("note"):
            payload.pop("identity", None)
            payload["note"] = ""
            referral.payload = payload
            referral.save(update_fields=["payload"])


@receiver(pre_delete, sender="cases.Person", dispatch_uid="referrals_scrub_erased_person")
def scrub_on_erase(sender, instance, **kwargs):
    _scrub(instance)


@receiver(post_save, sender="cases.Person", dispatch_uid="referrals_scrub_anonymised_person")
def scrub_on_anonymise(sender, instance, **kwargs):
    if instance.anonymised_at is not None:
        _scrub(instance)
