"""Protection assistance: intake → assessment → plan → services → review → closure."""

from django.utils.translation import gettext_lazy as _

from ..choices import Priority
from .base import CODE, DATE, FINAL_STATES, StepField, Transition, Workflow, with_closure

STATES = (
    ("intake", _("Intake")),
    ("assessment", _("Assessment")),
    ("plan", _("Assistance plan")),
    ("services", _("Services")),
    ("review", _("Review")),
    *FINAL_STATES,
)

WORKFLOW = Workflow(
    case_type="protection",
    label=_("Protection assistance"),
    states=STATES,
    initial="intake",
    transitions=with_closure(
        STATES,
        (
            Transition(
                "start_assessment",
                _("Start the assessment"),
                ("intake",),
                "assessment",
                fields=(StepField("assessment_date", _("Assessment date"), DATE),),
            ),
            Transition(
                "agree_plan",
                _("Agree the assistance plan"),
                ("assessment",),
                "plan",
                fields=(
                    StepField("plan_date", _("Plan agreed on"), DATE),
                    StepField("priority", _("Priority"), CODE, choices=tuple(Priority.choices)),
                ),
            ),
            Transition(
                "start_services",
                _("Start services"),
                ("plan",),
                "services",
                fields=(StepField("services_start_date", _("Services started on"), DATE),),
            ),
            Transition(
                "review",
                _("Review the case"),
                ("services",),
                "review",
                fields=(StepField("review_date", _("Review date"), DATE),),
            ),
            Transition("continue_services", _("Continue services"), ("review",), "services"),
        ),
        reject_to="review",
    ),
    date_order=(
        ("assessment_date", "plan_date"),
        ("plan_date", "services_start_date"),
        ("services_start_date", "review_date"),
        ("assessment_date", "closure_date"),
    ),
    retention_days=5 * 365,
    retention_action="delete",
)
