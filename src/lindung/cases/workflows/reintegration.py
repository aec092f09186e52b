"""Reintegration: needs assessment, economic / social / psychosocial assistance, monitoring visits
scored over the three dimensions of sustainability (see MonitoringVisit)."""

from django.utils.translation import gettext_lazy as _

from .base import CODES, DATE, FINAL_STATES, StepField, Transition, Workflow, with_closure


def _visited(case, data):
    if not case.monitoring_visits.exists():
        return _("Record at least one monitoring visit with a sustainability score before closing.")
    return None


STATES = (
    ("needs_assessment", _("Needs assessment")),
    ("assistance", _("Assistance")),
    ("monitoring", _("Monitoring")),
    *FINAL_STATES,
)

WORKFLOW = Workflow(
    case_type="reintegration",
    label=_("Reintegration"),
    states=STATES,
    initial="needs_assessment",
    transitions=with_closure(
        STATES,
        (
            Transition(
                "plan_assistance",
                _("Needs assessed: plan assistance"),
                ("needs_assessment",),
                "assistance",
                fields=(
                    StepField("needs_assessment_date", _("Needs assessed on"), DATE),
                    StepField(
                        "assistance_types",
                        _("Assistance planned"),
                        CODES,
                        code_list="reintegration_assistance_type",
                    ),
                ),
            ),
            Transition(
                "start_monitoring",
                _("Assistance delivered: start monitoring"),
                ("assistance",),
                "monitoring",
                fields=(StepField("assistance_completed_date", _("Assistance delivered by"), DATE),),
            ),
            Transition("resume_assistance", _("More assistance needed"), ("monitoring",), "assistance"),
        ),
        reject_to="monitoring",
        extra_checks=(_visited,),
    ),
    date_order=(
        ("needs_assessment_date", "assistance_completed_date"),
        ("needs_assessment_date", "closure_date"),
    ),
    retention_days=10 * 365,
)
