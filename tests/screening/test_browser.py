"""Real headless Chromium: a caseworker screens in French, pauses, resumes from the list where
they stopped, and the directory is searched by need and language."""

import pytest
from playwright.sync_api import expect

from lindung.core.actors import SYSTEM
from lindung.core.roles import Role
from lindung.referrals import services as referral_services
from lindung.screening.models import Interview

pytestmark = [pytest.mark.browser]


def test_pause_and_resume_in_french(page, live_server, login, make_user, org_a, guide, transactional_db):
    make_user(org_a, Role.CASEWORKER, username="cw_lina")
    login("cw_lina")
    # lindung.js submits on change; wait for that navigation, not for the URL we are already on.
    with page.expect_navigation():
        page.get_by_label("Language").select_option("fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(f"{live_server.url}/screening/new/")
    page.get_by_role("button").last.click()  # "Start the interview", in French
    expect(page.get_by_text("La personne a-t-elle accepté cet entretien")).to_be_visible()
    page.locator('input[name="agrees_to_interview"][value="yes"]').check()
    page.locator('input[name="interview_country"][value="THA"]').check()
    page.locator('button[value="next"]').click()
    expect(page.get_by_role("heading", name="Sécurité immédiate")).to_be_visible()
    page.locator('input[name="in_danger_now"][value="no"]').check()
    page.locator('button[value="pause"]').click()
    page.wait_for_url(f"{live_server.url}/screening/")
    interview = Interview.objects.get()
    assert interview.status == "in_progress" and interview.answers["in_danger_now"] == "no"
    page.locator(f'a[href="/screening/interviews/{interview.pk}/safety/"]').click()
    assert page.locator('input[name="in_danger_now"][value="no"]').is_checked()


def test_directory_search_by_need_and_language(
    page, live_server, login, make_user, org_a, org_b, transactional_db
):
    for name, kind, langs in (
        ("Burmese clinic", "medical_care", ["mya"]),
        ("Thai shelter", "shelter", ["tha"]),
    ):
        referral_services.service_save(
            acting_user=SYSTEM,
            organisation=org_b,
            name=name,
            service_type=kind,
            country="THA",
            place="Bangkok",
            languages=langs,
        )
    make_user(org_a, Role.SERVICE_PROVIDER, username="prov_dewi")
    login("prov_dewi")
    page.goto(f"{live_server.url}/referrals/services/")
    page.get_by_label("Need").select_option("medical_care")
    page.get_by_label("Language (ISO 639-3, e.g. tha, mya)").fill("mya")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Burmese clinic")).to_be_visible()
    assert page.get_by_role("link", name="Thai shelter").count() == 0


def test_enter_moves_forward_never_back_or_to_pause(
    page, live_server, login, make_user, org_a, guide, transactional_db
):
    """Enter in a field submits with the form's first submit button: it must be "Save and continue"."""
    make_user(org_a, Role.CASEWORKER, username="cw_enter")
    login("cw_enter")
    page.goto(f"{live_server.url}/screening/new/")
    page.locator("main form button[type=submit]").last.click()
    page.locator('input[name="agrees_to_interview"][value="yes"]').check()
    page.locator('input[name="interview_country"][value="THA"]').check()
    # The first section has "Save and pause" as well: Enter in the text field must not pause.
    page.locator('input[name="interview_place"]').fill("Bangkok")
    page.locator('input[name="interview_place"]').press("Enter")
    expect(page.get_by_role("heading", name="Immediate safety")).to_be_visible()
    interview = Interview.objects.get()
    assert interview.answers["interview_place"] == "Bangkok"
    # Later sections have "Save and go back" too: Enter on a chosen answer goes on, not back.
    for name in ("in_danger_now", "safe_place_tonight", "threatened"):
        page.locator(f'input[name="{name}"][value="no"]').check()
    page.locator('input[name="threatened"][value="no"]').press("Enter")
    expect(page.get_by_text("Section 3 of")).to_be_visible()
    interview.refresh_from_db()
    assert interview.status == "in_progress" and interview.answers["threatened"] == "no"
    buttons = page.locator(".button-row button").evaluate_all("(bs) => bs.map((b) => b.value)")
    assert buttons[0] == "next" and set(buttons) == {"next", "back", "pause"}
