"""Demo: a sharing community of the two demo fusion centres, their two nodes, and the agreement
between them, recorded on both sides (so one demo database can play either node; see
docs/sharing.md for running two nodes locally). Secrets are demo-only strings."""

from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP
from lindung.core.models import SharingGroup

from . import services, stix
from .models import Peer, SharingAgreement

GROUP_NAME = "Western Indian Ocean maritime community"
REFERENCE = "wio-2026-01"
# Demo only: a real deployment generates them (the peer page shows a new one once).
SECRET_RMIFC_NODE = "demo-secret-rmifc-node-signs-in-with"
SECRET_SEY_NODE = "demo-secret-sey-node-signs-in-with"
NODE_1 = "http://127.0.0.1:8000/sharing/taxii2/api/"
NODE_2 = "http://127.0.0.1:8001/sharing/taxii2/api/"
CATEGORIES = ["incident", "position", "route", "vessel", "persons", "facilitators"]


def _peer(org, name, url, partner, incoming, outgoing_username, outgoing):
    peer = Peer.objects.filter(name=name).first()
    if peer is None:
        peer, _ = services.peer_create(
            acting_user=SYSTEM,
            organisation=org,
            name=name,
            api_root_url=url,
            incoming_secret=incoming,
            outgoing_username=outgoing_username,
            outgoing_secret=outgoing,
            organisations=[partner],
            description="Demo node",
        )
    return peer


def _agreement(org, peer, partner, group):
    if not SharingAgreement.objects.filter(peer=peer, reference=REFERENCE).exists():
        services.agreement_create(
            acting_user=SYSTEM,
            organisation=org,
            peer=peer,
            partner_organisations=[partner],
            reference=REFERENCE,
            title="Western Indian Ocean incident exchange (demo)",
            purpose="Joint situational awareness on irregular migration and migrant smuggling by sea.",
            categories=CATEGORIES,
            fields=[f for c in CATEGORIES for f in stix.CATEGORIES[c]],
            tlp_ceiling=TLP.AMBER,
            retention_days=365,
            sharing_group=group,
        )


def load(ctx: dict) -> None:
    rmifc, sey = ctx["orgs"]["rmifc"], ctx["orgs"]["sey_centre"]
    group, _ = SharingGroup.objects.get_or_create(
        name=GROUP_NAME, defaults={"description": "Regional centres exchanging reports of incidents at sea."}
    )
    group.organisations.add(rmifc, sey)
    # Node 1 hosts the RMIFC and knows node 2 as "sey-node"; node 2 hosts the Seychelles centre and
    # knows node 1 as "rmifc-node". Each signs in at the other under the name the other gave it.
    sey_node = _peer(rmifc, "sey-node", NODE_2, sey, SECRET_SEY_NODE, "rmifc-node", SECRET_RMIFC_NODE)
    rmifc_node = _peer(sey, "rmifc-node", NODE_1, rmifc, SECRET_RMIFC_NODE, "sey-node", SECRET_SEY_NODE)
    group.peers.add(sey_node, rmifc_node)
    _agreement(rmifc, sey_node, sey, group)
    _agreement(sey, rmifc_node, rmifc, group)
