"""Return safeguards: the risk-on-return assessment, its sign-off and the decision on a risk found,
and the departure gate of every return path (AVRR, readmission, forced return). Refusals are
asserted by their codes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from lindung.cases import return_risk, selectors, services, workflows
from lindung.cases.models import Case, ReturnRiskAssessment
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from tests.cases.conftest import NO_RISK, days_ago

RISK = {**NO_RISK, "trafficking": "risk", "trafficking_notes": "The recruiter is active in the village."}
OPENED = datetime.date.today() - datetime.timedelta(days=30)

# The step into departure of each return path, with step data that passes every other check.
DEPARTURES = {
    "avrr": (
        "fit_to_travel",
        "declare_fit_to_travel",
        {"fit_to_travel_date": days_ago(2), "departure_date": days_ago(1)},
    ),
    "readmission": ("travel_document_issued", "readmit", {"readmission_date": days_ago(1)}),
    "forced_return": (
        "risk_assessment",
        "monitor_removal",
        {"removal_date": days_ago(1), "removal_mode": "charter_flight", "monitor_present": True},
    ),
}


def _codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict[field]]


@pytest.fixture
def second_supervisor(org_a, make_user):
    return make_user(org_a, Role.SUPERVISOR, username="sup2_a")


@pytest.fixture
def at_departure(make_person, caseworker):
    """A return case one step before its departure step."""

    def make(case_type="avrr"):
        case = services.case_open(
            acting_user=caseworker, person=make_person(), case_type=case_type, opened_on=OPENED
        )
        Case.objects.filter(pk=case.pk).update(state=DEPARTURES[case_type][0])
        case.refresh_from_db()
        return case

    return make


def _depart(case, user):
    _state, transition, data = DEPARTURES[case.case_type]
    return services.case_transition(
        acting_user=user, case=case, transition=transition, data=data, expected_version=case.version
    )


def _record(case, user, factors=NO_RISK):
    return return_risk.risk_assessment_record(acting_user=user, case=case, factors=factors)


# the forced-return case type ------------------------------------------------------------------


def test_forced_return_is_a_case_type_with_a_departure_step():
    workflow = workflows.get("forced_return")
    assert workflow.departure_step == "removal"
    assert [s for s, _label in workflow.states][:5] == [
        "notification",
        "pre_removal_monitoring",
        "risk_assessment",
        "removal",
        "post_arrival",
    ]
    returns = {t for t, w in workflows.WORKFLOWS.items() if w.is_return_path}
    assert returns == {"avrr", "readmission", "forced_return"}


def test_forced_return_case_opens_and_follows_its_path(make_case, caseworker, clear_for_departure):
    case = make_case("forced_return")
    assert case.state == "notification"
    case = services.case_transition(
        acting_user=caseworker,
        case=case,
        transition="start_pre_removal_monitoring",
        data={
            "notification_date": days_ago(0),
            "destination_country": "MMR",
            "scheduled_removal_date": days_ago(-5),
        },
        expected_version=case.version,
    )
    assert case.state == "pre_removal_monitoring"
    assert case.tasks.filter(title="Monitor the scheduled removal").exists()


# the gate -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case_type", sorted(DEPARTURES))
def test_departure_without_assessment_is_refused(case_type, at_departure, caseworker):
    case = at_departure(case_type)
    with pytest.raises(ValidationError) as refused:
        _depart(case, caseworker)
    assert _codes(refused.value, "transition") == ["risk_assessment_missing"]
    assert Case.objects.get(pk=case.pk).state == DEPARTURES[case_type][0]
    entry = AuditEntry.objects.filter(action=AuditAction.RETURN_DEPARTURE_REFUSED).get()
    assert entry.detail == {"transition": DEPARTURES[case_type][1], "code": "risk_assessment_missing"}


@pytest.mark.parametrize("case_type", sorted(DEPARTURES))
def test_departure_allowed_once_signed_off_without_risk(case_type, at_departure, caseworker, supervisor):
    case = at_departure(case_type)
    assessment = _record(case, caseworker)
    with pytest.raises(ValidationError) as refused:
        _depart(case, caseworker)
    assert _codes(refused.value, "transition") == ["risk_assessment_not_signed_off"]
    return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=assessment)
    moved = _depart(case, caseworker)
    assert moved.state == workflows.get(case_type).departure_step


def test_risk_found_blocks_until_a_decision_to_proceed(at_departure, caseworker, supervisor):
    case = at_departure("avrr")
    assessment = _record(case, caseworker, RISK)
    assert assessment.result == "risk_found"
    return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=assessment)
    with pytest.raises(ValidationError) as refused:
        _depart(case, caseworker)
    assert _codes(refused.value, "transition") == ["risk_decision_missing"]
    return_risk.risk_decision_record(
        acting_user=supervisor,
        assessment=assessment,
        decision="proceed",
        reasons="Safe relocation arranged with the receiving NGO.",
    )
    assert _depart(case, caseworker).state == "departure"


@pytest.mark.parametrize("decision", ["suspend", "refer_protection"])
def test_suspension_or_referral_stops_the_departure(decision, at_departure, caseworker, supervisor):
    case = at_departure("forced_return")
    assessment = _record(case, caseworker, RISK)
    return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=assessment)
    return_risk.risk_decision_record(
        acting_user=supervisor, assessment=assessment, decision=decision, reasons="Credible threat."
    )
    with pytest.raises(ValidationError) as refused:
        _depart(case, caseworker)
    assert _codes(refused.value, "transition") == ["risk_decision_suspends_return"]
    # A new assessment (circumstances changed) is the way forward; the latest one counts.
    newer = _record(case, caseworker)
    with pytest.raises(ValidationError) as refused:
        _depart(case, caseworker)
    assert _codes(refused.value, "transition") == ["risk_assessment_not_signed_off"]
    return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=newer)
    assert _depart(case, caseworker).state == "removal"


def test_other_steps_of_a_return_case_are_not_gated(make_case, caseworker):
    case = make_case("avrr")
    moved = services.case_transition(
        acting_user=caseworker,
        case=case,
        transition="complete_counselling",
        data={"counselling_date": days_ago(0), "informed_decision": True},
        expected_version=case.version,
    )
    assert moved.state == "eligibility"


# recording -----------------------------------------------------------------------------------


def test_record_audits_codes_only_and_encrypts_notes(make_case, caseworker):
    case = make_case("avrr")
    assessment = _record(case, caseworker, RISK)
    entry = AuditEntry.objects.get(action=AuditAction.RISK_ASSESSMENT_RECORDED)
    assert entry.detail["result"] == "risk_found" and entry.detail["trafficking"] == "risk"
    assert "recruiter" not in str(entry.detail)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(ReturnRiskAssessment._meta.db_table)
        cursor.execute(f"SELECT trafficking_notes FROM {table} WHERE id = %s", [assessment.pk])  # noqa: S608
        raw = cursor.fetchone()[0]
    assert raw and "recruiter" not in raw
    assert ReturnRiskAssessment.objects.get(pk=assessment.pk).trafficking_notes == RISK["trafficking_notes"]


@pytest.mark.parametrize(
    ("factors", "field", "code"),
    [
        ({k: v for k, v in NO_RISK.items() if k != "torture"}, "torture", "required"),
        ({**NO_RISK, "persecution": "maybe"}, "persecution", "invalid_choice"),
        ({**NO_RISK, "persecution": "risk"}, "persecution_notes", "risk_notes_missing"),
        ({**NO_RISK, "trafficking": "not_assessed"}, "trafficking_notes", "risk_notes_missing"),
        ({**NO_RISK, "torture_notes": "x" * 4001}, "torture_notes", "max_length"),
        ({**NO_RISK, "torture_notes": ["not", "text"]}, "torture_notes", "invalid"),
        (
            dict.fromkeys(NO_RISK, "not_assessed") | {f"{f}_notes": "No access." for f in NO_RISK},
            "factors",
            "nothing_assessed",
        ),
    ],
)
def test_bad_factors_are_refused_with_codes(make_case, caseworker, factors, field, code):
    case = make_case("avrr")
    with pytest.raises(ValidationError) as refused:
        _record(case, caseworker, factors)
    assert code in _codes(refused.value, field)
    assert not ReturnRiskAssessment.objects.exists()


def test_child_best_interests_must_be_assessed_for_a_child(make_case, caseworker):
    case = make_case("avrr", age_group="9-17", majority_status="child")
    factors = {**NO_RISK, "child_best_interests": "not_assessed", "child_best_interests_notes": "Skipped."}
    with pytest.raises(ValidationError) as refused:
        _record(case, caseworker, factors)
    assert _codes(refused.value, "child_best_interests") == ["child_best_interests_required"]


def test_record_refused_outside_a_return_case_and_on_bad_dates(make_case, caseworker):
    with pytest.raises(ValidationError) as refused:
        _record(make_case("protection"), caseworker)
    assert _codes(refused.value, "case") == ["not_a_return_case"]
    case = make_case("readmission")
    for day in (datetime.date.today() + datetime.timedelta(days=1), "2020-13-01"):
        with pytest.raises(ValidationError) as refused:
            return_risk.risk_assessment_record(
                acting_user=caseworker, case=case, assessed_on=day, factors=NO_RISK
            )
        assert _codes(refused.value, "assessed_on")[0] in ("invalid", "invalid_date")


def test_record_refused_to_other_organisation_and_auditor(make_case, caseworker_b, org_a, make_user):
    case = make_case("avrr")
    for user in (caseworker_b, make_user(org_a, Role.AUDITOR)):
        with pytest.raises(PermissionDenied):
            _record(case, user)
    assert not ReturnRiskAssessment.objects.exists()


# sign-off and decision -------------------------------------------------------------------------


def test_sign_off_by_the_assessor_is_refused(make_case, supervisor, second_supervisor):
    case = make_case("avrr")
    assessment = _record(case, supervisor)
    with pytest.raises(ValidationError) as refused:
        return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=assessment)
    assert _codes(refused.value, "assessment") == ["risk_sign_off_by_assessor"]
    signed = return_risk.risk_assessment_sign_off(acting_user=second_supervisor, assessment=assessment)
    assert signed.signed_off_by == second_supervisor
    with pytest.raises(ValidationError) as refused:
        return_risk.risk_assessment_sign_off(acting_user=second_supervisor, assessment=assessment)
    assert _codes(refused.value, "assessment") == ["risk_assessment_already_signed_off"]


def test_sign_off_needs_a_supervisor(make_case, caseworker, org_a, make_user):
    assessment = _record(make_case("avrr"), caseworker)
    with pytest.raises(PermissionDenied):
        return_risk.risk_assessment_sign_off(
            acting_user=make_user(org_a, Role.CASEWORKER), assessment=assessment
        )
    assert not ReturnRiskAssessment.objects.get().is_signed_off


def test_a_superseded_assessment_cannot_be_signed_off(make_case, caseworker, supervisor):
    case = make_case("avrr")
    older = _record(case, caseworker)
    _record(case, caseworker, RISK)
    with pytest.raises(ValidationError) as refused:
        return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=older)
    assert _codes(refused.value, "assessment") == ["risk_assessment_superseded"]


def test_decision_bad_input_and_order(make_case, caseworker, supervisor):
    case = make_case("avrr")
    assessment = _record(case, caseworker, RISK)
    decide = return_risk.risk_decision_record
    with pytest.raises(ValidationError) as refused:
        decide(acting_user=supervisor, assessment=assessment, decision="proceed", reasons="   ")
    assert _codes(refused.value, "reasons") == ["risk_decision_reasons_missing"]
    with pytest.raises(ValidationError) as refused:
        decide(acting_user=supervisor, assessment=assessment, decision="deport", reasons="Because.")
    assert _codes(refused.value, "decision") == ["invalid_choice"]
    with pytest.raises(ValidationError) as refused:
        decide(acting_user=supervisor, assessment=assessment, decision="proceed", reasons="Because.")
    assert _codes(refused.value, "assessment") == ["risk_assessment_not_signed_off"]
    return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=assessment)
    with pytest.raises(PermissionDenied):
        decide(acting_user=caseworker, assessment=assessment, decision="proceed", reasons="Because.")
    decided = decide(acting_user=supervisor, assessment=assessment, decision="suspend", reasons="Threats.")
    assert (decided.decision, decided.decided_by) == ("suspend", supervisor)
    with pytest.raises(ValidationError) as refused:
        decide(acting_user=supervisor, assessment=assessment, decision="proceed", reasons="Changed.")
    assert _codes(refused.value, "assessment") == ["risk_decision_already_recorded"]
    entry = AuditEntry.objects.get(action=AuditAction.RISK_DECISION_RECORDED)
    assert entry.detail == {"case": case.pk, "decision": "suspend"}


def test_no_decision_on_an_assessment_without_risk(make_case, caseworker, supervisor):
    assessment = _record(make_case("avrr"), caseworker)
    return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=assessment)
    with pytest.raises(ValidationError) as refused:
        return_risk.risk_decision_record(
            acting_user=supervisor, assessment=assessment, decision="proceed", reasons="Fine."
        )
    assert _codes(refused.value, "assessment") == ["risk_decision_not_needed"]


def test_the_assessor_cannot_decide(make_case, supervisor, second_supervisor):
    assessment = _record(make_case("avrr"), supervisor, RISK)
    return_risk.risk_assessment_sign_off(acting_user=second_supervisor, assessment=assessment)
    with pytest.raises(ValidationError) as refused:
        return_risk.risk_decision_record(
            acting_user=supervisor, assessment=assessment, decision="proceed", reasons="Mine."
        )
    assert _codes(refused.value, "assessment") == ["risk_decision_by_assessor"]


# counting ------------------------------------------------------------------------------------


def test_summary_counts_results_and_decisions_within_the_organisation(
    make_case, caseworker, supervisor, caseworker_b, make_person, org_b
):
    cleared = _record(make_case("avrr"), caseworker)
    return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=cleared)
    risky = _record(make_case("forced_return"), caseworker, RISK)
    return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=risky)
    return_risk.risk_decision_record(
        acting_user=supervisor, assessment=risky, decision="refer_protection", reasons="Asylum claim."
    )
    _record(make_case("readmission"), caseworker, RISK)  # awaiting sign-off
    other = services.case_open(
        acting_user=caseworker_b, person=make_person(org=org_b, user=caseworker_b), case_type="avrr"
    )
    _record(other, caseworker_b)
    summary = selectors.risk_summary(caseworker)
    results = {value: (signed, waiting) for value, _label, signed, waiting in summary["results"]}
    assert results == {"no_risk": (1, 0), "risk_found": (1, 1)}
    decisions = {value: n for value, _label, n in summary["decisions"]}
    assert decisions == {"proceed": 0, "suspend": 0, "refer_protection": 1}
    assert summary["total"] == 3 and summary["awaiting_decision"] == 0
    assert selectors.risk_summary(caseworker_b)["total"] == 1


def test_retention_anonymises_the_notes_and_export_includes_them(make_case, caseworker, supervisor):
    case = make_case("avrr")
    _record(case, caseworker, RISK)
    exported = services.person_export(acting_user=supervisor, person=case.person)
    rows = exported["cases"][0]["risk_assessments"]
    assert rows[0]["trafficking_notes"] == RISK["trafficking_notes"] and rows[0]["result"] == "risk_found"
    Case.objects.filter(pk=case.pk).update(retain_until=datetime.date.today() - datetime.timedelta(days=1))
    services.retention_run()
    kept = ReturnRiskAssessment.objects.get()
    assert kept.trafficking_notes is None and kept.trafficking == "risk"


def test_gate_is_checked_again_under_the_case_lock(at_departure, caseworker, monkeypatch):
    """An assessment withdrawn between the first check and the commit (here: the first check is made
    to pass) is caught by the second check, made under the case's row lock."""
    case = at_departure("avrr")
    real = return_risk.departure_refusal
    calls = []

    def first_passes(c):
        calls.append(c.pk)
        return None if len(calls) == 1 else real(c)

    monkeypatch.setattr(return_risk, "departure_refusal", first_passes)
    with pytest.raises(ValidationError) as refused:
        _depart(case, caseworker)
    assert _codes(refused.value, "transition") == ["risk_assessment_missing"]
    assert len(calls) == 2 and Case.objects.get(pk=case.pk).state == "fit_to_travel"
