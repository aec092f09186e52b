"""The case row's copies of what the list filters on stay equal to the tables they summarise."""

import datetime

import pytest

from lindung.cases import list_columns, selectors, services
from lindung.cases.models import Case, PersonVulnerability, Task

TODAY = datetime.date.today()
LATE, SOON = TODAY - datetime.timedelta(days=3), TODAY + datetime.timedelta(days=9)


def expected(case):
    """The two columns computed from the source tables, the slow way."""
    due = [t.due_on for t in Task.objects.filter(case=case, done_at__isnull=True)]
    codes = PersonVulnerability.objects.filter(person_id=case.person_id).values_list("category", flat=True)
    return min(due, default=None), list_columns.encode_codes(codes)


def assert_columns_agree():
    cases = list(Case.objects.all())
    assert cases
    for case in cases:
        assert (case.open_task_due_on, case.vulnerability_codes) == expected(case), case.reference


def test_vulnerabilities_follow_the_person_onto_every_case(caseworker, make_person):
    person = make_person(vulnerabilities=["victim_of_trafficking"])
    first = services.case_open(acting_user=caseworker, person=person, case_type="protection")
    person = services.person_update(
        acting_user=caseworker,
        person=person,
        expected_version=person.version,
        vulnerabilities=["victim_of_trafficking", "unaccompanied_child"],
    )
    second = services.case_open(acting_user=caseworker, person=person, case_type="avrr")
    assert_columns_agree()
    found = selectors.case_list(caseworker, vulnerability="unaccompanied_child")
    assert set(found) == {first, second}
    services.person_update(
        acting_user=caseworker, person=person, expected_version=person.version, vulnerabilities=[]
    )
    assert_columns_agree()
    assert not selectors.case_list(caseworker, vulnerability="victim_of_trafficking").exists()


def test_one_code_never_matches_another_that_contains_it(caseworker, make_case):
    make_case(vulnerabilities=["victim_of_trafficking"])
    assert selectors.case_list(caseworker, vulnerability="victim_of_trafficking").count() == 1
    assert not selectors.case_list(caseworker, vulnerability="trafficking").exists()


def test_overdue_follows_tasks_added_and_done(caseworker, make_case):
    case = make_case("protection")
    services.task_create(acting_user=caseworker, case=case, title="Later", due_on=SOON)
    assert not selectors.case_list(caseworker, overdue=True).exists()
    late = services.task_create(acting_user=caseworker, case=case, title="Late", due_on=LATE)
    assert list(selectors.case_list(caseworker, overdue=True)) == [case]
    assert Case.objects.get(pk=case.pk).has_overdue_task
    services.task_complete(acting_user=caseworker, task=late)
    assert_columns_agree()
    assert Case.objects.get(pk=case.pk).open_task_due_on == SOON
    assert not selectors.case_list(caseworker, overdue=True).exists()


def test_saving_a_case_loaded_earlier_keeps_the_columns(caseworker, make_case):
    case = make_case("protection", vulnerabilities=["victim_of_trafficking"])
    stale = Case.objects.get(pk=case.pk)
    services.task_create(acting_user=caseworker, case=case, title="Late", due_on=LATE)
    stale.team = "North"
    stale.save()
    assert_columns_agree()
    assert Case.objects.get(pk=case.pk).team == "North"


@pytest.mark.django_db
def test_the_demo_world_agrees(demo_world):
    # The demo's readmission request set its answer deadline as a task through a transition.
    by_transition = Task.objects.get(title="Answer due from the requested state", done_at=None)
    assert by_transition.case.open_task_due_on is not None
    assert Case.objects.exclude(vulnerability_codes="").exists()
    assert_columns_agree()


def test_paging_by_ids_gives_the_pages_of_the_plain_list(caseworker, make_case, client):
    from django.core.paginator import Paginator

    from lindung.core.paging import IdFirstPaginator

    cases = [make_case("protection", vulnerabilities=["victim_of_trafficking"]) for _ in range(7)]
    rows = selectors.case_list(caseworker, vulnerability="victim_of_trafficking")
    plain, by_ids = Paginator(rows, 3), IdFirstPaginator(rows, 3)
    assert by_ids.count == plain.count == 7
    for number in (1, 2, 3):
        assert list(by_ids.page(number)) == list(plain.page(number))
    assert {c.pk for n in (1, 2, 3) for c in by_ids.page(n)} == {c.pk for c in cases}
    client.force_login(caseworker)
    body = client.get("/api/v1/cases/?limit=3&offset=3&vulnerability=victim_of_trafficking").json()
    assert body["count"] == 7
    assert [c["reference"] for c in body["results"]] == [c.reference for c in plain.page(2)]
