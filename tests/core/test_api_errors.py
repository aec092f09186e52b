"""The API under hostile input: deep JSON, absurd page sizes and Unicode digits are refused with a
code, never a 500; a page never holds more than API_MAX_LIMIT rows; a refusal is audited once."""

import pytest
from django.test import Client

from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Organisation
from lindung.core.paging import API_MAX_LIMIT
from lindung.core.parsing import MAX_JSON_DEPTH
from lindung.core.roles import Role


@pytest.fixture
def api(org_a, client_for):
    return client_for(org_a, *Role)


def _get_paths(api) -> dict[str, bool]:
    """{path: pages with limit/offset} for every GET without a path parameter."""
    schema = api.get("/api/v1/schema/?format=json").json()
    return {
        path: any(p["name"] == "limit" for p in operations["get"].get("parameters", []))
        for path, operations in schema["paths"].items()
        if "{" not in path and "get" in operations
    }


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_refused_with_a_code(api, depth):
    body = "[" * depth + "]" * depth
    response = api.post("/api/v1/tokens/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_json_within_the_nesting_limit_is_still_read(api):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    response = api.post(
        "/api/v1/tokens/", f'{{"name": "n", "days": 5, "x": {nested}}}', content_type="application/json"
    )
    assert response.status_code == 201


def test_every_list_endpoint_survives_absurd_paging(api):
    paths = _get_paths(api)
    assert sum(paths.values()) >= 15, paths  # the walk covers the API, not a handful of routes
    for path, paged in paths.items():
        huge = api.get(path, {"limit": "99999999999999999999", "offset": "0"})
        assert huge.status_code < 500, (path, huge.status_code)
        if not paged:
            continue
        assert huge.status_code == 200, (path, huge.status_code)
        far = api.get(path, {"offset": "99999999999999999999"})
        assert far.status_code == 400 and far.json()["codes"] == {"offset": ["max_value"]}, path
        for text, code in (
            ("²", "invalid"),
            ("٣", "invalid"),
            ("①", "invalid"),
            ("-5", "min_value"),
            ("", "required"),
        ):
            bad = api.get(path, {"limit": text})
            assert bad.status_code == 400 and bad.json()["codes"] == {"limit": [code]}, (path, text)


def test_a_page_holds_at_most_the_maximum(api):
    Organisation.objects.bulk_create(
        Organisation(name=f"Org {n}", kind=Organisation.Kind.NGO, country="THA")
        for n in range(API_MAX_LIMIT + 5)
    )
    page = api.get("/api/v1/organisations/", {"limit": "99999999999999999999"}).json()
    assert len(page["results"]) == API_MAX_LIMIT and page["count"] > API_MAX_LIMIT
    assert f"limit={API_MAX_LIMIT}" in page["next"]
    assert len(api.get("/api/v1/organisations/", {"limit": " +3 "}).json()["results"]) == 3


def test_schema_states_the_paging_bounds(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    limit = next(
        p for p in schema["paths"]["/api/v1/organisations/"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, API_MAX_LIMIT)


def test_a_refused_api_change_is_audited_once(org_a, client_for, make_user):
    from lindung.cases import services

    caseworker = make_user(org_a, Role.CASEWORKER)
    person = services.person_register(
        acting_user=caseworker, organisation=org_a, given_name="Refa", age_group="30-38"
    )
    case = services.case_open(acting_user=caseworker, person=person, case_type="avrr")
    auditor = client_for(org_a, Role.AUDITOR)  # may read cases, may not change them
    before = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).count()
    response = auditor.patch(
        f"/api/v1/cases/{case.pk}/", {"team": "x", "version": case.version}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).count() == before + 1


def test_a_refusal_outside_the_policy_is_audited_once_too(db):
    before = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).count()
    response = Client().get("/api/v1/me/")
    assert response.status_code in (401, 403) and response.json()["code"] == "not_authenticated"
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).count() == before
