"""Real headless Chromium: a sharing manager registers a peer, records an agreement, revokes it."""

import json

import pytest
from playwright.sync_api import expect

from lindung.core.roles import Role
from lindung.sharing.models import Peer, SharingAgreement
from tests.core.test_browser import axe_violations

pytestmark = [pytest.mark.browser]


def test_register_peer_record_and_revoke_agreement(page, live_server, login, make_user, org_a, org_b,
                                                    transactional_db):  # fmt: skip
    make_user(org_a, Role.ADMINISTRATOR, username="sharer")
    login("sharer")
    page.get_by_role("link", name="Sharing").first.click()
    page.get_by_role("link", name="Peer nodes").click()
    page.get_by_role("link", name="Register a peer node").click()
    page.get_by_label("Name of the peer node").fill("node-two")
    page.get_by_label("TAXII API root of the peer").fill("https://node-two.example.org/sharing/taxii2/api/")
    page.get_by_label("Administered by").select_option(str(org_a.pk))
    page.get_by_label(org_b.name).check()
    page.get_by_role("button", name="Save").click()
    secret = page.locator("code.secret").inner_text()
    assert len(secret) >= 32
    assert Peer.objects.get(name="node-two").incoming_secret_hash != secret
    assert not axe_violations(page), json.dumps(axe_violations(page), indent=1)

    page.goto(f"{live_server.url}/sharing/agreements/new/")
    page.get_by_label("Reference").fill("wio-browser")
    page.get_by_label("Title").fill("Browser agreement")
    page.get_by_label("Purpose").fill("Exchange of incidents at sea")
    page.get_by_label("Our party").select_option(str(org_a.pk))
    page.get_by_label("Peer node").select_option(label="node-two")
    page.locator("#id_partner_organisations").get_by_label(org_b.name).check()
    page.get_by_label("Incident (type, time, outcome, counts)").check()
    page.get_by_label("incident_type", exact=True).check()
    page.get_by_label("vessel_name", exact=True).check()  # outside the chosen categories
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "outside the chosen categories" in page.get_by_role("alert").inner_text()
    assert not SharingAgreement.objects.exists()

    page.get_by_label("vessel_name", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Browser agreement")).to_be_visible()
    expect(page.get_by_text("In force")).to_be_visible()
    assert not axe_violations(page), json.dumps(axe_violations(page), indent=1)

    page.get_by_role("button", name="Revoke this agreement").click()
    expect(page.get_by_text("Agreement revoked")).to_be_visible()
    assert SharingAgreement.objects.get().revoked_at is not None
    page.goto(f"{live_server.url}/sharing/agreements/")
    expect(page.get_by_role("table").get_by_text("Revoked").first).to_be_visible()
