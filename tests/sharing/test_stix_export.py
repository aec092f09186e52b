"""STIX 2.1 export: what an agreement lets out, valid for stix2-validator and the stix2 library."""

import json

import pytest
import stix2
from stix2validator import ValidationOptions, validate_instance

from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP, Distribution
from lindung.core.models import Organisation
from lindung.core.services import object_share
from lindung.sharing import exchange, stix

from .factories import make_agreement, make_incident, make_peer, receive_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a, org_b):
    org_c = Organisation.objects.create(name="Org C (test)", kind=Organisation.Kind.NGO, country="KEN")
    peer = make_peer(org_a, partners=[org_b, org_c])
    agreement = make_agreement(org_a, peer, [org_b])
    return {"a": org_a, "b": org_b, "c": org_c, "peer": peer, "agreement": agreement}


def _valid(bundle):
    result = validate_instance(bundle, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for e in result.errors]


def _reports(bundle):
    return {o["id"]: o for o in bundle["objects"] if o["type"] == "report"}


def test_every_marking_exported_bundle_passes_the_validator(world):
    for tlp in (TLP.CLEAR, TLP.GREEN):
        make_incident(world["a"], tlp=tlp)
    amber = make_incident(world["a"], tlp=TLP.AMBER, distribution=Distribution.ORGANISATION)
    object_share(acting_user=SYSTEM, obj=amber, purpose="test", organisation=world["b"])
    strict = make_incident(world["a"], tlp=TLP.AMBER_STRICT, distribution=Distribution.ORGANISATION)
    object_share(acting_user=SYSTEM, obj=strict, purpose="test", organisation=world["b"])
    bundle = exchange.export_bundle(world["agreement"])
    _valid(bundle)
    assert len(_reports(bundle)) == 4
    types = {o["type"] for o in bundle["objects"]}
    assert {
        "report",
        "location",
        "identity",
        "threat-actor",
        "marking-definition",
        "extension-definition",
    } <= types
    report = next(iter(_reports(bundle).values()))
    assert report["created_by_ref"] == stix.organisation_identity_id(world["a"].name)
    assert (
        stix.INCIDENT_EXTENSION_ID in report["extensions"]
        and stix.VESSEL_EXTENSION_ID in report["extensions"]
    )


def test_tlp2_markings_parse_with_the_stix2_library(world):
    """cti-python-stix2 #569: the library once raised on TLP 2.0 marking definitions."""
    make_incident(world["a"], tlp=TLP.GREEN)
    bundle = exchange.export_bundle(world["agreement"])
    parsed = stix2.parse(json.dumps(bundle), allow_custom=True)
    markings = [o for o in parsed.objects if o.type == "marking-definition"]
    assert markings and markings[0].extensions[stix.TLP2_EXTENSION]["tlp_2_0"] == "green"
    for tlp in TLP:
        stix2.MarkingDefinition(**stix.tlp_marking(tlp))


def test_red_and_unaddressed_never_leave(world):
    make_incident(world["a"], tlp=TLP.RED, distribution=Distribution.CONNECTED)
    strict_other = make_incident(world["a"], tlp=TLP.AMBER_STRICT, distribution=Distribution.ORGANISATION)
    object_share(acting_user=SYSTEM, obj=strict_other, purpose="test", organisation=world["c"])
    make_incident(world["a"], tlp=TLP.GREEN, distribution=Distribution.COMMUNITY)  # this node only
    make_incident(world["a"], tlp=TLP.AMBER, distribution=Distribution.CONNECTED)  # AMBER needs names
    make_incident(world["b"], tlp=TLP.CLEAR)  # not our party's
    bundle = exchange.export_bundle(world["agreement"])
    assert _reports(bundle) == {}


def test_fields_outside_the_agreement_are_absent(world, org_a, org_b):
    peer = world["peer"]
    narrow = make_agreement(
        org_a,
        peer,
        [org_b],
        reference="narrow",
        categories=["incident"],
        fields=["incident_type", "dead", "missing"],
    )
    make_incident(org_a, tlp=TLP.GREEN)
    bundle = exchange.export_bundle(narrow)
    _valid(bundle)
    report = next(iter(_reports(bundle).values()))
    details = report["extensions"][stix.INCIDENT_EXTENSION_ID]
    assert {k for k in details if k in stix.ALL_FIELDS} == {"incident_type", "dead", "missing"}
    assert stix.VESSEL_EXTENSION_ID not in report["extensions"]
    assert not [o for o in bundle["objects"] if o["type"] in ("location", "threat-actor")]
    text = json.dumps(bundle)
    for secret in ("Synthetic narrative", "Test dhow Alpha", "NET-TEST-7", "Coast guard", "Test network"):
        assert secret not in text


def test_facilitators_are_pseudonyms_keyed_per_agreement(world, org_a, org_b):
    other = make_agreement(org_a, world["peer"], [org_b], reference="second")
    make_incident(org_a, tlp=TLP.GREEN)
    first = [o for o in exchange.export_bundle(world["agreement"])["objects"] if o["type"] == "threat-actor"]
    second = [o for o in exchange.export_bundle(other)["objects"] if o["type"] == "threat-actor"]
    assert first[0]["name"].startswith("FN-") and first[0]["name"] != second[0]["name"]
    assert first[0]["id"] != second[0]["id"]
    assert "NET-TEST-7" not in json.dumps(first)


def test_revoked_or_expired_agreement_exports_nothing(world):
    from django.utils import timezone

    from lindung.sharing import services

    make_incident(world["a"], tlp=TLP.GREEN)
    services.agreement_revoke(acting_user=SYSTEM, agreement=world["agreement"])
    assert _reports(exchange.export_bundle(world["agreement"])) == {}
    expired = make_agreement(
        world["a"],
        world["peer"],
        [world["b"]],
        reference="expired",
        valid_from=timezone.now() - timezone.timedelta(days=10),
        valid_until=timezone.now() - timezone.timedelta(days=1),
    )
    assert _reports(exchange.export_bundle(expired)) == {}


def test_export_stix_command_writes_a_valid_bundle(world, tmp_path):
    from django.core.management import call_command

    make_incident(world["a"], tlp=TLP.GREEN)
    out = tmp_path / "bundle.json"
    call_command("sharing", "export-stix", "--agreement", "wio-test-01", "--out", str(out))
    bundle = json.loads(out.read_text())
    _valid(bundle)
    assert len(_reports(bundle)) == 1


def test_demo_agreement_round_trip(demo_world):
    """What the demo's node 1 serves under wio-2026-01 is valid STIX and accepted by node 2's side."""
    from lindung.core.markings import TLP
    from lindung.sharing.models import SharingAgreement

    rmifc, sey = demo_world["orgs"]["rmifc"], demo_world["orgs"]["sey_centre"]
    serving = SharingAgreement.objects.get(reference="wio-2026-01", organisation=rmifc)
    receiving = SharingAgreement.objects.get(reference="wio-2026-01", organisation=sey)
    bundle = exchange.export_bundle(serving)
    _valid(bundle)
    reports = _reports(bundle)
    assert reports, "the demo should let some RMIFC incidents out"
    markings = {stix.TLP_BY_MARKING_ID[r["object_marking_refs"][0]] for r in reports.values()}
    assert TLP.RED not in markings
    result = receive_objects(receiving, bundle["objects"])
    assert result.created == len(reports)
