"""Forced return, as followed by an organisation that monitors removals: the authorities notify a
removal, the monitor visits before it, the risk on return is assessed, the removal itself is
monitored, and the person is followed up after arrival.

Moving into "removal monitored" needs a signed-off risk-on-return assessment (cases.return_risk):
a monitor that finds a risk of persecution, torture or re-trafficking documents a decision first.
"""

from django.utils.translation import gettext_lazy as _

from ..choices import RemovalMode
from .base import BOOLEAN, CODE, DATE, FINAL_STATES, TEXT, StepField, Transition, Workflow, with_closure

STATES = (
    ("notification", _("Removal notified")),
    ("pre_removal_monitoring", _("Pre-removal monitoring")),
    ("risk_assessment", _("Risk-on-return assessment")),
    ("removal", _("Removal monitored")),
    ("post_arrival", _("Post-arrival follow-up")),
    *FINAL_STATES,
)

WORKFLOW = Workflow(
    case_type="forced_return",
    label=_("Forced return (removal monitoring)"),
    states=STATES,
    initial="notification",
    transitions=with_closure(
        STATES,
        (
            Transition(
                "start_pre_removal_monitoring",
                _("Removal notified: start monitoring"),
                ("notification",),
                "pre_removal_monitoring",
                fields=(
                    StepField("notification_date", _("Removal notified on"), DATE),
                    StepField("destination_country", _("Country of removal"), CODE, code_list="country"),
                    StepField("scheduled_removal_date", _("Removal scheduled for"), DATE),
                ),
                task=(_("Monitor the scheduled removal"), "scheduled_removal_date"),
            ),
            Transition(
                "start_risk_assessment",
                _("Pre-removal visit done: assess the risk on return"),
                ("pre_removal_monitoring",),
                "risk_assessment",
                fields=(
                    StepField("pre_removal_visit_date", _("Pre-removal visit on"), DATE),
                    StepField(
                        "pre_removal_observations",
                        _("Observations before removal"),
                        TEXT,
                        required=False,
                        personal=True,
                    ),
                ),
            ),
            Transition(
                "monitor_removal",
                _("Removal monitored"),
                ("risk_assessment",),
                "removal",
                fields=(
                    StepField("removal_date", _("Removed on"), DATE),
                    StepField(
                        "removal_mode", _("Means of removal"), CODE, choices=tuple(RemovalMode.choices)
                    ),
                    StepField("monitor_present", _("A monitor was present throughout"), BOOLEAN),
                    StepField(
                        "removal_observations",
                        _("Observations during removal"),
                        TEXT,
                        required=False,
                        personal=True,
                    ),
                ),
            ),
            Transition(
                "follow_up_arrival",
                _("Post-arrival follow-up"),
                ("removal",),
                "post_arrival",
                fields=(
                    StepField("arrival_date", _("Arrived on"), DATE),
                    StepField("follow_up_date", _("Followed up on"), DATE),
                    StepField(
                        "follow_up_concerns", _("Concerns after arrival"), TEXT, required=False, personal=True
                    ),
                ),
            ),
        ),
        reject_to="post_arrival",
    ),
    date_order=(
        ("notification_date", "pre_removal_visit_date"),
        ("pre_removal_visit_date", "removal_date"),
        ("notification_date", "removal_date"),
        ("removal_date", "arrival_date"),
        ("arrival_date", "follow_up_date"),
        ("notification_date", "closure_date"),
    ),
    retention_days=10 * 365,
    departure_step="removal",
)
