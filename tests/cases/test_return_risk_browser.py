"""In a real browser: the departure gate of a forced return. The caseworker tries the removal step
and is refused with the reason and a link; records the risk-on-return assessment; is still
refused until a supervisor signs it off; then the removal is recorded."""

import datetime

import pytest
from playwright.sync_api import expect

from lindung.cases import services
from lindung.cases.models import Case, ReturnRiskAssessment
from lindung.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today().isoformat()


def _forced_return_at_risk_assessment(caseworker, org):
    person = services.person_register(
        acting_user=caseworker, organisation=org, given_name="Remo", family_name="Valtest", age_group="30-38"
    )
    case = services.case_open(acting_user=caseworker, person=person, case_type="forced_return")
    for name, data in (
        (
            "start_pre_removal_monitoring",
            {"notification_date": TODAY, "destination_country": "MMR", "scheduled_removal_date": TODAY},
        ),
        ("start_risk_assessment", {"pre_removal_visit_date": TODAY}),
    ):
        case = services.case_transition(
            acting_user=caseworker, case=case, transition=name, data=data, expected_version=case.version
        )
    return case


def _switch_user(page, login, username):
    page.context.clear_cookies()
    login(username)


def test_removal_needs_a_signed_off_risk_assessment(page, live_server, login, org_a, make_user):
    caseworker = make_user(org_a, Role.CASEWORKER, username="gate_cw")
    make_user(org_a, Role.SUPERVISOR, username="gate_sup")
    case = _forced_return_at_risk_assessment(caseworker, org_a)
    case_url = f"{live_server.url}/cases/{case.pk}/"

    login("gate_cw")
    page.goto(case_url)
    expect(page.get_by_text("No risk-on-return assessment")).to_be_visible()
    page.get_by_role("link", name="Removal monitored").click()
    expect(page.get_by_role("heading", name="Departure not possible yet")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "A risk-on-return assessment is needed before departure"
    )

    page.get_by_role("link", name="Go to the risk-on-return assessment").click()
    page.get_by_role("link", name="Record a risk-on-return assessment").click()
    for factor in ("persecution", "torture", "trafficking"):
        page.locator(f"#id_{factor}").get_by_label("No risk found").check()
    page.locator("#id_child_best_interests").get_by_label("Not assessed").check()
    page.get_by_role("button", name="Record the assessment").click()
    # A factor left out must say why: the form comes back with the reason, nothing saved.
    expect(page.get_by_role("alert")).to_contain_text("why this factor was not assessed")
    assert not ReturnRiskAssessment.objects.exists()
    page.get_by_label("Notes: Child's best interests").fill("Adult travelling alone.")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("Assessment recorded")).to_be_visible()
    # The assessor may not sign off their own assessment: no button for a caseworker.
    expect(page.get_by_role("button", name="Sign off the latest assessment")).to_have_count(0)

    page.goto(case_url)
    page.get_by_role("link", name="Removal monitored").click()
    expect(page.get_by_role("alert")).to_contain_text("not signed off yet")

    _switch_user(page, login, "gate_sup")
    page.goto(case_url)
    page.get_by_role("link", name="Risk-on-return assessment").click()
    page.get_by_role("button", name="Sign off the latest assessment").click()
    expect(page.get_by_text("Assessment signed off.")).to_be_visible()
    expect(page.get_by_text("The latest assessment allows the departure step.")).to_be_visible()

    _switch_user(page, login, "gate_cw")
    page.goto(case_url)
    expect(page.get_by_text("Departure cleared")).to_be_visible()
    page.get_by_role("link", name="Removal monitored").click()
    page.get_by_label("Removed on").fill(TODAY)
    page.get_by_label("Means of removal").select_option("charter_flight")
    page.get_by_label("A monitor was present throughout").select_option("yes")
    page.get_by_role("button", name="Save this step").click()
    expect(page.get_by_text("Removal monitored (current step)")).to_be_visible()
    assert Case.objects.get(pk=case.pk).state == "removal"
