"""Real headless Chromium: a caseworker of ngo_bkk screens a person, sees the profile with its
reasons and suggested services, refers the person (with consent) to a service of clinic_bkk; the
provider accepts and records the service; the referrer sees the outcome."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from lindung.core import demo
from lindung.core.actors import SYSTEM
from lindung.core.roles import Role
from lindung.referrals import services as referral_services
from lindung.screening.services import load_shipped_instrument

pytestmark = [pytest.mark.browser]

AXE = (Path(__file__).resolve().parents[1] / "assets" / "axe.min.js").read_text()

# section -> [(question, answer)] ; sections not listed are saved without answers
SECTIONS = {
    "interview": [("agrees_to_interview", "yes"), ("interview_country", "THA")],
    "safety": [("in_danger_now", "no"), ("safe_place_tonight", "yes")],
    "about": [("age_group", "30-38"), ("sex", "M")],
    "trafficking": [
        ("deceived_recruitment", "yes"),
        ("not_free_to_leave", "yes"),
        ("documents_withheld", "no"),
    ],
    "health": [("urgent_medical_need", "yes")],
    "legal": [("has_identity_document", "yes")],
    "detention": [("currently_detained", "no")],
    "livelihood": [("owes_debt", "no")],
}


def axe_violations(page):
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_screen_profile_refer_accept_outcome(
    page, live_server, login, make_user, make_person, transactional_db
):
    ctx = {}
    demo.load(ctx)
    ngo, clinic_org = ctx["orgs"]["ngo_bkk"], ctx["orgs"]["clinic_bkk"]
    load_shipped_instrument()
    make_user(ngo, Role.CASEWORKER, username="cw_somchai")
    make_user(clinic_org, Role.SERVICE_PROVIDER, username="prov_malee")
    person = make_person(ngo, "referral")
    clinic = referral_services.service_save(
        acting_user=SYSTEM,
        organisation=clinic_org,
        name="Riverside walk-in clinic (test)",
        service_type="medical_care",
        country="THA",
        place="Bangkok",
        languages=["tha", "mya"],
        answer_days=2,
    )

    login("cw_somchai")
    page.goto(f"{live_server.url}/screening/new/")
    page.get_by_label("Person").select_option(label=person.reference)
    page.get_by_role("button", name="Start the interview").click()
    for _step in range(12):
        section = page.url.rstrip("/").rsplit("/", 1)[-1]
        for question, answer in SECTIONS.get(section, []):
            field = page.locator(f'[name="{question}"]')
            if field.first.get_attribute("type") == "radio":
                page.locator(f'input[name="{question}"][value="{answer}"]').check()
            else:
                field.select_option(answer)
        last = page.get_by_role("button", name="Finish and see the profile")
        (last if last.count() else page.get_by_role("button", name="Save and continue")).click()
        page.wait_for_load_state()
        if page.get_by_role("heading", name="Vulnerability profile").count():
            break

    expect(page.get_by_role("heading", name="Vulnerability profile")).to_be_visible()
    expect(page.get_by_role("heading", name="Presumed victim of trafficking")).to_be_visible()
    expect(
        page.get_by_text("Was the person deceived about the work or conditions when recruited? — Yes").first
    ).to_be_visible()
    assert page.locator("#urgency").inner_text() == "Urgent (within 24 hours)"
    assert not axe_violations(page)

    page.get_by_role("link", name="Refer — Medical care").click()
    page.get_by_label("Service", exact=True).select_option(str(clinic.pk))
    page.get_by_role("button", name="Send the referral").click()
    assert page.locator("#referral-status").inner_text() == "Waiting for an answer"
    referral_url = page.url
    reference = page.get_by_role("heading", level=1).inner_text().rsplit(" ", 1)[-1]

    page.context.clear_cookies()
    login("prov_malee")
    page.goto(f"{live_server.url}/referrals/received/")
    page.get_by_role("link", name=reference).click()
    assert page.url == referral_url
    page.get_by_role("button", name="Accept the referral").click()
    assert page.locator("#referral-status").inner_text() == "Accepted"
    page.get_by_label("Service given").select_option("medical_care")
    page.get_by_role("button", name="Record the service").click()
    assert page.locator("#referral-status").inner_text() == "Service given"
    assert not axe_violations(page)

    page.context.clear_cookies()
    login("cw_somchai")
    page.goto(referral_url)
    outcome = page.locator("#outcome").inner_text()
    assert "Service given" in outcome and "Medical care" in outcome
    assert clinic.referrals.get().status == "completed"
