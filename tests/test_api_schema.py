"""Schemathesis fuzzes every operation of /api/v1/schema/ through the WSGI app, signed in as a
user holding every role, and fails on any 5xx or any response that breaks the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from lindung.core.models import Membership, Organisation, User
from lindung.core.roles import Role
from lindung.core.services import api_token_create

# Django's application, not lindung.wsgi's: that one checks the keys against the database when it
# is imported (for gunicorn), and test collection may not touch the database.
application = get_wsgi_application()

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Schemathesis calls the WSGI app directly, so Django's request signals would close the
    test's database connection after every request (fatal on PostgreSQL inside the test
    transaction). Django's own test client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_headers(db):
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
def test_schema_lists_the_core_operations():
    paths = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application).raw_schema["paths"]
    for expected in ("/api/v1/me/", "/api/v1/organisations/", "/api/v1/tokens/", "/api/v1/audit/"):
        assert expected in paths
