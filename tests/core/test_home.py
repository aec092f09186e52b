"""The home page's frame (panels found by name in each app, rendered as tables with a bar per
count) and core's own panel: the auditor's refusals and exports, and the chain's anchor."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from lindung.core import home, policy
from lindung.core.audit import anchor_write, audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Role
from tests.home_lists import listed, panel_counts

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_panels_come_from_each_apps_home_module_in_layer_order():
    names = [module.__name__ for module in home.home_modules()]
    assert names[0] == "lindung.core.home"
    assert {"lindung.cases.home", "lindung.referrals.home", "lindung.maritime.home"} <= set(names)
    assert names.index("lindung.cases.home") < names.index("lindung.notifications.home")


def test_every_count_is_a_link_with_a_bar_and_its_number_as_text(org_a, make_user):
    client = _client(make_user(org_a, Role.SUPERVISOR))
    page = client.get("/").content.decode()
    assert 'id="panel-approvals"' in page
    assert '<a href="/cases/?awaiting_approval=on" data-count="0">0</a>' in page
    assert '<meter min="0" max="1" value="0"' in page
    # The roles section stays; the grid of links gave way to the panels (the links are in the nav).
    assert "Your roles" in page and 'class="cards"' not in page


def _refuse(user, obj):
    with pytest.raises(PermissionDenied):
        policy.require(user, policy.CHANGE, obj)


def test_auditor_counts_refusals_and_exports_of_their_organisation(org_a, org_b, make_user):
    auditor = make_user(org_a, Role.AUDITOR)
    stranger = make_user(org_b, Role.CASEWORKER)
    _refuse(stranger, org_a)  # refused, logged under org A
    _refuse(stranger, org_b)  # org B's member, org B's record: not the auditor's
    audit_record(action=AuditAction.PERSONAL_DATA_EXPORTED, actor=auditor, organisation_id=org_a.pk)
    audit_record(action=AuditAction.INCIDENTS_EXPORTED, actor=auditor, organisation_id=org_a.pk)
    audit_record(action=AuditAction.PERSONAL_DATA_EXPORTED, actor=stranger, organisation_id=org_b.pk)
    client = _client(auditor)
    panels = panel_counts(client)
    assert {label: value for label, value, _url in panels["audit"]} == {"Refusals": 1, "Exports": 2}
    for _label, value, url in panels["audit"]:
        assert listed(client, url) == value


def test_chain_status_names_the_last_anchor(org_a, make_user, settings, tmp_path):
    settings.LINDUNG_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors")
    assert "no anchor" in home.chain_status()
    anchored = anchor_write()
    audit_record(action=AuditAction.DEMO_LOADED)
    status = home.chain_status()
    assert f"entry {anchored['id']}" in status and "1 entries written since" in status
    (tmp_path / "anchors").write_text("forged line\n")
    assert "does not verify" in home.chain_status()


def test_the_audit_log_kind_filter_refuses_an_unknown_kind(org_a, make_user):
    response = _client(make_user(org_a, Role.AUDITOR)).get("/audit/?kind=everything")
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["kind"][0].code == "invalid_choice"
