"""Incident validation and writes: positions, times, counts, markings, facilitators, audit, versions."""

import base64
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from lindung.core import crypto
from lindung.core.markings import TLP, Distribution
from lindung.core.models import AuditEntry, DataKey, SharingGroup
from lindung.core.roles import Role
from lindung.maritime import services
from lindung.maritime.models import Attachment, Incident, Vessel

pytestmark = pytest.mark.django_db


def errors_of(excinfo):
    return (
        excinfo.value.message_dict if hasattr(excinfo.value, "error_dict") else {"": excinfo.value.messages}
    )


def test_create_records_children_and_audit(make_incident):
    incident = make_incident(
        persons=[
            {"sex": "F", "age_group": "18-20", "nationality": "COM", "count": 5},
            {"sex": "M", "age_group": "unknown", "nationality": "", "count": 10},
        ],
        facilitators=[("NET-17", "Demo network"), "FAC-0042"],
        new_vessel={"vessel_type": "kwassa", "mmsi": "123456789", "length_m": Decimal("8.5")},
    )
    assert incident.persons.count() == 2
    assert sorted(incident.facilitators.values_list("reference", flat=True)) == ["FAC-0042", "NET-17"]
    assert incident.vessel.mmsi == "123456789" and incident.vessel.organisation_id == incident.organisation_id
    assert incident.stix_id == f"report--{incident.uuid}" and incident.is_local and incident.version == 1
    entry = AuditEntry.objects.filter(action="maritime.incident_created").get()
    assert entry.object_id == str(incident.pk) and entry.detail["tlp"] == TLP.AMBER
    assert AuditEntry.objects.filter(action="maritime.vessel_created").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": Decimal("91")}, "latitude"),
        ({"longitude": Decimal("-180.5")}, "longitude"),
        ({"latitude": Decimal("10"), "longitude": None}, "longitude"),
        ({"departure_latitude": Decimal("10")}, "departure_longitude"),
        (
            {"disembarkation_latitude": Decimal("-95"), "disembarkation_longitude": Decimal("10")},
            "disembarkation_latitude",
        ),
        ({"occurred_at": timezone.now() + datetime.timedelta(hours=2)}, "occurred_at"),
        ({"occurred_at": datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)}, "occurred_at"),
        ({"occurred_at": datetime.datetime(1899, 12, 31, tzinfo=datetime.UTC)}, "occurred_at"),
        ({"persons_on_board": 10, "dead": 5, "missing": 4, "survivors": 3}, "persons_on_board"),
        ({"latitude": None, "longitude": None, "area": "", "location_description": ""}, "area"),
        ({"distribution": Distribution.SHARING_GROUP}, "sharing_group"),
        ({"cause_of_death": "drowning", "dead": 0, "missing": 0}, "cause_of_death"),
        ({"incident_type": "picnic"}, "incident_type"),
        ({"route": "moon"}, "route"),
        ({"tlp": "purple"}, "tlp"),
        ({"source_reliability": "Z"}, "source_reliability"),
        ({"departure_country": "XXX"}, "departure_country"),
    ],
)
def test_invalid_incidents_are_refused_with_the_field_named(make_incident, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        make_incident(**overrides)
    assert field in errors_of(excinfo)
    assert not Incident.objects.exists()
    assert not AuditEntry.objects.filter(action="maritime.incident_created").exists()
    refused = AuditEntry.objects.filter(action="maritime.incident_refused").get()
    assert field in refused.detail["fields"]


@pytest.mark.parametrize(
    ("persons", "message"),
    [
        ([{"sex": "Q", "age_group": "18-20", "count": 1}], "unknown sex code"),
        ([{"sex": "F", "age_group": "old", "count": 1}], "unknown age group"),
        ([{"sex": "F", "age_group": "18-20", "nationality": "ZZZ", "count": 1}], "unknown nationality"),
        ([{"sex": "F", "age_group": "18-20", "count": 0}], "at least 1"),
        ([{"sex": "F", "age_group": "18-20", "count": 1}] * 2, "repeats"),
        ([{"sex": "F", "age_group": "18-20", "count": 25}], "more than the 20 on board"),
    ],
)
def test_inconsistent_persons_are_refused(make_incident, persons, message):
    with pytest.raises(ValidationError) as excinfo:
        make_incident(persons=persons)
    assert message in " ".join(errors_of(excinfo)["persons"])
    assert not Incident.objects.exists()


@pytest.mark.parametrize("reference", ["John Smith", "the tall man from the port", "", "x"])
def test_facilitators_must_be_opaque_references(make_incident, reference):
    with pytest.raises(ValidationError) as excinfo:
        make_incident(facilitators=[reference])
    assert "facilitators" in errors_of(excinfo)


def test_bad_vessel_rolls_back_the_incident(make_incident):
    with pytest.raises(ValidationError) as excinfo:
        make_incident(new_vessel={"vessel_type": "kwassa", "mmsi": "12AB"})
    assert "mmsi" in errors_of(excinfo)
    assert not Incident.objects.exists() and not Vessel.objects.exists()


def test_sharing_group_must_include_the_owner(make_incident, org_b):
    group = SharingGroup.objects.create(name="Others only")
    group.organisations.add(org_b)
    with pytest.raises(ValidationError) as excinfo:
        make_incident(distribution=Distribution.SHARING_GROUP, sharing_group=group)
    assert "sharing_group" in errors_of(excinfo)


def test_vessel_of_another_organisation_is_refused(make_incident, org_b):
    other = Vessel.objects.create(organisation=org_b, vessel_type="dhow")
    with pytest.raises(ValidationError) as excinfo:
        make_incident(vessel=other)
    assert "vessel" in errors_of(excinfo)


def test_roles_that_may_not_record(org_a, org_b, make_user, make_incident):
    for role in (Role.CASEWORKER, Role.RESEARCHER, Role.ADMINISTRATOR, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            make_incident(user=make_user(org_a, role))
    with pytest.raises(PermissionDenied):
        make_incident(user=make_user(org_b, Role.ANALYST))  # analyst, but of another organisation
    assert not Incident.objects.exists()


def test_update_bumps_version_and_audits_field_names(make_incident, analyst_a):
    incident = make_incident()
    updated = services.incident_update(
        acting_user=analyst_a, incident=incident, dead=2, survivors=16, tlp=TLP.GREEN
    )
    assert (updated.version, updated.dead, updated.tlp) == (2, 2, TLP.GREEN)
    assert updated.modified_at > incident.modified_at
    entry = AuditEntry.objects.filter(action="maritime.incident_updated").get()
    assert entry.detail == {"fields": ["dead", "survivors", "tlp"], "version": 2}


def test_update_refused_for_other_organisation_and_received_incidents(
    make_incident, make_user, org_b, analyst_a
):
    incident = make_incident()
    with pytest.raises(PermissionDenied):
        services.incident_update(acting_user=make_user(org_b, Role.ANALYST), incident=incident, dead=0)
    Incident.objects.filter(pk=incident.pk).update(
        origin_node="https://node-b.example", origin_id="report--x"
    )
    incident.refresh_from_db()
    with pytest.raises(ValidationError):
        services.incident_update(acting_user=analyst_a, incident=incident, dead=0)
    with pytest.raises(ValidationError, match="Unknown field"):
        services.incident_update(acting_user=analyst_a, incident=make_incident(), organisation=org_b)


PNG = b"\x89PNG\r\n\x1a\n...."


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("page.html", b"<script>alert(1)</script>", "text/plain"),  # a page, declared as text
        ("scan.pdf", PNG, "application/pdf"),  # a picture, named and declared a PDF
        ("photo.png", b"MZ\x90\x00", "image/png"),  # a program, declared a picture
        ("log.txt", b"\x00\x01binary", "text/plain"),  # binary, declared text
    ],
)
def test_attachment_type_comes_from_the_content_not_the_declaration(
    make_incident, analyst_a, name, content, declared
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            acting_user=analyst_a,
            incident=make_incident(),
            title="Log",
            uploaded_file=SimpleUploadedFile(name, content, content_type=declared),
        )
    assert [e.code for e in refused.value.error_dict["file"]] == ["file.type"]
    assert not Attachment.objects.exists()


def test_attachment_stores_the_sniffed_type(make_incident, analyst_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    stored = services.attachment_add(
        acting_user=analyst_a,
        incident=make_incident(),
        title="Log",
        uploaded_file=SimpleUploadedFile("log.txt", b"plain log\n", content_type="application/pdf"),
    )
    assert stored.content_type == "text/plain"


def test_attachment_checks_type_size_and_marking(make_incident, analyst_a, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    incident = make_incident()
    ok = services.attachment_add(
        acting_user=analyst_a,
        incident=incident,
        title="Patrol photo",
        uploaded_file=SimpleUploadedFile("photo of someone.png", PNG, content_type="image/png"),
        tlp=TLP.RED,
    )
    assert ok.sha256 and ok.size == len(PNG)
    stored = Attachment.objects.get(pk=ok.pk)
    assert stored.content == PNG and stored.organisation_id == incident.organisation_id
    with connection.cursor() as cursor:  # sealed in the database, never written to disk
        cursor.execute("SELECT content FROM maritime_attachment WHERE id = %s", [ok.pk])
        raw = cursor.fetchone()[0]
    key = DataKey.objects.get(pk=crypto.token_key_id(raw))
    assert key.organisation_id == incident.organisation_id
    assert base64.b64encode(b"\x89PNG").decode() not in raw
    assert not (settings.MEDIA_ROOT / "maritime").exists()
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(
            acting_user=analyst_a,
            incident=incident,
            title="",
            uploaded_file=SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload"),
            tlp="pink",
        )
    assert {"file", "title", "tlp"} <= set(excinfo.value.message_dict)
