"""Tasks never outlive their case, a step taken again does not stack tasks, a closure is approved
by someone other than who asked for it, and a task due decades ago is refused as a slip."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from lindung.cases import services
from lindung.cases.models import Task
from lindung.cases.workflows import base as wf
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry
from lindung.core.roles import Role

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _request_closure(case, user):
    return services.case_transition(
        acting_user=user,
        case=case,
        transition="request_closure",
        data={"closure_date": TODAY.isoformat(), "case_outcome": "goals_met"},
        expected_version=case.version,
    )


def test_the_supervisor_who_asked_for_a_closure_cannot_approve_it(org_a, make_user, make_case):
    asking = make_user(org_a, Role.SUPERVISOR, Role.CASEWORKER)
    other = make_user(org_a, Role.SUPERVISOR)
    case = _request_closure(make_case("protection"), asking)
    assert services.transition_refusal(case, "approve_closure", asking)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=asking, case=case, transition="approve_closure", expected_version=case.version
        )
    assert refused.value.error_dict["transition"][0].code == "refused"
    case.refresh_from_db()
    assert case.state == wf.CLOSURE
    assert services.transition_refusal(case, "approve_closure", other) is None
    case = services.case_transition(
        acting_user=other, case=case, transition="approve_closure", expected_version=case.version
    )
    assert case.state == wf.CLOSED and case.closure_approved_by == other


def test_the_case_page_says_why_the_requester_cannot_approve(org_a, make_user, make_case, client):
    asking = make_user(org_a, Role.SUPERVISOR, Role.CASEWORKER)
    case = _request_closure(make_case("protection"), asking)
    client.force_login(asking)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/step/approve_closure/" not in page
    assert f"/cases/{case.pk}/step/reject_closure/" in page


def test_open_tasks_close_with_their_case_and_the_audit_counts_them(make_case, caseworker, supervisor):
    case = make_case("protection")
    services.task_create(acting_user=caseworker, case=case, title="Book the interpreter", due_on=TODAY)
    done = services.task_create(acting_user=caseworker, case=case, title="Call the shelter", due_on=TODAY)
    services.task_complete(acting_user=caseworker, task=done)
    case = _request_closure(case, caseworker)
    case = services.case_transition(
        acting_user=supervisor, case=case, transition="approve_closure", expected_version=case.version
    )
    assert not Task.objects.filter(case=case, done_at__isnull=True).exists()
    closed = Task.objects.get(case=case, title="Book the interpreter")
    assert closed.closed_with_case and closed.done_by == supervisor
    assert not Task.objects.get(pk=done.pk).closed_with_case
    entry = AuditEntry.objects.filter(action=AuditAction.CASE_TRANSITIONED, object_id=str(case.pk)).latest(
        "pk"
    )
    assert entry.detail["tasks_closed_with_case"] == 1


def test_a_request_sent_again_moves_its_task_instead_of_stacking_one(make_case, caseworker):
    from lindung.cases import workflows
    from tests.cases.test_workflows import sample_data

    workflow = workflows.get("readmission")
    case = make_case("readmission")
    assert case.state == workflow.initial == "request_prepared"
    for name in ("send_request", "ask_more_information", "resend_request"):
        step = workflow.transition(name)
        # The case opened today: every date of the steps is today, the deadlines later.
        data = {
            **sample_data(workflow, step),
            **{f.name: TODAY.isoformat() for f in step.fields if f.kind == "date"},
        }
        if "response_deadline" in data:
            data["response_deadline"] = (TODAY + datetime.timedelta(days=10)).isoformat()
        if name == "resend_request":
            data["response_deadline"] = (TODAY + datetime.timedelta(days=30)).isoformat()
        case = services.case_transition(
            acting_user=caseworker, case=case, transition=name, data=data, expected_version=case.version
        )
    title = str(workflow.transition("send_request").task[0])
    open_tasks = Task.objects.filter(case=case, title=title, done_at__isnull=True)
    assert [t.due_on for t in open_tasks] == [TODAY + datetime.timedelta(days=30)]


@pytest.mark.parametrize("due", [datetime.date(1926, 5, 1), datetime.date(2226, 5, 1)])
def test_a_task_due_decades_away_is_refused(make_case, caseworker, due):
    case = make_case("protection")
    with pytest.raises(ValidationError) as refused:
        services.task_create(acting_user=caseworker, case=case, title="Book the interpreter", due_on=due)
    assert refused.value.error_dict["due_on"][0].code in ("due_on_implausible", "date.implausible")
    assert not Task.objects.filter(case=case).exists()
