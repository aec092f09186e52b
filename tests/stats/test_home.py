"""The data manager's home panels: imports by status and releases with the privacy budget left,
each count as its linked page shows it, never another organisation's imports."""

import pytest
from django.test import Client

from lindung.core.roles import Role
from lindung.standard import services as standard_services
from lindung.standard.models import ImportBatch, Profile
from lindung.stats import selectors
from lindung.stats.models import PrivacyBudgetEntry
from tests.home_lists import listed, panel_counts

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _batch(user, org, status):
    batch = standard_services.batch_create(
        acting_user=user, organisation=org, file_name="test.csv", data=b"x", profile=Profile.LINDUNG
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)


def test_imports_by_status_and_budget_left(org_a, org_b, make_user):
    manager = make_user(org_a, Role.DATA_MANAGER)
    other = make_user(org_b, Role.DATA_MANAGER)
    _batch(manager, org_a, ImportBatch.Status.DONE)
    _batch(manager, org_a, ImportBatch.Status.DONE)
    _batch(manager, org_a, ImportBatch.Status.REJECTED)
    _batch(other, org_b, ImportBatch.Status.DONE)
    PrivacyBudgetEntry.objects.create(
        organisation=org_a, spent_by=manager, epsilon=1.5, indicator="test", query_key="test", fingerprint="f"
    )
    client = _client(manager)
    panels = panel_counts(client)
    imports = {label: value for label, value, _url in panels["imports"]}
    assert (
        imports["Imported"] == 2 and imports["Rejected: the file has errors"] == 1 and imports["Failed"] == 0
    )
    releases = {label: value for label, value, _url in panels["releases"]}
    assert releases["Releases"] == 0
    assert releases["Privacy budget left this year (ε)"] == pytest.approx(selectors.budget_remaining(org_a))
    assert releases["Privacy budget left this year (ε)"] < 5.0
    for key in ("imports", "releases"):
        for label, value, url in panels[key]:
            assert listed(client, url) == pytest.approx(value), (key, label)


def test_the_import_list_ignores_an_unknown_status(org_a, make_user):
    manager = make_user(org_a, Role.DATA_MANAGER)
    _batch(manager, org_a, ImportBatch.Status.DONE)
    response = _client(manager).get("/standard/imports/?status=%3Cx%3E")
    assert response.status_code == 200 and response.context["total"] == 1
