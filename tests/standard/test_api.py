"""The standard's API: read-only versions, variables, code lists; validation of an upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from lindung.core.roles import Role

from .helpers import LINDUNG_ROW, lindung_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for(make_user):
    def make(org, *roles):
        client = APIClient()
        client.force_authenticate(make_user(org, *roles))
        return client

    return make


def test_anonymous_is_refused():
    assert APIClient().get("/api/v1/standard/versions/").status_code in (401, 403)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.DATA_MANAGER, Role.RESEARCHER])
def test_read_endpoints_for_any_role(api_for, org_a, role):
    client = api_for(org_a, role)
    versions = client.get("/api/v1/standard/versions/").json()
    assert [v["version"] for v in versions][:2] == ["1.0", "0.9"]
    assert client.get("/api/v1/standard/versions/0.9/").json()["status"] == "draft"
    person = client.get("/api/v1/standard/variables/", {"domain": "person"}).json()
    assert "wg_seeing" in {v["id"] for v in person}
    sex = client.get("/api/v1/standard/variables/sex/").json()
    assert sex["crosswalk"]["ctdc"] == "gender" and sex["sensitivity"] == "quasi_identifier"
    old = client.get("/api/v1/standard/code-lists/age_group/", {"version": "0.9"}).json()
    assert [c["code"] for c in old["codes"]][0] == "0-17"
    lists = client.get("/api/v1/standard/code-lists/").json()
    assert {"id": "case_outcome"}.items() <= next(cl for cl in lists if cl["id"] == "case_outcome").items()


def test_bad_parameters_are_4xx(api_for, org_a):
    client = api_for(org_a, Role.CASEWORKER)
    assert client.get("/api/v1/standard/variables/", {"version": "x"}).status_code == 400
    assert client.get("/api/v1/standard/variables/nope/").status_code == 404
    assert client.get("/api/v1/standard/code-lists/nope/").status_code == 404
    assert client.get("/api/v1/standard/versions/9.9/").status_code == 404


def test_validate_endpoint(api_for, org_a):
    client = api_for(org_a, Role.DATA_MANAGER)
    data = lindung_csv(LINDUNG_ROW, "2022,hotline,F,18-20,adult,QQQ")
    body = client.post(
        "/api/v1/standard/validate/", {"file": SimpleUploadedFile("f.csv", data)}, format="multipart"
    ).json()
    assert body["valid"] is False and body["rows"] == 2 and body["valid_rows"] == 1
    assert body["error_list"] == [
        {
            "row": 3,
            "column": "citizenship",
            "value": "QQQ",
            "rule": "value.not_in_list",
            "message": "citizenship holds a code that is not in code list country.",
        }
    ]
    ok = client.post(
        "/api/v1/standard/validate/",
        {
            "file": SimpleUploadedFile("f.csv", lindung_csv(LINDUNG_ROW)),
            "profile": "lindung",
            "version": "1.0",
        },
        format="multipart",
    )
    assert ok.json()["valid"] is True


def test_validate_endpoint_bad_input(api_for, org_a, settings):
    client = api_for(org_a, Role.DATA_MANAGER)
    assert client.post("/api/v1/standard/validate/", {}, format="multipart").status_code == 400
    missing_version = client.post(
        "/api/v1/standard/validate/",
        {"file": SimpleUploadedFile("f.csv", lindung_csv(LINDUNG_ROW)), "version": "2.5"},
        format="multipart",
    )
    assert missing_version.status_code == 400
    junk = client.post(
        "/api/v1/standard/validate/",
        {"file": SimpleUploadedFile("f.csv", b"\x00\xff" * 500)},
        format="multipart",
    ).json()
    assert junk["readable"] is False and junk["error_list"][0]["rule"] == "file.binary"
    settings.LINDUNG_STANDARD_MAX_UPLOAD_MB = 0
    assert (
        client.post(
            "/api/v1/standard/validate/",
            {"file": SimpleUploadedFile("f.csv", lindung_csv(LINDUNG_ROW))},
            format="multipart",
        ).status_code
        == 400
    )


def test_validate_endpoint_refuses_other_roles(api_for, org_a):
    client = api_for(org_a, Role.CASEWORKER, Role.ANALYST)
    response = client.post(
        "/api/v1/standard/validate/", {"file": SimpleUploadedFile("f.csv", b"a\n1\n")}, format="multipart"
    )
    assert response.status_code == 403


def test_import_endpoint_all_or_nothing_or_the_valid_rows(api_for, org_a, org_b):
    from lindung.standard.models import StandardRecord

    client = api_for(org_a, Role.DATA_MANAGER)
    data = lindung_csv(LINDUNG_ROW, "2022,hotline,Q,18-20,adult,PHL")

    def send(**extra):
        return client.post(
            "/api/v1/standard/imports/",
            {"file": SimpleUploadedFile("f.csv", data), "profile": "lindung", **extra},
            format="multipart",
        )

    refused = send()
    assert refused.status_code == 201 and refused.json()["status"] == "rejected"
    first = refused.json()["first_errors"][0]
    assert (first["row"], first["column"], first["rule"]) == (3, "sex", "value.not_in_list")
    assert StandardRecord.objects.count() == 0
    partial = send(partial="true").json()
    assert (partial["status"], partial["imported"], partial["skipped"], partial["invalid_rows"]) == (
        "done",
        1,
        1,
        1,
    )
    assert send(organisation=org_b.pk).status_code == 403
    assert (
        api_for(org_a, Role.ANALYST).post("/api/v1/standard/imports/", {}, format="multipart").status_code
        == 403
    )
