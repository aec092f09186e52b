"""Assisted voluntary return and reintegration.

counselling → eligibility → travel documents → fit to travel → departure → arrival →
reintegration plan → monitoring → closure. Each move records the data of the step it completes.
Moving into departure needs a signed-off risk-on-return assessment (cases.return_risk).
"""

from django.utils.translation import gettext_lazy as _

from ..choices import TravelDocumentType
from .base import BOOLEAN, CODE, CODES, DATE, FINAL_STATES, StepField, Transition, Workflow, with_closure


def _must_be_informed(case, data):
    if data.get("informed_decision") is False:
        return _("A return can only go ahead once the person has taken an informed decision.")
    return None


STATES = (
    ("counselling", _("Counselling")),
    ("eligibility", _("Eligibility")),
    ("travel_documents", _("Travel documents")),
    ("fit_to_travel", _("Fit to travel")),
    ("departure", _("Departure")),
    ("arrival", _("Arrival")),
    ("reintegration_plan", _("Reintegration plan")),
    ("monitoring", _("Monitoring")),
    *FINAL_STATES,
)

WORKFLOW = Workflow(
    case_type="avrr",
    label=_("Assisted voluntary return and reintegration"),
    states=STATES,
    initial="counselling",
    transitions=with_closure(
        STATES,
        (
            Transition(
                "complete_counselling",
                _("Counselling done"),
                ("counselling",),
                "eligibility",
                fields=(
                    StepField("counselling_date", _("Counselling date"), DATE),
                    StepField(
                        "informed_decision", _("The person took an informed decision to return"), BOOLEAN
                    ),
                ),
                checks=(_must_be_informed,),
            ),
            Transition(
                "confirm_eligibility",
                _("Confirm eligibility"),
                ("eligibility",),
                "travel_documents",
                fields=(
                    StepField("eligibility_date", _("Eligibility confirmed on"), DATE),
                    StepField("destination_country", _("Country of return"), CODE, code_list="country"),
                ),
            ),
            Transition(
                "obtain_travel_document",
                _("Travel document obtained"),
                ("travel_documents",),
                "fit_to_travel",
                fields=(
                    StepField(
                        "travel_document_type",
                        _("Travel document"),
                        CODE,
                        choices=tuple(TravelDocumentType.choices),
                    ),
                    StepField("travel_document_issued", _("Travel document issued on"), DATE),
                ),
            ),
            Transition(
                "declare_fit_to_travel",
                _("Declared fit to travel"),
                ("fit_to_travel",),
                "departure",
                fields=(
                    StepField("fit_to_travel_date", _("Fit-to-travel check on"), DATE),
                    StepField("departure_date", _("Departure date"), DATE),
                ),
                task=(_("Confirm the departure took place"), "departure_date"),
            ),
            Transition(
                "confirm_arrival",
                _("Arrival confirmed"),
                ("departure",),
                "arrival",
                fields=(StepField("arrival_date", _("Arrival date"), DATE),),
            ),
            Transition(
                "agree_reintegration_plan",
                _("Reintegration plan agreed"),
                ("arrival",),
                "reintegration_plan",
                fields=(
                    StepField("reintegration_plan_date", _("Plan agreed on"), DATE),
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
                _("Start monitoring"),
                ("reintegration_plan",),
                "monitoring",
                fields=(StepField("monitoring_start", _("Monitoring started on"), DATE),),
            ),
        ),
        reject_to="monitoring",
    ),
    date_order=(
        ("counselling_date", "eligibility_date"),
        ("counselling_date", "departure_date"),
        ("eligibility_date", "travel_document_issued"),
        ("travel_document_issued", "departure_date"),
        ("fit_to_travel_date", "departure_date"),
        ("departure_date", "arrival_date"),
        ("arrival_date", "reintegration_plan_date"),
        ("reintegration_plan_date", "monitoring_start"),
        ("counselling_date", "closure_date"),
    ),
    retention_days=10 * 365,
    departure_step="departure",
)
