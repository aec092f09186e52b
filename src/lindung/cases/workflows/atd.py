"""Alternatives to detention: assessment, placement (community placement, shelter, reporting...),
conditions, compliance check-ins (see ComplianceCheckIn), outcome.

Hard rule, enforced here and in ``services.placement_record``: a child is never placed in
detention. ATD placements come from the standard's ``atd_placement_type`` list only.
"""

from django.utils.translation import gettext_lazy as _

from ..choices import AtdOutcome
from .base import CODE, DATE, FINAL_STATES, INTEGER, TEXT, StepField, Transition, Workflow, with_closure

STATES = (
    ("assessment", _("Assessment")),
    ("placement", _("In placement")),
    ("outcome", _("Outcome")),
    *FINAL_STATES,
)

WORKFLOW = Workflow(
    case_type="atd",
    label=_("Alternatives to detention"),
    states=STATES,
    initial="assessment",
    transitions=with_closure(
        STATES,
        (
            Transition(
                "place",
                _("Place in an alternative to detention"),
                ("assessment",),
                "placement",
                fields=(
                    StepField("assessment_date", _("Assessed on"), DATE),
                    StepField("placement_type", _("Placement"), CODE, code_list="atd_placement_type"),
                    StepField("placement_start", _("Placement starts on"), DATE),
                    StepField(
                        "reporting_every_days",
                        _("Reports every (days)"),
                        INTEGER,
                        required=False,
                        min_value=1,
                        max_value=90,
                    ),
                    StepField("conditions", _("Conditions"), TEXT, required=False, personal=True),
                ),
                effects=("atd.record_placement",),
            ),
            Transition(
                "record_outcome",
                _("Record the outcome"),
                ("placement",),
                "outcome",
                fields=(
                    StepField("outcome_date", _("Outcome on"), DATE),
                    StepField("atd_outcome", _("Outcome"), CODE, choices=tuple(AtdOutcome.choices)),
                ),
            ),
        ),
        reject_to="placement",
    ),
    date_order=(
        ("assessment_date", "placement_start"),
        ("placement_start", "outcome_date"),
        ("assessment_date", "closure_date"),
    ),
    retention_days=5 * 365,
    retention_action="delete",
)
