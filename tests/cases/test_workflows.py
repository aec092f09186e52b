"""Table-driven: every transition of every workflow, from every step. Allowed where the workflow
says so (with valid step data made from the step fields), refused with a reason everywhere else."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from lindung.cases import services, workflows
from lindung.cases.models import Case
from lindung.cases.workflows import base as wf

OPENED = datetime.date.today() - datetime.timedelta(days=60)


def _ranks(workflow):
    """Rank of each date field in the workflow's date order, so sample dates respect it."""
    rank = {}
    for _ in range(len(workflow.date_order) + 1):
        for earlier, later in workflow.date_order:
            rank[later] = max(rank.get(later, 0), rank.get(earlier, 0) + 1)
    return rank


def sample_data(workflow, transition):
    ranks = _ranks(workflow)
    data = {}
    for position, f in enumerate(transition.fields):
        if f.kind == wf.DATE:
            data[f.name] = (OPENED + datetime.timedelta(days=ranks.get(f.name, 0))).isoformat()
        elif f.kind == wf.CODE:
            pairs = f.choice_pairs()
            data[f.name] = pairs[position % len(pairs)][0]
        elif f.kind == wf.CODES:
            data[f.name] = [f.choice_pairs()[0][0]]
        elif f.kind == wf.TEXT:
            data[f.name] = "Sample text"
        elif f.kind == wf.BOOLEAN:
            data[f.name] = True
        elif f.kind == wf.INTEGER:
            data[f.name] = f.min_value or 1
        else:
            data[f.name] = "0.5"
    return data


CASES = [(w.case_type, t.name) for w in workflows.WORKFLOWS.values() for t in w.transitions]


def test_every_workflow_reaches_closed_and_names_its_states():
    for workflow in workflows.WORKFLOWS.values():
        reachable, frontier = {workflow.initial}, [workflow.initial]
        while frontier:
            state = frontier.pop()
            for t in workflow.transitions_from(state):
                if t.target not in reachable:
                    reachable.add(t.target)
                    frontier.append(t.target)
        assert wf.CLOSED in reachable, workflow.case_type
        assert set(workflow.open_states) <= reachable | {wf.TRANSFERRED}, workflow.case_type


@pytest.mark.parametrize(("case_type", "transition"), CASES)
def test_transition_from_every_state(
    case_type, transition, make_person, supervisor, caseworker, clear_for_departure
):
    workflow = workflows.get(case_type)
    step = workflow.transition(transition)
    person = make_person(age_group="9-17", majority_status="child") if case_type == "uasc" else make_person()
    case = services.case_open(acting_user=caseworker, person=person, case_type=case_type, opened_on=OPENED)
    if workflow.is_return_path:
        clear_for_departure(case)  # the departure gate has its own tests (test_return_risk.py)
    if case_type in ("reintegration", "avrr"):
        services.visit_record(
            acting_user=caseworker,
            case=case,
            visit_on=OPENED,
            economic="0.5",
            social="0.5",
            psychosocial="0.5",
        )
    data = sample_data(workflow, step)
    for state, _label in workflow.states:
        Case.objects.filter(pk=case.pk).update(state=state, step_data={})
        case = Case.objects.get(pk=case.pk)
        if state in step.sources:
            moved = services.case_transition(
                acting_user=supervisor,
                case=case,
                transition=transition,
                data=data,
                expected_version=case.version,
            )
            assert moved.state == step.target
            assert moved.transitions.filter(name=transition, from_state=state).exists()
        else:
            with pytest.raises(ValidationError) as refused:
                services.case_transition(
                    acting_user=supervisor,
                    case=case,
                    transition=transition,
                    data=data,
                    expected_version=case.version,
                )
            assert "cannot do" in refused.value.message_dict["transition"][0]
            assert Case.objects.get(pk=case.pk).state == state


SUPERVISOR_ONLY = [
    (w.case_type, t.name)
    for w in workflows.WORKFLOWS.values()
    for t in w.transitions
    if t.capability == "supervise_cases"
]


@pytest.mark.parametrize(("case_type", "transition"), SUPERVISOR_ONLY)
def test_supervisor_steps_refused_to_caseworker(case_type, transition, make_person, caseworker):
    workflow = workflows.get(case_type)
    step = workflow.transition(transition)
    person = make_person(age_group="9-17", majority_status="child") if case_type == "uasc" else make_person()
    case = services.case_open(acting_user=caseworker, person=person, case_type=case_type, opened_on=OPENED)
    Case.objects.filter(pk=case.pk).update(state=step.sources[0])
    case.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=case,
            transition=transition,
            data=sample_data(workflow, step),
            expected_version=case.version,
        )
    assert "needs the capability" in refused.value.message_dict["transition"][0]


def test_unknown_transition_is_refused_with_a_reason(make_case, caseworker):
    case = make_case("protection")
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker, case=case, transition="teleport", data={}, expected_version=case.version
        )
    assert "is not a step of" in refused.value.message_dict["transition"][0]


def test_closed_case_sets_retention_date(make_case, caseworker, supervisor):
    case = make_case("protection")
    case = services.case_transition(
        acting_user=caseworker,
        case=case,
        transition="request_closure",
        data={"closure_date": datetime.date.today().isoformat(), "case_outcome": "goals_met"},
        expected_version=1,
    )
    case = services.case_transition(
        acting_user=supervisor, case=case, transition="approve_closure", expected_version=case.version
    )
    assert case.state == wf.CLOSED and case.closed_on == datetime.date.today()
    assert case.retain_until == case.closed_on + datetime.timedelta(
        days=workflows.get("protection").retention_days
    )
    assert case.closure_approved_by == supervisor


def test_every_case_type_has_a_workflow_of_the_same_label():
    """Lists show ``case.workflow.label`` (``get_case_type_display`` rebuilds every choice per row)."""
    from lindung.cases.choices import CaseType

    assert set(workflows.WORKFLOWS) == set(CaseType.values)
    for case_type in CaseType:
        assert str(workflows.get(case_type.value).label) == str(case_type.label)
