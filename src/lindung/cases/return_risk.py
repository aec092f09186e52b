"""Return safeguards (non-refoulement): the risk-on-return assessment of every return path and the
gate that keeps a case out of its departure step until the assessment clears it.

Every return case type (a workflow with a ``departure_step``: AVRR, readmission, forced return)
needs, before departure, the latest assessment of the case signed off by a supervisor who did not
make it, and, when it found a risk, a supervisor's documented decision to proceed. Each write is a
service ``<entity>_<action>(*, acting_user, ...)`` with its audit entry in the same transaction;
the audit detail carries codes and ids, never the notes or the reasons (they are personal data).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import actors, policy, uploads
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction

from .choices import RiskDecision, RiskFinding, RiskResult
from .models import Case, ReturnRiskAssessment

NOTES_LIMIT = 4000
FACTOR_NAMES = tuple(name for name, _label in ReturnRiskAssessment.FACTORS)


def _refusal(message, code, field="transition"):
    return ValidationError({field: [ValidationError(message, code=code)]})


def latest_assessment(case) -> ReturnRiskAssessment | None:
    return case.risk_assessments.order_by("-assessed_at", "-pk").first()


def _require_return_case(case) -> None:
    if not case.workflow.is_return_path:
        raise _refusal(
            _("Risk-on-return assessments belong to return cases (AVRR, readmission, forced return)."),
            "not_a_return_case",
            field="case",
        )
    if not case.is_open:
        raise _refusal(
            _("This case is %(state)s: nothing more can be added.") % {"state": case.state_label},
            "case_not_open",
            field="case",
        )


# the gate ------------------------------------------------------------------------------------


def departure_refusal(case) -> ValidationError | None:
    """Why ``case`` may not move into its departure step now (None: it may). Coded:
    risk_assessment_missing, risk_assessment_not_signed_off, risk_decision_missing,
    risk_decision_suspends_return."""
    assessment = latest_assessment(case)
    if assessment is None:
        return _refusal(
            _(
                "A risk-on-return assessment is needed before departure: record one, then have a "
                "supervisor sign it off."
            ),
            "risk_assessment_missing",
        )
    if not assessment.is_signed_off:
        return _refusal(
            _(
                "The risk-on-return assessment is not signed off yet: a supervisor other than the "
                "assessor must sign it off before departure."
            ),
            "risk_assessment_not_signed_off",
        )
    if assessment.result == RiskResult.NO_RISK:
        return None
    if not assessment.decision:
        return _refusal(
            _(
                "The assessment found a risk on return: a supervisor must record a decision, with "
                "reasons, before departure."
            ),
            "risk_decision_missing",
        )
    if assessment.decision != RiskDecision.PROCEED:
        return _refusal(
            _(
                "The return is stopped by the decision on the risk found (%(decision)s). A new "
                "assessment is needed before departure."
            )
            % {"decision": assessment.get_decision_display()},
            "risk_decision_suspends_return",
        )
    return None


def is_departure(case, transition) -> bool:
    return bool(case.workflow.departure_step) and transition.target == case.workflow.departure_step


def check_departure(*, acting_user, case, transition, audit=True) -> None:
    """Raise the coded refusal when ``transition`` takes ``case`` into its departure step without a
    clearing assessment. The refusal is audited when ``audit`` (called outside any transaction that
    the refusal will roll back)."""
    if not is_departure(case, transition):
        return
    refusal = departure_refusal(case)
    if refusal is None:
        return
    if audit:
        audit_record(
            action=AuditAction.RETURN_DEPARTURE_REFUSED,
            actor=acting_user,
            obj=case,
            detail={"transition": transition.name, "code": refusal.error_dict["transition"][0].code},
        )
    raise refusal


# services ------------------------------------------------------------------------------------


def _clean_factors(factors: dict, person) -> tuple[dict, dict]:
    """(findings, notes) per factor; ValidationError naming each factor that is wrong."""
    if not isinstance(factors, dict):
        raise _refusal(_("Give a finding for each factor."), "invalid", field="factors")
    errors: dict[str, list] = {}
    findings, notes = {}, {}
    for name in FACTOR_NAMES:
        finding = factors.get(name)
        note = factors.get(f"{name}_notes") or ""
        if not isinstance(note, str):
            errors[f"{name}_notes"] = [ValidationError(_("Enter text."), code="invalid")]
            continue
        note = note.strip()
        if finding in (None, ""):
            errors[name] = [
                ValidationError(
                    _("Give a finding for this factor (or say it was not assessed)."), code="required"
                )
            ]
            continue
        if finding not in RiskFinding.values:
            errors[name] = [ValidationError(_("Unknown finding."), code="invalid_choice")]
            continue
        if len(note) > NOTES_LIMIT:
            errors[f"{name}_notes"] = [
                ValidationError(_("At most %(n)d characters.") % {"n": NOTES_LIMIT}, code="max_length")
            ]
            continue
        if finding != RiskFinding.NO_RISK and not note:
            # A risk must be described, and a factor left out must say why.
            errors[f"{name}_notes"] = [
                ValidationError(
                    _("Explain the risk found, or why this factor was not assessed."),
                    code="risk_notes_missing",
                )
            ]
            continue
        findings[name], notes[f"{name}_notes"] = finding, note or None
    if (
        "child_best_interests" not in errors
        and findings.get("child_best_interests") == RiskFinding.NOT_ASSESSED
        and not person.is_adult()
    ):
        errors["child_best_interests"] = [
            ValidationError(
                _("This person is a child or of unknown age: the child's best interests must be assessed."),
                code="child_best_interests_required",
            )
        ]
    if not errors and all(f == RiskFinding.NOT_ASSESSED for f in findings.values()):
        errors["factors"] = [
            ValidationError(_("An assessment must assess at least one factor."), code="nothing_assessed")
        ]
    if errors:
        raise ValidationError(errors)
    return findings, notes


def risk_assessment_record(*, acting_user, case, assessed_on=None, factors: dict) -> ReturnRiskAssessment:
    """Record a risk-on-return assessment of a return case. ``factors`` maps each factor name of
    ``ReturnRiskAssessment.FACTORS`` to a ``RiskFinding`` and ``<factor>_notes`` to free text (needed
    for a risk found or a factor not assessed). The overall result is a risk when any factor is."""
    policy.require(acting_user, policy.CHANGE, case)
    _require_return_case(case)
    assessed_on = assessed_on or timezone.localdate()
    if isinstance(assessed_on, str):
        try:
            assessed_on = datetime.date.fromisoformat(assessed_on)
        except ValueError:
            raise _refusal(_("Enter a date as YYYY-MM-DD."), "invalid", field="assessed_on") from None
    uploads.check_dates(assessed_on=assessed_on)
    if assessed_on > timezone.localdate() or assessed_on < case.opened_on:
        raise _refusal(
            _("The assessment date must be between the day the case was opened and today."),
            "invalid_date",
            field="assessed_on",
        )
    findings, notes = _clean_factors(factors, case.person)
    result = RiskResult.RISK_FOUND if RiskFinding.RISK in findings.values() else RiskResult.NO_RISK
    with transaction.atomic():
        _lock_case_row(case)
        assessment = ReturnRiskAssessment.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            assessed_on=assessed_on,
            result=result,
            assessed_by=actors.user_of(acting_user),
            **findings,
            **notes,
        )
        audit_record(
            action=AuditAction.RISK_ASSESSMENT_RECORDED,
            actor=acting_user,
            obj=assessment,
            detail={"case": case.pk, "result": result, **findings},
        )
    return assessment


def is_assessor(assessment, acting_user) -> bool:
    user = actors.user_of(acting_user)
    return user is not None and assessment.assessed_by_id == user.pk


def _lock_case_row(case) -> None:
    """Serialise with ``services.case_transition``, which checks the departure gate under this lock."""
    Case.objects.select_for_update().filter(pk=case.pk).first()


def _lock_latest(assessment) -> ReturnRiskAssessment:
    _lock_case_row(assessment.case)
    locked = ReturnRiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if latest_assessment(locked.case).pk != locked.pk:
        raise _refusal(
            _("A newer assessment of this case was recorded: act on that one."),
            "risk_assessment_superseded",
            field="assessment",
        )
    return locked


def risk_assessment_sign_off(*, acting_user, assessment) -> ReturnRiskAssessment:
    """A supervisor signs the assessment off. Segregation of duties: never the assessor."""
    case = assessment.case
    policy.require(acting_user, "supervise", case)
    _require_return_case(case)
    if is_assessor(assessment, acting_user):
        raise _refusal(
            _("You made this assessment, so another supervisor must sign it off."),
            "risk_sign_off_by_assessor",
            field="assessment",
        )
    with transaction.atomic():
        locked = _lock_latest(assessment)
        if locked.is_signed_off:
            raise _refusal(
                _("This assessment is already signed off."),
                "risk_assessment_already_signed_off",
                field="assessment",
            )
        locked.signed_off_by = actors.user_of(acting_user)
        locked.signed_off_at = timezone.now()
        locked.save(update_fields=["signed_off_by", "signed_off_at"])
        audit_record(
            action=AuditAction.RISK_ASSESSMENT_SIGNED_OFF,
            actor=acting_user,
            obj=locked,
            detail={"case": case.pk, "result": locked.result},
        )
    return locked


def risk_decision_record(*, acting_user, assessment, decision, reasons) -> ReturnRiskAssessment:
    """A supervisor decides what happens after a risk was found: proceed, suspend the return, or
    refer for protection, always with reasons. Only "proceed" lets the case reach departure."""
    case = assessment.case
    policy.require(acting_user, "supervise", case)
    _require_return_case(case)
    errors = {}
    if decision not in RiskDecision.values:
        errors["decision"] = [ValidationError(_("Choose a decision."), code="invalid_choice")]
    reasons = reasons.strip() if isinstance(reasons, str) else ""
    if not reasons:
        errors["reasons"] = [
            ValidationError(_("Give the reasons for the decision."), code="risk_decision_reasons_missing")
        ]
    elif len(reasons) > NOTES_LIMIT:
        errors["reasons"] = [
            ValidationError(_("At most %(n)d characters.") % {"n": NOTES_LIMIT}, code="max_length")
        ]
    if errors:
        raise ValidationError(errors)
    if is_assessor(assessment, acting_user):
        raise _refusal(
            _("You made this assessment, so another supervisor must decide on it."),
            "risk_decision_by_assessor",
            field="assessment",
        )
    with transaction.atomic():
        locked = _lock_latest(assessment)
        if not locked.is_signed_off:
            raise _refusal(
                _("Sign the assessment off before deciding on it."),
                "risk_assessment_not_signed_off",
                field="assessment",
            )
        if locked.result != RiskResult.RISK_FOUND:
            raise _refusal(
                _("This assessment found no risk: there is nothing to decide."),
                "risk_decision_not_needed",
                field="assessment",
            )
        if locked.decision:
            raise _refusal(
                _(
                    "A decision was already recorded on this assessment; "
                    "a new assessment is needed to change it."
                ),
                "risk_decision_already_recorded",
                field="assessment",
            )
        locked.decision = decision
        locked.decision_reasons = reasons
        locked.decided_by = actors.user_of(acting_user)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["decision", "decision_reasons", "decided_by", "decided_at"])
        audit_record(
            action=AuditAction.RISK_DECISION_RECORDED,
            actor=acting_user,
            obj=locked,
            detail={"case": case.pk, "decision": decision},
        )
    return locked
