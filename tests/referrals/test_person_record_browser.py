"""Real headless Chromium: a caseworker's day from one record (issue 19): home page, overdue
task, case, person, "Screen this person" with the person already chosen, the interview started."""

import datetime

import pytest
from playwright.sync_api import expect

from lindung.cases import services as cases_services
from lindung.cases.models import Task
from lindung.core.roles import Role
from lindung.screening.models import Interview

pytestmark = [pytest.mark.browser]


def test_from_home_to_a_screening_of_the_person(
    page, live_server, login, make_user, org_a, guide, make_person, transactional_db
):
    caseworker = make_user(org_a, Role.CASEWORKER, username="cw_ayu")
    person = make_person(org_a, "referral")
    case = cases_services.case_open(acting_user=caseworker, person=person, case_type="protection")
    task = cases_services.task_create(
        acting_user=caseworker, case=case, title="Follow up", due_on=case.opened_on, assignee=caseworker
    )
    Task.objects.filter(pk=task.pk).update(due_on=case.opened_on - datetime.timedelta(days=3))
    login("cw_ayu")
    page.goto(f"{live_server.url}/")
    page.locator("#panel-my-tasks a").first.click()  # the "Overdue" count
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("link", name="Testa Fictional").click()
    expect(page.get_by_role("heading", name="Screenings")).to_be_visible()
    page.get_by_role("link", name="Screen this person").click()
    expect(page.get_by_label("Person")).to_have_value(str(person.pk))
    page.get_by_role("button", name="Start the interview").click()
    page.wait_for_url(f"{live_server.url}/screening/interviews/*/*/")
    assert Interview.objects.get().person_id == person.pk
