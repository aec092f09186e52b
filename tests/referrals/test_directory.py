"""The directory: search by need, place and language; CSV and HXL export; services added and
changed by their own providers only, with clear errors; the needs-versus-services table."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from lindung.core.roles import Role
from lindung.referrals import selectors
from lindung.referrals.models import Service


@pytest.fixture
def directory(make_service, org_b):
    return [
        make_service(
            "medical_care", name="Clinic Bangkok", languages=["tha", "mya"], latitude=13.75, longitude=100.5
        ),
        make_service("shelter", name="Shelter Chiang Mai", place="Chiang Mai", languages=["tha"]),
        make_service(
            "legal_assistance",
            org=org_b,
            name="Legal KL",
            country="MYS",
            place="Kuala Lumpur",
            languages=["msa", "eng"],
            coverage_area="Selangor and Kuala Lumpur",
        ),
    ]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"need": "medical_care"}, {"Clinic Bangkok"}),
        ({"country": "THA"}, {"Clinic Bangkok", "Shelter Chiang Mai"}),
        ({"place": "chiang"}, {"Shelter Chiang Mai"}),
        ({"place": "selangor"}, {"Legal KL"}),
        ({"language": "mya"}, {"Clinic Bangkok"}),
        ({"language": "eng", "country": "MYS"}, {"Legal KL"}),
        ({"need": "shelter", "country": "MYS"}, set()),
    ],
)
def test_search_by_need_place_and_language(directory, make_user, org_a, filters, expected):
    user = make_user(org_a, Role.CASEWORKER)
    assert {s.name for s in selectors.services_search(user, **filters)} == expected


@pytest.mark.django_db
def test_directory_page_filters_and_refuses_bad_language(directory, make_user, org_a):
    client = _client(make_user(org_a, Role.CASEWORKER))
    page = client.get(reverse("referrals:service_list"), {"need": "shelter"}).content.decode()
    assert "Shelter Chiang Mai" in page and "Clinic Bangkok" not in page
    page = client.get(reverse("referrals:service_list"), {"language": "zz9"}).content.decode()
    assert "not an ISO 639-3 language code" in page


@pytest.mark.django_db
def test_csv_and_hxl_export(directory, make_user, org_a):
    client = _client(make_user(org_a, Role.CASEWORKER))
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("referrals:service_export", args=["csv"])).content.decode())
        )
    )
    assert rows[0][:3] == ["organisation", "service", "service_type"] and len(rows) == 4
    response = client.get(reverse("referrals:service_export", args=["hxl"]), {"country": "THA"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    tags = rows[1]
    for tag in (
        "#org",
        "#service+type",
        "#loc+name",
        "#geo+lat",
        "#geo+lon",
        "#contact+phone",
        "#contact+email",
    ):
        assert tag in tags
    assert len(rows) == 4  # header, hashtags, two Thai services
    clinic = (
        dict(zip(tags, rows[2], strict=True))
        if rows[2][1] == "Clinic Bangkok"
        else dict(zip(tags, rows[3], strict=True))
    )
    assert clinic["#geo+lat"] == "13.75000" and clinic["#service+type+code"] == "medical_care"
    assert client.get("/referrals/services/export.pdf").status_code == 404


@pytest.mark.django_db
def test_provider_adds_and_edits_own_services_only(directory, make_user, provider_org, org_b):
    provider = make_user(provider_org, Role.SERVICE_PROVIDER)
    client = _client(provider)
    data = {
        "name": "Night clinic",
        "service_type": "medical_care",
        "country": "THA",
        "place": "Bangkok",
        "languages": "tha eng",
        "answer_days": 2,
        "active": "on",
    }
    response = client.post(reverse("referrals:service_create"), {**data, "languages": "tha klingon"})
    assert "Not ISO 639-3" in response.content.decode()
    response = client.post(reverse("referrals:service_create"), {**data, "latitude": "95"})
    assert response.status_code == 200 and not Service.objects.filter(name="Night clinic").exists()
    response = client.post(reverse("referrals:service_create"), {**data, "latitude": "13.7"})
    assert "both latitude and longitude" in response.content.decode()
    response = client.post(reverse("referrals:service_create"), data)
    service = Service.objects.get(name="Night clinic")
    assert service.organisation == provider_org and service.languages == ["tha", "eng"]
    response = client.post(reverse("referrals:service_edit", args=[service.pk]), {**data, "answer_days": 5})
    service.refresh_from_db()
    assert service.answer_days == 5
    foreign = Service.objects.get(name="Legal KL")
    assert client.get(reverse("referrals:service_edit", args=[foreign.pk])).status_code == 404
    other_provider = make_user(org_b, Role.CASEWORKER)
    assert (
        _client(other_provider).get(reverse("referrals:service_edit", args=[service.pk])).status_code == 404
    )


@pytest.mark.django_db
def test_needs_versus_services_by_place(directory, make_user, org_a, completed):
    from tests.screening.conftest import ANSWERS

    user = make_user(org_a, Role.CASEWORKER)
    completed(user)  # Bangkok: medical care, shelter, documentation, ...
    completed(user, answers={**ANSWERS, "interview_country": "IDN", "interview_place": "Batam"})
    rows = {(r["country"], r["place"], r["service_type"]): r for r in selectors.needs_vs_services(user)}
    medical = rows[("THA", "Bangkok", "medical_care")]
    assert medical["needs"] == 1 and medical["services_here"] == 1
    documentation = rows[("THA", "Bangkok", "documentation")]
    assert documentation["services_here"] == 0 and documentation["services_in_country"] == 0
    shelter = rows[("THA", "Bangkok", "shelter")]
    assert shelter["services_here"] == 0 and shelter["services_in_country"] == 1  # Chiang Mai
    assert list(rows)[0][2] != "medical_care"  # gaps first
    page = _client(user).get(reverse("referrals:needs_map")).content.decode()
    assert "no service in the country" in page and "Batam" in page
