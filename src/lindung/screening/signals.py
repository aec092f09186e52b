"""Erasure reaches screenings: when the cases app erases a person, their interviews (answers and
profiles) go with them, in the same transaction."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .models import Interview


@receiver(pre_delete, sender="cases.Person", dispatch_uid="screening_erase_person_interviews")
def erase_interviews(sender, instance, **kwargs):
    Interview.objects.filter(person=instance).delete()
