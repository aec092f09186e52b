"""Received incidents and vessels are checked value by value, as the model checks its own: without
stix2-validator (``sync --no-validate``) a bad value is refused with its field, and nothing of the
set is stored."""

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from lindung.core.markings import TLP
from lindung.maritime.models import FacilitatorReference, Incident, PersonsOnBoard, Vessel
from lindung.sharing import exchange, stix
from lindung.sharing.exchange import ExchangeRefused
from lindung.sharing.models import ImportedObject

from .factories import make_agreement, make_incident, make_peer, receive_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(org_a, org_b):
    """Org A's collection for org B (two incidents), and org B's side of the agreement."""
    make_incident(org_a, tlp=TLP.GREEN)
    make_incident(org_a, tlp=TLP.GREEN)
    agreement = make_agreement(org_a, make_peer(org_a, name="node-b", partners=[org_b]), [org_b])
    objects = exchange.export_bundle(agreement)["objects"]
    peer = make_peer(org_b, name="node-a", partners=[org_a])
    return {"objects": objects, "receiving": make_agreement(org_b, peer, [org_a], reference="wio-in")}


def _import(sent, objects):
    agreement = sent["receiving"]
    return receive_objects(agreement, objects, full_validation=False)


def _last(objects, kind):
    return [o for o in objects if o["type"] == kind][-1]


def _incident(objects):
    return _last(objects, "report")["extensions"][stix.INCIDENT_EXTENSION_ID]


def _vessel(objects):
    return _last(objects, "report")["extensions"][stix.VESSEL_EXTENSION_ID]


def _persons(objects):
    return _incident(objects)["persons_breakdown"]


def _no_location(objects):
    report = _last(objects, "report")
    report["object_refs"] = [r for r in report["object_refs"] if not r.startswith("location--")]


def _future():
    return stix.timestamp(timezone.now() + timedelta(days=1))


BAD = [
    ("latitude", lambda o: _last(o, "location").update(latitude=123.0)),
    ("longitude", lambda o: _last(o, "location").update(longitude=-181.5)),
    ("latitude", lambda o: _last(o, "location").update(latitude=12.1234567)),
    ("longitude", lambda o: _last(o, "location").pop("longitude")),
    ("area", lambda o: [_no_location(o), _incident(o).pop("area", None)]),
    ("area", lambda o: [_last(o, "location").pop("name"), _incident(o).update(area=None)]),
    ("area", lambda o: _last(o, "location").update(name="x" * 201)),
    ("occurred_at", lambda o: _incident(o).update(occurred_at=_future())),
    ("incident_type", lambda o: _incident(o).update(incident_type="teleportation")),
    ("incident_type", lambda o: _incident(o).pop("incident_type")),
    ("outcome", lambda o: _incident(o).update(outcome="vanished")),
    ("outcome", lambda o: _incident(o).update(outcome=None)),
    ("departure_country", lambda o: _incident(o).update(departure_country="XXX")),
    ("departure_longitude", lambda o: _incident(o).update(departure_latitude=-11.7)),
    ("dead", lambda o: _incident(o).update(dead=-4)),
    ("survivors", lambda o: _incident(o).update(survivors="many")),
    ("persons_on_board", lambda o: _incident(o).update(persons_on_board=3)),
    ("cause_of_death", lambda o: _incident(o).update(cause_of_death="drowning", dead=0, missing=0)),
    ("source_reliability", lambda o: _incident(o).update(source_reliability="Z")),
    ("source_url", lambda o: _incident(o).update(source_url="not a link")),
    ("version", lambda o: _incident(o).update(version=-1)),
    ("vessel: vessel_type", lambda o: _vessel(o).update(vessel_type="submarine")),
    ("vessel: flag", lambda o: _vessel(o).update(vessel_flag="XXX")),
    ("vessel: length_m", lambda o: _vessel(o).update(vessel_length_m=900.0)),
    ("vessel: engine_power_hp", lambda o: _vessel(o).update(vessel_engine_power_hp=-5)),
    ("vessel: mmsi", lambda o: _vessel(o).update(vessel_mmsi="12345")),
    ("vessel: name", lambda o: _vessel(o).update(vessel_name="x" * 201)),
    ("persons on board: count", lambda o: _persons(o)[0].update(count=0)),
    ("persons on board: nationality", lambda o: _persons(o)[0].update(nationality="XX")),
]


@pytest.mark.parametrize("field,mutate", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_a_bad_value_is_refused_with_its_field_and_nothing_is_stored(sent, field, mutate):
    objects = copy.deepcopy(sent["objects"])
    mutate(objects)
    with pytest.raises(ExchangeRefused) as refused:
        _import(sent, objects)
    report_id = _last(objects, "report")["id"]
    assert refused.value.message.startswith(f"{report_id}: {field}"), refused.value.message
    assert refused.value.object_id == report_id and refused.value.status == 400
    assert not Incident.objects.exclude(origin_node="").exists()
    assert not Vessel.objects.exclude(origin_node="").exists()
    assert not FacilitatorReference.objects.exclude(origin_node="").exists()
    assert PersonsOnBoard.objects.count() == 4  # the sender's own
    assert not ImportedObject.objects.exists()


def test_good_values_are_stored_as_sent(sent, org_a):
    result = _import(sent, sent["objects"])
    assert result.created == 2
    original = Incident.objects.filter(origin_node="").order_by("pk").last()
    copy_ = Incident.objects.get(origin_id=original.stix_id)
    assert stix.timestamp(copy_.occurred_at) == stix.timestamp(original.occurred_at)
    for name in ("incident_type", "latitude", "longitude", "area", "dead", "missing", "survivors",
                 "persons_on_board", "route", "departure_country", "source_reliability"):  # fmt: skip
        assert getattr(copy_, name) == getattr(original, name), name
    assert (copy_.organisation, copy_.tlp, copy_.sharing_group) == (org_a, TLP.GREEN, None)
    vessel, sent_vessel = copy_.vessel, original.vessel
    assert (vessel.vessel_type, vessel.length_m, vessel.mmsi) == (
        "dhow",
        sent_vessel.length_m,
        sent_vessel.mmsi,
    )
    assert vessel.origin_node == "node-a" and vessel.organisation == org_a
    assert sorted(copy_.persons.values_list("sex", "count")) == [("F", 12), ("M", 28)]
    imported = ImportedObject.objects.get(stix_id=copy_.origin_id)
    assert imported.object_id == str(copy_.pk) and imported.modified == copy_.modified_at
