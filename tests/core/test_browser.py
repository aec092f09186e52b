"""Real headless Chromium: sign-in, home in English and French, accessibility (axe-core)."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lindung.core.roles import Role

pytestmark = [pytest.mark.browser]

AXE = (Path(__file__).resolve().parents[1] / "assets" / "axe.min.js").read_text()


def axe_violations(page, impacts=("serious", "critical")):
    # evaluate() runs through the DevTools protocol, so the site's strict CSP stays on.
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def test_login_page_is_accessible(page, live_server, transactional_db):
    page.goto(f"{live_server.url}/account/login/")
    assert page.title().startswith("Sign in")
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)


def test_sign_in_see_home_switch_to_french(page, live_server, login, make_user, org_a, transactional_db):
    make_user(org_a, Role.CASEWORKER, username="somchai")
    login("somchai")
    expect(page.get_by_role("heading", name="Welcome, somchai")).to_be_visible()
    expect(page.get_by_text("Caseworker").first).to_be_visible()
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)

    # lindung.js submits on change; wait for that navigation, not for the URL we are already on.

    with page.expect_navigation():
        page.get_by_label("Language").select_option("fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("heading", name="Vos rôles")).to_be_visible()
    assert not axe_violations(page)


def test_wrong_password_shows_error(page, live_server, login, make_user, org_a, transactional_db):
    make_user(org_a, Role.CASEWORKER, username="nok")
    login("nok", password="not-the-password")
    expect(page.get_by_role("alert")).to_be_visible()
    assert "/account/login/" in page.url


def test_no_request_leaves_the_site(page, live_server, login, make_user, org_a, transactional_db):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    make_user(org_a, Role.ADMINISTRATOR, username="ayu")
    login("ayu")
    page.goto(f"{live_server.url}/organisations/")
    expect(page.get_by_role("heading", name="Organisations")).to_be_visible()
    assert outside == []
