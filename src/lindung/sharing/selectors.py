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
