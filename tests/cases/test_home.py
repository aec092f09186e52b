"""The caseworker's and the supervisor's home panels: each count equals the rows of the list it
links to, another organisation's cases, tasks and consents are never counted, and the list pages
refuse bad filters with a message instead of failing."""

import datetime

import pytest
from django.test import Client

from lindung.cases import home, services
from lindung.cases.choices import ConsentPurpose
from lindung.core.roles import Role
from tests.home_lists import listed, panel_counts
from tests.roles import assert_roles

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _request_closure(case, user):
    return services.case_transition(
        acting_user=user,
        case=case,
        transition="request_closure",
        data={"closure_date": TODAY.isoformat(), "case_outcome": "goals_met"},
        expected_version=case.version,
    )


@pytest.fixture
def world(org_a, org_b, make_user, make_case, make_person, caseworker, caseworker_b, supervisor):
    """Org A: the caseworker owns three open cases (one waiting for closure), has an overdue task,
    one due today and one consent ending in ten days. Org B: the same again, which must never count."""
    for org, worker in ((org_a, caseworker), (org_b, caseworker_b)):
        cases = [
            make_case("protection", person=make_person(org=org, user=worker), user=worker) for _n in range(3)
        ]
        services.task_create(
            acting_user=worker, case=cases[0], title="Call back", due_on=TODAY - datetime.timedelta(days=2)
        )
        services.task_create(
            acting_user=worker, case=cases[1], title="Book interpreter", due_on=TODAY, assignee=worker
        )
        _request_closure(cases[2], worker)
        services.consent_record(
            acting_user=worker,
            person=cases[0].person,
            purpose=ConsentPurpose.ASSISTANCE,
            language="eng",
            information_given="Leaflet read aloud.",
            valid_until=TODAY + datetime.timedelta(days=10),
        )
    return {"caseworker": caseworker, "supervisor": supervisor, "caseworker_b": caseworker_b}


def _values(panels, key):
    return {label: value for label, value, _url in panels[key]}


def test_caseworker_counts_are_their_own_and_match_the_lists(world):
    client = _client(world["caseworker"])
    panels = panel_counts(client)
    assert set(panels) >= {"my-cases", "my-tasks", "consents", "referrals-sent"}
    assert "approvals" not in panels and "caseload" not in panels
    cases = _values(panels, "my-cases")
    assert cases["All my open cases"] == 3
    assert cases["Closure awaiting approval"] == 1
    tasks = _values(panels, "my-tasks")
    # The overdue task has no assignee: "my tasks" are the ones assigned to me.
    assert tasks == {"Overdue": 0, "Due today": 1, "Due in the next seven days": 1}
    assert _values(panels, "consents") == {"Ending within 30 days": 1}
    for key in ("my-cases", "my-tasks", "consents"):
        for label, value, url in panels[key]:
            assert listed(client, url) == value, (key, label, url)


def test_supervisor_sees_approvals_overdue_and_caseload_of_their_organisation_only(world):
    client = _client(world["supervisor"])
    panels = panel_counts(client)
    assert _values(panels, "approvals") == {"Closures waiting for approval": 1}
    assert _values(panels, "team-overdue") == {"Cases with overdue tasks": 1, "Overdue tasks": 1}
    assert _values(panels, "caseload") == {world["caseworker"].username: 3}
    for key in ("approvals", "team-overdue", "caseload"):
        for label, value, url in panels[key]:
            assert listed(client, url) == value, (key, label, url)


def test_the_approvals_list_holds_only_closures_the_user_supervises(world, org_a, make_user):
    # An auditor sees org A's cases but approves nothing: no closure waits for them.
    auditor = make_user(org_a, Role.AUDITOR)
    client = _client(auditor)
    assert "approvals" not in panel_counts(client)
    assert listed(client, "/cases/?awaiting_approval=on") == 0
    assert listed(client, "/cases/?state=closure") == 1


def test_panels_follow_capabilities(org_a, make_user):
    expected = {
        Role.CASEWORKER: {"my-cases", "my-tasks", "consents", "referrals-sent"},
        Role.SUPERVISOR: {"my-cases", "approvals", "team-overdue", "caseload", "referrals-overdue"},
        Role.SERVICE_PROVIDER: {"referrals-received"},
        Role.ANALYST: {"incidents-new", "watch-matches"},
        Role.DATA_MANAGER: {"imports", "releases"},
        Role.ENGAGEMENT_COORDINATOR: {"engagement"},
        Role.AUDITOR: {"audit"},
    }
    for role, keys in expected.items():
        shown = set(panel_counts(_client(make_user(org_a, role))))
        assert keys <= shown, role
        # Panels of other roles that this role's capabilities do not reach stay away.
        assert shown - keys <= _shared(role), (role, shown)


def _shared(role):
    # A supervisor also does a caseworker's work (and receives referrals); a coordinator refers.
    return {
        Role.SUPERVISOR: {"my-tasks", "consents", "referrals-sent", "referrals-received"},
        Role.ENGAGEMENT_COORDINATOR: {"referrals-sent"},
    }.get(role, set())


def test_home_page_needs_a_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_task_and_consent_lists_are_for_case_readers(client_for, org_a):
    for url in ("/cases/tasks/", "/cases/consents/"):
        assert_roles(
            client_for,
            org_a,
            url,
            allowed=[Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR],
            refused=[Role.SERVICE_PROVIDER, Role.ANALYST, Role.DATA_MANAGER],
        )


@pytest.mark.parametrize(
    "url,field",
    [
        ("/cases/tasks/?due=yesterday", "due"),
        ("/cases/consents/?expiring=%C2%B2", "expiring"),
        ("/cases/consents/?expiring=45", "expiring"),
        ("/cases/?owner=999999", "owner"),
        ("/cases/?owner=abc", "owner"),
    ],
)
def test_bad_filters_are_refused_with_a_message(world, url, field):
    response = _client(world["caseworker"]).get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert form.errors.as_data()[field][0].code == "invalid_choice"


def test_consents_window_narrows_the_list(world):
    client = _client(world["caseworker"])
    assert listed(client, "/cases/consents/?expiring=7") == 0
    assert listed(client, "/cases/consents/?expiring=30") == 1
    assert listed(client, "/cases/consents/") == 1  # 30 days when none is chosen


def test_the_consent_window_of_the_home_page_is_one_the_list_offers():
    from lindung.cases.forms import ConsentFilterForm

    assert str(home.CONSENT_WINDOW_DAYS) in dict(ConsentFilterForm.base_fields["expiring"].choices)


def test_a_closure_the_supervisor_asked_for_waits_for_another_supervisor(org_a, make_user, make_case):
    asking = make_user(org_a, Role.SUPERVISOR, Role.CASEWORKER)
    other = make_user(org_a, Role.SUPERVISOR)
    _request_closure(make_case("protection"), asking)
    assert _values(panel_counts(_client(asking)), "approvals") == {"Closures waiting for approval": 0}
    assert _values(panel_counts(_client(other)), "approvals") == {"Closures waiting for approval": 1}
    assert listed(_client(asking), "/cases/?awaiting_approval=on") == 0
