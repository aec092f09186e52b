"""Readmission and nationality verification between a requesting (destination) state and a
requested (origin) state: request with the data the agreement allows, answers (confirmed,
refused, more information), a response deadline, travel document issuance, readmission."""

from django.utils.translation import gettext_lazy as _

from ..choices import ReadmissionDataItem, TravelDocumentType
from .base import CODE, CODES, DATE, FINAL_STATES, TEXT, StepField, Transition, Workflow, with_closure


def _two_states(case, data):
    merged = {**case.step_data, **data}
    if merged.get("requesting_state") and merged.get("requesting_state") == merged.get("requested_state"):
        return _("The requesting and the requested state must differ.")
    return None


ANSWER_DATE = StepField("answer_date", _("Answer received on"), DATE)

STATES = (
    ("request_prepared", _("Request prepared")),
    ("request_sent", _("Request sent")),
    ("more_information", _("More information asked")),
    ("confirmed", _("Nationality confirmed")),
    ("refused", _("Request refused")),
    ("travel_document_issued", _("Travel document issued")),
    ("readmitted", _("Readmitted")),
    *FINAL_STATES,
)

WORKFLOW = Workflow(
    case_type="readmission",
    label=_("Readmission and nationality verification"),
    states=STATES,
    initial="request_prepared",
    transitions=with_closure(
        STATES,
        (
            Transition(
                "send_request",
                _("Send the request"),
                ("request_prepared",),
                "request_sent",
                fields=(
                    StepField("requesting_state", _("Requesting state"), CODE, code_list="country"),
                    StepField(
                        "requested_state", _("Requested state (presumed origin)"), CODE, code_list="country"
                    ),
                    StepField("agreement_reference", _("Readmission agreement"), TEXT),
                    StepField(
                        "shared_data",
                        _("Data sent (as the agreement allows)"),
                        CODES,
                        choices=tuple(ReadmissionDataItem.choices),
                    ),
                    StepField("sent_date", _("Sent on"), DATE),
                    StepField("response_deadline", _("Answer due by"), DATE),
                ),
                checks=(_two_states,),
                task=(_("Answer due from the requested state"), "response_deadline"),
            ),
            Transition(
                "ask_more_information",
                _("Answer: more information needed"),
                ("request_sent",),
                "more_information",
                fields=(
                    ANSWER_DATE,
                    StepField("information_requested", _("Information asked for"), TEXT, personal=True),
                ),
            ),
            Transition(
                "resend_request",
                _("Send the completed request"),
                ("more_information",),
                "request_sent",
                fields=(
                    StepField("resent_date", _("Sent again on"), DATE),
                    StepField("response_deadline", _("Answer due by"), DATE),
                ),
                task=(_("Answer due from the requested state"), "response_deadline"),
            ),
            Transition(
                "confirm_nationality",
                _("Answer: nationality confirmed"),
                ("request_sent",),
                "confirmed",
                fields=(
                    ANSWER_DATE,
                    StepField("confirmed_nationality", _("Nationality"), CODE, code_list="country"),
                ),
            ),
            Transition(
                "refuse_request",
                _("Answer: request refused"),
                ("request_sent",),
                "refused",
                fields=(ANSWER_DATE, StepField("refusal_reason", _("Reason given"), TEXT, personal=True)),
            ),
            Transition(
                "issue_travel_document",
                _("Travel document issued"),
                ("confirmed",),
                "travel_document_issued",
                fields=(
                    StepField(
                        "travel_document_type",
                        _("Travel document"),
                        CODE,
                        choices=tuple(TravelDocumentType.choices),
                    ),
                    StepField("travel_document_issued", _("Issued on"), DATE),
                    StepField("travel_document_valid_until", _("Valid until"), DATE),
                ),
            ),
            Transition(
                "readmit",
                _("Readmission carried out"),
                ("travel_document_issued",),
                "readmitted",
                fields=(StepField("readmission_date", _("Readmitted on"), DATE),),
            ),
        ),
        reject_to="request_sent",
    ),
    date_order=(
        ("sent_date", "response_deadline"),
        ("sent_date", "answer_date"),
        ("answer_date", "resent_date"),
        ("resent_date", "response_deadline"),
        ("answer_date", "travel_document_issued"),
        ("travel_document_issued", "travel_document_valid_until"),
        ("travel_document_issued", "readmission_date"),
        ("readmission_date", "travel_document_valid_until"),
        ("sent_date", "closure_date"),
    ),
    retention_days=10 * 365,
    # The readmission is the departure: it needs a signed-off risk-on-return assessment.
    departure_step="readmitted",
)
