"""Pages of the return safeguards: a return case's risk-on-return assessments, recording one,
signing it off, deciding on a risk found, and the counts of assessments and decisions. Thin: the
rules live in ``return_risk``; these pages parse, call it and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import policy
from lindung.core.forms import add_service_errors
from lindung.core.roles import Capability
from lindung.core.routes import object_view

from . import forms, return_risk, selectors
from .models import Case, ReturnRiskAssessment


def _return_case(request, pk, action=policy.VIEW):
    case = get_object_or_404(selectors.cases_visible(request.user), pk=pk)
    policy.require(request.user, action, case)
    return case


def _assessment(case, assessment_pk, user):
    return get_object_or_404(selectors.risk_assessments_of(user, case), pk=assessment_pk)


def _form_page(request, case, form, title, submit_label):
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": title, "intro": case.reference, "submit_label": submit_label},
        status=400 if form.errors else 200,
    )


@login_required
@object_view(Case)
def risk_page(request, pk):
    case = _return_case(request, pk)
    assessments = list(selectors.risk_assessments_of(request.user, case))
    shown = [
        (a, selectors.read_risk_notes(request.user, a, purpose="risk-on-return page")) for a in assessments
    ]
    latest = assessments[0] if assessments else None
    supervisor_of_latest = (
        latest is not None
        and policy.can(request.user, "supervise", case)
        and not return_risk.is_assessor(latest, request.user)
    )
    refusal = return_risk.departure_refusal(case) if case.workflow.is_return_path else None
    return render(
        request,
        "cases/return_risk.html",
        {
            "case": case,
            "assessments": shown,
            "latest": latest,
            "is_return_path": case.workflow.is_return_path,
            "can_record": case.workflow.is_return_path
            and case.is_open
            and policy.can(request.user, policy.CHANGE, case),
            # Segregation of duties: the assessor neither signs off nor decides (services refuse it).
            "can_sign_off": bool(supervisor_of_latest and not latest.is_signed_off),
            "can_decide": bool(supervisor_of_latest and latest.needs_decision),
            "departure_refusal": refusal.messages[0] if refusal else "",
        },
    )


@login_required
@object_view(Case)
def risk_record(request, pk):
    case = _return_case(request, pk, policy.CHANGE)
    form = forms.RiskAssessmentForm(request.POST or None, initial={"assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            return_risk.risk_assessment_record(
                acting_user=request.user,
                case=case,
                assessed_on=form.cleaned_data["assessed_on"],
                factors=form.factors(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Assessment recorded. A supervisor must now sign it off."))
            return redirect("cases:risk_page", case.pk)
    return _form_page(
        request, case, form, _("Record a risk-on-return assessment"), _("Record the assessment")
    )


def _refused_page(request, case, exc):
    for message in exc.messages:
        messages.error(request, message)
    return redirect("cases:risk_page", case.pk)


@login_required
@require_POST
@object_view(Case, assessment_pk=ReturnRiskAssessment)
def risk_sign_off(request, pk, assessment_pk):
    case = _return_case(request, pk, "supervise")
    assessment = _assessment(case, assessment_pk, request.user)
    try:
        return_risk.risk_assessment_sign_off(acting_user=request.user, assessment=assessment)
    except ValidationError as exc:
        return _refused_page(request, case, exc)
    messages.success(request, _("Assessment signed off."))
    return redirect("cases:risk_page", case.pk)


@login_required
@object_view(Case, assessment_pk=ReturnRiskAssessment)
def risk_decide(request, pk, assessment_pk):
    case = _return_case(request, pk, "supervise")
    assessment = _assessment(case, assessment_pk, request.user)
    form = forms.RiskDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return_risk.risk_decision_record(
                acting_user=request.user, assessment=assessment, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("cases:risk_page", case.pk)
    return _form_page(request, case, form, _("Decide on the risk on return"), _("Record the decision"))


@login_required
def risk_summary(request):
    policy.require_capability(request.user, Capability.VIEW_CASES)
    return render(
        request, "cases/return_risk_summary.html", {"summary": selectors.risk_summary(request.user)}
    )


def departure_refused_page(request, case, refusal):
    """The departure step refused by the return safeguards: why, and where to act."""
    return render(
        request,
        "cases/departure_refused.html",
        {
            "case": case,
            "message": refusal.messages[0],
            "code": refusal.error_dict["transition"][0].code,
            "risk_url": reverse("cases:risk_page", args=[case.pk]),
        },
        status=400,
    )
