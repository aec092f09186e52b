"""Pages: which roles may use them, what they show, and bad input through the browser forms."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lindung.core.markings import TLP, Distribution
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.maritime.models import Incident

pytestmark = pytest.mark.django_db

READ_PAGES = [
    ("maritime:incident_list", {}),
    ("maritime:map", {}),
    ("maritime:map_data", {}),
    ("maritime:export_geojson", {}),
    ("maritime:export_csv", {}),
    ("maritime:trend_csv", {"measure": "dead"}),
]
REFUSED_ROLES = [
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.RESEARCHER,
    Role.ADMINISTRATOR,
    Role.DATA_MANAGER,
    Role.SERVICE_PROVIDER,
    Role.AUDITOR,
    Role.ENGAGEMENT_COORDINATOR,
]


@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES)
def test_read_pages_allowed_to_analysts(client_for, org_a, make_incident, name, kwargs):
    make_incident()
    response = client_for(org_a, Role.ANALYST).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), [*READ_PAGES, ("maritime:incident_create", {})])
@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_pages_refused_to_roles_without_incident_capabilities(client_for, org_a, name, kwargs, role):
    assert client_for(org_a, role).get(reverse(name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), [*READ_PAGES, ("maritime:incident_create", {})])
def test_anonymous_is_sent_to_sign_in(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_detail_and_edit_by_organisation_and_marking(client_for, org_a, org_b, make_incident):
    private = make_incident(tlp=TLP.AMBER, distribution=Distribution.ORGANISATION, narrative="Synthetic note")
    community = make_incident(tlp=TLP.GREEN, distribution=Distribution.COMMUNITY, narrative="Synthetic note")
    owner = client_for(org_a, Role.ANALYST)
    other = client_for(org_b, Role.ANALYST)
    detail = owner.get(reverse("maritime:incident_detail", args=[private.pk]))
    assert detail.status_code == 200 and "Synthetic note" in detail.content.decode()
    assert AuditEntry.objects.filter(action="personal.viewed", object_id=str(private.pk)).exists()
    assert owner.get(reverse("maritime:incident_edit", args=[private.pk])).status_code == 200
    # Another organisation: AMBER for the owner only is invisible; GREEN community is readable,
    # without its narrative, and never editable.
    assert other.get(reverse("maritime:incident_detail", args=[private.pk])).status_code == 404
    shown = other.get(reverse("maritime:incident_detail", args=[community.pk]))
    assert shown.status_code == 200 and "Synthetic note" not in shown.content.decode()
    assert other.get(reverse("maritime:incident_edit", args=[community.pk])).status_code == 404
    assert other.post(reverse("maritime:attachment_add", args=[community.pk])).status_code == 404


def _form_data(**overrides):
    data = {
        "incident_type": "search_and_rescue",
        "occurred_at": (timezone.now() - datetime.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
        "latitude": "-12.61",
        "longitude": "44.71",
        "area": "Mozambique Channel",
        "route": "comoros_mayotte",
        "persons_on_board": "12",
        "dead": "0",
        "missing": "1",
        "survivors": "11",
        "tlp": "amber+strict",
        "distribution": "organisation",
        "facilitator_references": "NET-9, FAC-2",
        "persons-TOTAL_FORMS": "3",
        "persons-INITIAL_FORMS": "0",
        "persons-MIN_NUM_FORMS": "0",
        "persons-MAX_NUM_FORMS": "60",
        "persons-0-sex": "F",
        "persons-0-age_group": "24-26",
        "persons-0-nationality": "COM",
        "persons-0-count": "7",
        "persons-1-sex": "U",
        "persons-1-age_group": "unknown",
        "persons-1-nationality": "",
        "persons-1-count": "",
        "persons-2-sex": "U",
        "persons-2-age_group": "unknown",
        "persons-2-nationality": "",
        "persons-2-count": "",
        "vessel-vessel_type": "kwassa",
        "vessel-mmsi": "",
    }
    data.update(overrides)
    return data


def test_record_through_the_form(client_for, org_a):
    client = client_for(org_a, Role.ANALYST)
    response = client.post(reverse("maritime:incident_create"), _form_data())
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert incident.tlp == TLP.AMBER_STRICT and incident.organisation == org_a
    assert list(incident.persons.values_list("count", flat=True)) == [7]
    assert incident.vessel.vessel_type == "kwassa"
    assert sorted(incident.facilitators.values_list("reference", flat=True)) == ["FAC-2", "NET-9"]
    edit = client.post(
        reverse("maritime:incident_edit", args=[incident.pk]),
        _form_data(
            dead="1",
            missing="0",
            **{"vessel-vessel_type": "", "persons-INITIAL_FORMS": "1"},
            vessel=incident.vessel_id,
        ),
    )
    assert edit.status_code == 302
    incident.refresh_from_db()
    assert (incident.dead, incident.version) == (1, 2)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_at": (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")}, "future"),
        ({"latitude": "123"}, "less than or equal to 90"),
        ({"longitude": ""}, "both latitude and longitude"),
        ({"dead": "10", "survivors": "11"}, "exceed the persons on board"),
        ({"persons-0-count": "50"}, "more than the 12 on board"),
        ({"facilitator_references": "Mr Someone"}, "not a facilitator reference"),
        ({"vessel-mmsi": "12345"}, "nine digits"),
        ({"distribution": "sharing_group"}, "Choose the sharing group"),
        ({"tlp": "white"}, "Select a valid choice"),
    ],
)
def test_bad_form_input_is_shown_and_nothing_saved(client_for, org_a, overrides, message):
    response = client_for(org_a, Role.ANALYST).post(
        reverse("maritime:incident_create"), _form_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        'class="error-summary"' in response.content.decode() or "error-message" in response.content.decode()
    )
    assert not Incident.objects.exists()
    assert AuditEntry.objects.filter(action="maritime.incident_refused").count() == 1


def test_exports_contain_only_what_the_user_may_see_and_are_audited(client_for, org_a, org_b, make_incident):
    visible = make_incident(
        tlp=TLP.CLEAR,
        distribution=Distribution.CONNECTED,
        departure_latitude=Decimal("-12.2"),
        departure_longitude=Decimal("44.4"),
        disembarkation_latitude=Decimal("-12.78"),
        disembarkation_longitude=Decimal("45.26"),
    )
    hidden = make_incident(tlp=TLP.RED)
    other = client_for(org_b, Role.ANALYST)
    geo = json.loads(other.get(reverse("maritime:export_geojson")).content)
    ids = {f["properties"]["id"] for f in geo["features"]}
    assert ids == {visible.pk}
    kinds = sorted(f["geometry"]["type"] for f in geo["features"])
    assert kinds == ["LineString", "Point"]
    rows = list(csv.DictReader(io.StringIO(other.get(reverse("maritime:export_csv")).content.decode())))
    assert [int(r["id"]) for r in rows] == [visible.pk] and rows[0]["tlp"] == "clear"
    assert hidden.pk not in ids
    assert AuditEntry.objects.filter(action="maritime.incidents_exported").count() == 2
    owner_rows = list(
        csv.DictReader(
            io.StringIO(client_for(org_a, Role.ANALYST).get(reverse("maritime:export_csv")).content.decode())
        )
    )
    assert {int(r["id"]) for r in owner_rows} == {visible.pk, hidden.pk}


def test_filters_apply_to_map_data_and_trends(client_for, org_a, make_incident):
    now = timezone.now()
    make_incident(occurred_at=now - datetime.timedelta(days=40), route="comoros_mayotte", dead=1, missing=2)
    make_incident(
        occurred_at=now - datetime.timedelta(days=5),
        route="horn_of_africa_yemen",
        dead=3,
        missing=0,
        incident_type="shipwreck",
    )
    client = client_for(org_a, Role.ANALYST)
    data = client.get(reverse("maritime:map_data"), {"incident_type": "shipwreck"}).json()
    assert [f["properties"]["route"] for f in data["features"]] == ["horn_of_africa_yemen"]
    trend = list(
        csv.reader(io.StringIO(client.get(reverse("maritime:trend_csv", args=["dead"])).content.decode()))
    )
    assert trend[0] == ["month", "comoros_mayotte", "horn_of_africa_yemen", "total"]
    assert sum(int(r[-1]) for r in trend[1:]) == 4
    page = client.get(reverse("maritime:map"), {"route": "comoros_mayotte"}).content.decode()
    assert 'data-route="comoros_mayotte"' in page and 'data-route="horn_of_africa_yemen"' not in page
    assert client.get(reverse("maritime:trend_csv", args=["nothing"])).status_code == 404
    bad = client.get(reverse("maritime:incident_list"), {"date_from": "2024-05-01", "date_to": "2024-01-01"})
    assert bad.status_code == 200 and "before the start date" in bad.content.decode()


PNG = b"\x89PNG\r\n\x1a\n-bytes"  # a PNG signature: attachments are typed by their content


def test_attachments_upload_and_download(client_for, org_a, org_b, make_incident):
    incident = make_incident()
    owner = client_for(org_a, Role.ANALYST)
    response = owner.post(
        reverse("maritime:attachment_add", args=[incident.pk]),
        {
            "title": "Photo",
            "tlp": "amber",
            "file": SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    attachment = incident.attachments.get()
    url = reverse("maritime:attachment_download", args=[incident.pk, attachment.pk])
    download = owner.get(url)
    assert download.status_code == 200 and download.content == PNG
    assert download["Content-Disposition"].endswith('.png"')
    assert client_for(org_b, Role.ANALYST).get(url).status_code == 404
    refused = owner.post(
        reverse("maritime:attachment_add", args=[incident.pk]),
        {
            "title": "Program",
            "tlp": "amber",
            "file": SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload"),
        },
    )
    assert refused.status_code == 400 and incident.attachments.count() == 1


def test_attachment_marked_stricter_than_its_incident_stays_with_the_owner(
    client_for, org_a, org_b, make_incident
):
    from lindung.maritime import selectors, services

    incident = make_incident(tlp=TLP.GREEN, distribution=Distribution.COMMUNITY)
    owner = client_for(org_a, Role.ANALYST)
    for tlp in (TLP.GREEN, TLP.RED):
        services.attachment_add(
            acting_user=owner.user, incident=incident, title=f"file {tlp}", tlp=tlp,
            uploaded_file=SimpleUploadedFile("a.txt", b"synthetic", content_type="text/plain"),
        )  # fmt: skip
    other = client_for(org_b, Role.ANALYST)
    assert [a.tlp for a in selectors.attachments_of(other.user, incident)] == [TLP.GREEN]
    assert len(selectors.attachments_of(owner.user, incident)) == 2
    red = incident.attachments.get(tlp=TLP.RED)
    assert other.get(reverse("maritime:attachment_download", args=[incident.pk, red.pk])).status_code == 404
    page = other.get(reverse("maritime:incident_detail", args=[incident.pk])).content.decode()
    assert "file green" in page and "file red" not in page


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_object_pages_refused_to_roles_without_incident_capabilities(client_for, org_a, make_incident, role):
    incident = make_incident(tlp=TLP.CLEAR, distribution=Distribution.CONNECTED)
    client = client_for(org_a, role)  # same organisation, but no incident capability
    for name in ("maritime:incident_detail", "maritime:incident_edit"):
        assert client.get(reverse(name, args=[incident.pk])).status_code == 404
    assert client.post(reverse("maritime:attachment_add", args=[incident.pk])).status_code == 404
    assert client.post(reverse("maritime:incident_edit", args=[incident.pk]), _form_data()).status_code == 404
    incident.refresh_from_db()
    assert incident.version == 1
