"""Schemathesis over the screening and referrals operations only (the shared suite fuzzes the
whole API); signed in as a user holding every role, with the demo directory loaded."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from lindung.core.models import Membership, Organisation, User
from lindung.core.roles import Role
from lindung.core.services import api_token_create
from lindung.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application).include(
    path_regex=r"^/api/v1/(screening|referrals)/"
)


@pytest.fixture
def api_headers(db):
    from lindung.screening.services import load_shipped_instrument

    load_shipped_instrument()
    org = Organisation.objects.create(name="Fuzz org", kind="ngo", country="THA")
    user = User.objects.create_user(username="fuzzer", password="fuzzer-password-1")
    for role in Role:
        Membership.objects.create(user=user, organisation=org, role=role)
    _token, secret = api_token_create(acting_user=user, name="fuzz")
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_operation(case, api_headers):
    case.call_and_validate(headers=api_headers, checks=[not_a_server_error, response_schema_conformance])


@pytest.mark.django_db
def test_schema_lists_screening_and_referral_operations():
    paths = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application).raw_schema["paths"]
    for expected in (
        "/api/v1/screening/instruments/",
        "/api/v1/screening/interviews/",
        "/api/v1/referrals/services/",
        "/api/v1/referrals/referrals/",
        "/api/v1/referrals/referrals/{id}/answer/",
    ):
        assert expected in paths
