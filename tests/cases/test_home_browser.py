"""In a real browser: a caseworker follows a count of their home page to the list it counts, and
a supervisor approves a closure that waits for them, starting from their home page."""

import datetime

import pytest
from playwright.sync_api import expect

from lindung.cases import services
from lindung.cases.models import Case
from lindung.cases.workflows import base as wf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()


def test_caseworker_goes_from_a_count_to_the_tasks_it_counts(page, live_server, login, make_case, caseworker):
    case = make_case("protection")
    services.task_create(
        acting_user=caseworker, case=case, title="Book the interpreter", due_on=TODAY, assignee=caseworker
    )
    services.task_create(
        acting_user=caseworker,
        case=case,
        title="Visit the shelter",
        due_on=TODAY + datetime.timedelta(days=3),
        assignee=caseworker,
    )
    login(caseworker.username)
    page.goto(f"{live_server.url}/")
    panel = page.locator("#panel-my-tasks")
    expect(panel.get_by_role("table", name="My tasks")).to_be_visible()
    due_today = panel.get_by_role("row", name="Due today")
    expect(due_today.get_by_role("link")).to_have_text("1")
    expect(panel.get_by_role("row", name="Due in the next seven days").get_by_role("link")).to_have_text("2")
    expect(
        page.locator("#panel-my-cases").get_by_role("row", name="All my open cases").get_by_role("link")
    ).to_have_text("1")
    due_today.get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open tasks")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Book the interpreter")
    expect(page.get_by_label("Only my tasks")).to_be_checked()


def test_supervisor_approves_a_closure_from_the_home_page(
    page, live_server, login, make_case, caseworker, supervisor
):
    case = services.case_transition(
        acting_user=caseworker,
        case=make_case("protection"),
        transition="request_closure",
        data={"closure_date": TODAY.isoformat(), "case_outcome": "goals_met"},
        expected_version=1,
    )
    login(supervisor.username)
    page.goto(f"{live_server.url}/")
    waiting = page.locator("#panel-approvals").get_by_role("row", name="Closures waiting for approval")
    expect(waiting.get_by_role("link")).to_have_text("1")
    waiting.get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.locator("table tbody tr")).to_have_count(1)
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("link", name="Approve closure").click()
    page.get_by_role("button", name="Save this step").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The case moved to: Closed.")).to_be_visible()
    case.refresh_from_db()
    assert case.state == wf.CLOSED and case.closure_approved_by == supervisor
    page.goto(f"{live_server.url}/")
    expect(waiting.get_by_role("link")).to_have_text("0")
    assert Case.objects.filter(state=wf.CLOSURE).count() == 0
