"""Reads of sharing data: for users through the policy; for peers, by their agreements."""

from lindung.core import policy
from lindung.core.models import SharingGroup

from .models import ExchangeLog, ImportedObject, Peer, SharingAgreement


def peers_visible(user):
    return policy.accessible(user, Peer.objects.all()).select_related("organisation")


def agreements_visible(user):
    return (
        policy.accessible(user, SharingAgreement.objects.all())
        .select_related("organisation", "peer", "sharing_group")
        .prefetch_related("partner_organisations")
    )


def exchanges_visible(user):
    return policy.accessible(user, ExchangeLog.objects.all()).select_related("peer", "agreement")


def imported_visible(user):
    return policy.accessible(user, ImportedObject.objects.all())


def sharing_groups_visible(user):
    return policy.accessible(user, SharingGroup.objects.all()).prefetch_related("organisations", "peers")


def agreements_of_peer(peer):
    """Every agreement naming ``peer`` (in force or not: the caller says why one is refused)."""
    return SharingAgreement.objects.filter(peer=peer).select_related("organisation", "peer")


def agreement_for_collection(peer, collection_id):
    for agreement in agreements_of_peer(peer):
        if agreement.collection_id == collection_id:
            return agreement
    return None


def peer_by_name(name: str):
    return Peer.objects.filter(name=name).select_related("organisation").first()


def status_for(peer, status_id):
    return ExchangeLog.objects.filter(peer=peer, status_id=status_id).first()


def received_summary() -> list[dict]:
    """What this node holds from peers, for administrators at the command line (no personal data:
    ids, markings, which fields are filled, counts)."""
    from django.contrib.contenttypes.models import ContentType

    from lindung.core.models import ObjectShare
    from lindung.maritime.models import Incident

    from .stix import INCIDENT_FIELDS

    incident_type = ContentType.objects.get_for_model(Incident)
    rows = []
    for item in ImportedObject.objects.select_related("peer", "agreement").order_by("stix_id"):
        incident = Incident.objects.filter(pk=item.object_id).select_related("organisation").first()
        if incident is None:
            continue
        shares = ObjectShare.objects.active().filter(
            content_type=incident_type, object_id=item.object_id, organisation__isnull=False
        )
        present = [
            f for f in (*INCIDENT_FIELDS, "latitude", "longitude") if getattr(incident, f) not in (None, "")
        ]
        rows.append({
            "stix_id": item.stix_id, "peer": item.peer.name, "agreement": item.agreement.reference,
            "version": incident.version, "versions_received": item.versions_received, "tlp": incident.tlp,
            "reported_by": incident.organisation.name,
            "shared_with": sorted(shares.values_list("organisation__name", flat=True)),
            "fields": sorted(present), "vessel": incident.vessel_id is not None,
            "facilitators": incident.facilitators.count(), "persons_rows": incident.persons.count(),
        })  # fmt: skip
    return rows


def recipients_of(obj):
    """Active explicit shares of one record (the caller has already been allowed to change it)."""
    from django.contrib.contenttypes.models import ContentType

    from lindung.core.models import ObjectShare

    return (
        ObjectShare.objects.active()
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("organisation", "sharing_group")
        .order_by("created_at")
    )
