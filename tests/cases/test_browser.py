"""In a real browser: register a person, record consent, open an AVRR case and move it to
departure; a caseworker of another organisation sees it only after a transfer with consent."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from lindung.cases import return_risk, services
from lindung.cases.models import Case
from lindung.core.models import User
from lindung.core.roles import Role
from tests.cases.conftest import NO_RISK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today().isoformat()


def _step(page, name, fields):
    page.get_by_role("link", name=name).click()
    for label, (kind, value) in fields.items():
        control = page.get_by_label(label, exact=True)
        if kind == "select":
            control.select_option(value)
        else:
            control.fill(value)
    page.get_by_role("button", name="Save this step").click()
    page.wait_for_load_state()


def test_register_consent_open_avrr_and_move_to_departure(page, live_server, login, org_a, make_user):
    make_user(org_a, Role.CASEWORKER, username="browser_cw")
    login("browser_cw")
    page.goto(f"{live_server.url}/cases/persons/new/")
    page.get_by_label("Given name").fill("Brow")
    page.get_by_label("Family name").fill("Sertest")
    page.get_by_label("Sex").select_option("F")
    page.get_by_label("Age group").select_option("24-26")
    page.get_by_label("Citizenship").select_option("MMR")
    page.get_by_label("Languages").fill("mya")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Brow Sertest"
    person_url = page.url

    # Find the person again by name: the search is posted, the name stays out of the address.
    page.get_by_role("link", name="Persons").first.click()
    page.get_by_label("Name or part of a name").fill("SERTEST")  # a part of the name is enough
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("cell", name="Brow Sertest")).to_be_visible()
    assert "Sertest" not in page.url and "brow" not in page.url.lower()
    page.goto(person_url)

    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Purpose").select_option("return")
    page.get_by_label("Language of the conversation").fill("mya")
    page.get_by_label("Information given to the person").fill("Return leaflet read in Burmese.")
    page.get_by_role("button", name="Record consent").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Active")).to_be_visible()

    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Assisted voluntary return and reintegration").check()
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_load_state()
    assert "Counselling (current step)" in page.content()

    _step(
        page,
        "Counselling done",
        {
            "Counselling date": ("fill", TODAY),
            "The person took an informed decision to return": ("select", "yes"),
        },
    )
    _step(
        page,
        "Confirm eligibility",
        {"Eligibility confirmed on": ("fill", TODAY), "Country of return": ("select", "MMR")},
    )
    _step(
        page,
        "Travel document obtained",
        {"Travel document": ("select", "passport"), "Travel document issued on": ("fill", TODAY)},
    )
    # The return safeguards (their own browser test: test_return_risk_browser.py) cleared first.
    case = Case.objects.get()
    assessment = return_risk.risk_assessment_record(
        acting_user=User.objects.get(username="browser_cw"), case=case, factors=NO_RISK
    )
    return_risk.risk_assessment_sign_off(acting_user=make_user(org_a, Role.SUPERVISOR), assessment=assessment)
    _step(
        page,
        "Declared fit to travel",
        {"Fit-to-travel check on": ("fill", TODAY), "Departure date": ("fill", TODAY)},
    )
    assert "Departure (current step)" in page.content()
    assert Case.objects.get().state == "departure"
    expect(page.get_by_text("Confirm the departure took place").first).to_be_visible()


def test_other_organisation_sees_the_case_only_after_transfer(
    page, live_server, login, org_a, org_b, make_user
):
    caseworker = make_user(org_a, Role.CASEWORKER)
    supervisor = make_user(org_a, Role.SUPERVISOR)
    make_user(org_b, Role.CASEWORKER, username="browser_other")
    person = services.person_register(
        acting_user=caseworker,
        organisation=org_a,
        given_name="Cross",
        family_name="Border",
        age_group="30-38",
    )
    case = services.case_open(acting_user=caseworker, person=person, case_type="avrr")
    login("browser_other")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.goto(f"{live_server.url}/cases/")
    assert case.reference not in page.content()

    services.consent_record(
        acting_user=caseworker,
        person=person,
        purpose="data_sharing",
        language="eng",
        information_given="Sharing with the partner explained.",
    )
    agreement = services.agreement_create(
        acting_user=supervisor,
        organisation=org_a,
        partner=org_b,
        title="Handover",
        allowed_fields=["given_name", "family_name"],
    )
    target = services.case_transfer(
        acting_user=supervisor, case=case, agreement=agreement, expected_version=1
    )

    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name=target.reference).click()
    page.wait_for_load_state()
    assert re.search(r"Received from.*" + re.escape(org_a.name), page.content(), re.S)
    expect(page.get_by_role("link", name="Cross Border")).to_be_visible()
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
