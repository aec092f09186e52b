"""Unaccompanied or separated child: best-interests assessment, guardian, family tracing,
best-interests determination, durable solution."""

from django.utils.translation import gettext_lazy as _

from lindung.core.roles import Capability

from ..choices import DurableSolution, TracingOutcome
from .base import CODE, DATE, FINAL_STATES, TEXT, StepField, Transition, Workflow, with_closure


def _must_be_child(person):
    if person.is_adult():
        return _(
            "This person is recorded as an adult; an unaccompanied or separated child case needs a child."
        )
    return None


STATES = (
    ("identification", _("Identification")),
    ("best_interests_assessment", _("Best-interests assessment")),
    ("guardian_appointed", _("Guardian appointed")),
    ("family_tracing", _("Family tracing")),
    ("best_interests_determination", _("Best-interests determination")),
    ("durable_solution", _("Durable solution")),
    *FINAL_STATES,
)

WORKFLOW = Workflow(
    case_type="uasc",
    label=_("Unaccompanied or separated child"),
    states=STATES,
    initial="identification",
    transitions=with_closure(
        STATES,
        (
            Transition(
                "assess_best_interests",
                _("Best-interests assessment done"),
                ("identification",),
                "best_interests_assessment",
                fields=(StepField("bia_date", _("Assessed on"), DATE),),
            ),
            Transition(
                "appoint_guardian",
                _("Guardian appointed"),
                ("best_interests_assessment",),
                "guardian_appointed",
                fields=(
                    StepField("guardian_name", _("Guardian's name"), TEXT, personal=True),
                    StepField("guardian_organisation", _("Guardian's organisation"), TEXT, required=False),
                    StepField("guardian_appointed_date", _("Appointed on"), DATE),
                ),
            ),
            Transition(
                "start_tracing",
                _("Start family tracing"),
                ("guardian_appointed",),
                "family_tracing",
                fields=(StepField("tracing_start_date", _("Tracing started on"), DATE),),
            ),
            Transition(
                "determine_best_interests",
                _("Best-interests determination"),
                ("family_tracing",),
                "best_interests_determination",
                capability=Capability.SUPERVISE_CASES,
                fields=(
                    StepField(
                        "tracing_outcome", _("Tracing outcome"), CODE, choices=tuple(TracingOutcome.choices)
                    ),
                    StepField("bid_date", _("Determined on"), DATE),
                ),
            ),
            Transition(
                "implement_solution",
                _("Durable solution under way"),
                ("best_interests_determination",),
                "durable_solution",
                fields=(
                    StepField(
                        "durable_solution",
                        _("Durable solution"),
                        CODE,
                        choices=tuple(DurableSolution.choices),
                    ),
                    StepField("solution_date", _("Started on"), DATE),
                ),
            ),
        ),
        reject_to="durable_solution",
    ),
    date_order=(
        ("bia_date", "bid_date"),
        ("bia_date", "guardian_appointed_date"),
        ("tracing_start_date", "bid_date"),
        ("bid_date", "solution_date"),
        ("bia_date", "closure_date"),
    ),
    open_checks=(_must_be_child,),
    retention_days=10 * 365,
)
