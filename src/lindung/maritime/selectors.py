"""Every read of maritime data that leaves the app, filtered by the access policy first."""

from lindung.core import policy

from .models import Attachment, FacilitatorReference, Incident, PersonsOnBoard, Vessel


def incidents_visible(user, action: str = policy.VIEW):
    """Incidents ``user`` may ``action`` (markings and distribution included)."""
    return policy.accessible(user, Incident.objects.all(), action).select_related(
        "organisation", "vessel", "sharing_group"
    )


def vessels_visible(user, action: str = policy.VIEW):
    return policy.accessible(user, Vessel.objects.all(), action)


def facilitators_visible(user, action: str = policy.VIEW):
    return policy.accessible(user, FacilitatorReference.objects.all(), action)


def persons_of(user, incident):
    return policy.accessible(user, PersonsOnBoard.objects.filter(incident=incident))


def attachments_of(user, incident):
    return policy.accessible(user, Attachment.objects.filter(incident=incident))
