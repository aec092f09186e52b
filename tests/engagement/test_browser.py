"""The issue's "Done when", in real headless Chromium: a coordinator sets up a focus group,
completes the checklist, records consent, captures feedback and a cleared quote, links a feedback
item to a guideline change and produces the participant feedback report; after the participant
withdraws quote consent the quote disappears from every view and export."""

import json
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lindung.core.roles import Role
from lindung.engagement import services
from lindung.engagement.models import Participant
from tests.core.test_browser import axe_violations

pytestmark = [pytest.mark.browser]

QUOTE = "Nobody explained the house rules to me"
FEEDBACK = "House rules were explained only in Thai."


def _setup(make_user, org_a):
    user = make_user(org_a, Role.ENGAGEMENT_COORDINATOR, username="lina")
    services.pathway_save(
        acting_user=user,
        organisation=org_a,
        name="Night counselling line",
        kind="psychosocial",
        how_to_reach="Call 0-0000 (test)",
    )
    services.guidance_adopt(acting_user=user, organisation=org_a, key="information_sheet")
    guideline = services.guideline_save(acting_user=user, organisation=org_a, title="Shelter standards")
    services.guideline_version_add(
        acting_user=user,
        document=guideline,
        version="2.0",
        published_on=timezone.localdate(),
        changes="Rules explained in each language.",
    )
    return user


def _save(page):
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()


def test_focus_group_consent_quote_you_said_we_did_and_withdrawal(
    page, live_server, login, make_user, org_a, transactional_db, tmp_path
):
    _setup(make_user, org_a)
    base = live_server.url
    login("lina")

    # The coordinator sets up a focus group.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Engagement").click()
    page.get_by_role("link", name="New engagement").click()
    page.get_by_label("Title").fill("Shelter rules consultation")
    page.get_by_label("Purpose").fill("Hear from residents what should change.")
    page.get_by_label("Policy or guidance it feeds").fill("Shelter standards")
    page.get_by_label("Guideline document").select_option(label="Shelter standards")
    _save(page)
    page.get_by_role("link", name="Plan a session").click()
    page.get_by_label("Title").fill("Focus group A")
    page.get_by_label("Format").select_option(label="Focus group")
    page.get_by_label("Languages (ISO 639-3 codes)").fill("tha, eng")
    page.get_by_label("Setting").select_option(label="In person")
    page.get_by_label("Starts at").fill("2026-12-01T10:00")
    _save(page)
    expect(page.get_by_role("heading", name="Focus group A")).to_be_visible()

    # Starting before the checklist is complete is refused with the reason.
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_text("the pre-session checklist is incomplete")).to_be_visible()

    # The checklist, then the participant and their consent.
    page.get_by_role("link", name="Complete the checklist").click()
    assert not axe_violations(page), json.dumps(axe_violations(page), indent=1)
    for label in (
        "Risk assessment done",
        "Referral pathways to psychosocial support confirmed",
        "Location (or remote setting) checked as safe and private",
        "Questions reviewed for do-no-harm",
        "Night counselling line",
    ):
        page.get_by_label(label).check()
    _save(page)
    expect(page.get_by_text("Checklist complete.")).to_be_visible()
    session_url = page.url

    page.goto(f"{base}/engagement/participants/new/")
    page.get_by_label("Preferred language").select_option("fr")
    page.get_by_label("Name (only if they want to be named)").fill("Mali Fictional")
    page.get_by_label("Contact details").fill("mali@example.invalid")
    _save(page)
    code = page.get_by_role("heading").first.inner_text().split()[-1]
    participant_url = page.url
    for use in ("Taking part", "Use of their words as quotes"):
        page.get_by_role("link", name="Record consent").click()
        page.get_by_label("Use").select_option(label=use)
        page.get_by_label("Information sheet (version and language)").select_option(index=1)
        page.get_by_label("How consent was given").select_option(label="Written (signed form)")
        _save(page)
    consent_table = page.get_by_role("table", name="Consent, per use")
    assert consent_table.get_by_text("Information sheet for participants — v1 (English)").count() == 2

    # The session runs: add the participant, start, capture feedback and a quote.
    page.goto(session_url)
    page.get_by_label("Participant", exact=True).select_option(label=code)
    page.get_by_role("button", name="Add participant").click()
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_text("Session started.")).to_be_visible()
    for kind, text, person in (("Feedback item", FEEDBACK, None), ("Quote (their own words)", QUOTE, code)):
        page.get_by_role("link", name="Capture a contribution").click()
        page.get_by_label("Kind").select_option(label=kind)
        if person:
            page.get_by_label("Participant (optional)").select_option(label=person)
        page.get_by_label("Theme (optional)").select_option(label="Access to information")
        page.get_by_label("What was said").fill(text)
        _save(page)
    assert not axe_violations(page), json.dumps(axe_violations(page), indent=1)

    # Review: strip identifying details and clear both for use.
    for row_text in (FEEDBACK, QUOTE):
        page.get_by_role("row").filter(has_text=row_text).get_by_role("link", name="Review").click()
        page.get_by_label("I have removed every identifying detail").check()
        _save(page)
        expect(page.get_by_text("Cleared for use.").first).to_be_visible()

    # "You said, we did": link the feedback item to the guideline change.
    page.get_by_role("row").filter(has_text=FEEDBACK).get_by_role("link", name="Link what we did").click()
    page.get_by_label("Kind").select_option(label="Change in a guideline")
    page.get_by_label("What we did, in plain language").fill(
        "Rules are now explained in each resident's language."
    )
    page.get_by_label("Guideline version").select_option(label="Shelter standards — 2.0")
    _save(page)
    page.get_by_role("link", name="You said, we did").click()
    table = page.get_by_role("table", name="Feedback and what was done with it")
    expect(table.get_by_text(FEEDBACK)).to_be_visible()
    expect(table.get_by_text("Shelter standards — 2.0")).to_be_visible()

    # The participant feedback report, in their language, as a page and a file.
    page.goto(participant_url)
    page.get_by_role("link", name="Feedback report").click()
    assert page.locator("article.feedback-report").get_attribute("lang") == "fr"
    expect(page.get_by_text(QUOTE)).to_be_visible()
    assert not axe_violations(page), json.dumps(axe_violations(page), indent=1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (HTML file)").click()
    report_file = Path(tmp_path) / "report.html"
    download_info.value.save_as(report_file)
    assert QUOTE in report_file.read_text() and "Mali Fictional" not in report_file.read_text()

    # The participant withdraws consent for quotes.
    page.goto(participant_url)
    page.get_by_role("button", name="Withdraw Use of their words as quotes").click()
    expect(page.get_by_text("erase their quotes everywhere")).to_be_visible()
    assert not axe_violations(page), json.dumps(axe_violations(page), indent=1)
    page.get_by_role("button", name="Yes, withdraw this consent").click()
    expect(page.get_by_text("Consent withdrawn").first).to_be_visible()

    participant = Participant.objects.get(code=code)
    engagement_id = participant.attendance.get().session.engagement_id
    for path in (
        session_url,
        participant_url,
        f"{base}/engagement/synthesis/",
        f"{base}/engagement/{engagement_id}/you-said-we-did/",
        f"{participant_url}report/",
    ):
        page.goto(path)
        assert QUOTE not in page.content(), path
    for path in (
        f"/engagement/{engagement_id}/export.csv",
        f"/engagement/participants/{participant.pk}/report/download/",
        "/api/v1/engagement-feedback/",
    ):
        body = page.request.get(f"{base}{path}").text()
        assert QUOTE not in body and FEEDBACK in body, path

    # The coordinator is told what changed, on the engagement page.
    page.goto(f"{base}/engagement/{engagement_id}/")
    notifications = page.get_by_role("region", name="Notifications")
    expect(notifications.get_by_text(f"Participant {code} withdrew consent")).to_be_visible()
    expect(notifications.get_by_text("1 contribution(s) removed")).to_be_visible()
    assert not axe_violations(page), json.dumps(axe_violations(page), indent=1)
