"""Policy rules for every model of the cases app.

Persons and cases are never shared through ``ObjectShare``: they leave an organisation only by a
transfer (consent + agreement), which makes a copy in the receiving organisation. Everything that
hangs off a case or a person follows its owner.
"""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import (
    Attachment,
    Case,
    CaseNote,
    CaseTransition,
    ComplianceCheckIn,
    Consent,
    MonitoringVisit,
    Need,
    Person,
    PersonIdentifier,
    PersonVulnerability,
    Placement,
    ReturnRiskAssessment,
    ServiceGiven,
    Task,
    TransferAgreement,
)

CASE_ACTIONS = {"supervise": C.SUPERVISE_CASES, "erase": C.SUPERVISE_CASES, "export": C.VIEW_IDENTITY}

policy.register(
    Person, policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, actions=CASE_ACTIONS, shareable=False)
)
policy.register(
    Case, policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, actions=CASE_ACTIONS, shareable=False)
)
# Blind index rows reveal nothing, but only identity holders search by identity.
policy.register(PersonIdentifier, policy.Rule(view=C.VIEW_IDENTITY, change=C.MANAGE_CASES, shareable=False))
for model in (PersonVulnerability,):
    policy.register(
        model,
        policy.Rule(
            view=C.VIEW_CASES, change=C.MANAGE_CASES, owner="person__organisation_id", shareable=False
        ),
    )
policy.register(Consent, policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, shareable=False))
# Risk-on-return assessments: caseworkers record them; sign-off and decisions need "supervise" on
# the case (services check it), so the rule itself follows the other case records.
for model in (CaseNote, Attachment, Placement, ReturnRiskAssessment):
    policy.register(model, policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, shareable=False))
for model in (CaseTransition, Need, ServiceGiven, Task, MonitoringVisit, ComplianceCheckIn):
    policy.register(
        model,
        policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, owner="case__organisation_id", shareable=False),
    )
# Agreements are made by supervisors of the sending organisation.
policy.register(TransferAgreement, policy.Rule(view=C.VIEW_CASES, change=C.SUPERVISE_CASES, shareable=False))
