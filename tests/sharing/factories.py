"""Synthetic incidents, peers and agreements for the sharing tests (no real person or vessel)."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP, Distribution
from lindung.maritime.models import FacilitatorReference, Incident, PersonsOnBoard, Vessel
from lindung.sharing import receive, services, stix

ALL_CATEGORIES = list(stix.CATEGORIES)


def make_incident(org, *, tlp=TLP.GREEN, distribution=Distribution.CONNECTED, group=None, **overrides):
    vessel = Vessel.objects.create(
        organisation=org,
        vessel_type="dhow",
        name="Test dhow Alpha",
        flag="SOM",
        length_m=Decimal("12.5"),
        engine="outboard",
        registration="TEST-REG-1",
        mmsi="123456789",
    )
    values = {
        "organisation": org,
        "incident_type": "interception",
        "occurred_at": timezone.now() - timedelta(days=2),
        "latitude": Decimal("-12.500000"),
        "longitude": Decimal("43.250000"),
        "position_precision_m": 500,
        "area": "Mozambique Channel (test)",
        "vessel": vessel,
        "persons_on_board": 40,
        "dead": 1,
        "missing": 2,
        "survivors": 37,
        "outcome": "rescued",
        "route": "mozambique_channel",
        "departure_point": "Test beach",
        "departure_country": "COM",
        "disembarkation_port": "Test harbour",
        "disembarkation_country": "MYT",
        "source": "Coast guard report (test)",
        "source_reliability": "B",
        "information_credibility": "2",
        "narrative": "Synthetic narrative, never exchanged.",
        "tlp": tlp,
        "distribution": distribution,
        "sharing_group": group,
    }
    values.update(overrides)
    incident = Incident.objects.create(**values)
    PersonsOnBoard.objects.create(incident=incident, sex="F", age_group="18-20", nationality="SOM", count=12)
    PersonsOnBoard.objects.create(incident=incident, sex="M", age_group="unknown", nationality="", count=28)
    facilitator, _ = FacilitatorReference.objects.get_or_create(
        organisation=org, reference="NET-TEST-7", defaults={"network_name": "Test network"}
    )
    incident.facilitators.add(facilitator)
    return incident


def make_peer(org, *, name="node-b", partners=(), secret="a-long-test-secret-for-peers"):
    peer, _ = services.peer_create(
        acting_user=SYSTEM,
        organisation=org,
        name=name,
        api_root_url="http://127.0.0.1:9/sharing/taxii2/api/",
        incoming_secret=secret,
        outgoing_username="node-a",
        outgoing_secret=secret,
        organisations=list(partners),
    )
    return peer


def make_agreement(
    org,
    peer,
    partners,
    *,
    reference="wio-test-01",
    categories=None,
    fields=None,
    ceiling=TLP.AMBER_STRICT,
    **extra,
):
    categories = categories or ALL_CATEGORIES
    fields = fields or [f for c in categories for f in stix.CATEGORIES[c]]
    return services.agreement_create(
        acting_user=SYSTEM,
        organisation=org,
        peer=peer,
        partner_organisations=list(partners),
        reference=reference,
        title="Test agreement",
        purpose="Testing the exchange",
        categories=categories,
        fields=fields,
        tlp_ceiling=ceiling,
        retention_days=30,
        **extra,
    )


def receive_objects(agreement, objects, *, full_validation=True, pushed=False):
    """Objects received under our side of ``agreement``, pushed by its peer (TAXII, a replay
    refused) or pulled from it, through the service the endpoint and the sync command use."""
    how = (
        receive.Push(status_id=uuid.uuid4(), status={}, full_validation=full_validation)
        if pushed
        else receive.Pull(full_validation=full_validation)
    )
    return receive.objects_receive(
        acting_user=SYSTEM, peer=agreement.peer, agreement=agreement, pages=[objects], how=how
    )
