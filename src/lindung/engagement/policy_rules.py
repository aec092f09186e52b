"""Policy rules: everything here is for the organisation's engagement coordinators, and never
shared with other organisations. Participants' identity fields (name, contact details, access
needs) need VIEW_PARTICIPANT_CONTACT on top."""

from lindung.core import policy
from lindung.core.roles import Capability as C

from . import models as m

_RULE = policy.Rule(view=C.MANAGE_ENGAGEMENT, change=C.MANAGE_ENGAGEMENT, shareable=False)

for _model in (
    m.GuidelineDocument,
    m.GuidelineVersion,
    m.GuidanceDocument,
    m.GuidanceVersion,
    m.SupportPathway,
    m.Engagement,
    m.Session,
    m.Consent,
    m.SessionParticipant,
    m.Contribution,
    m.Outcome,
    m.SafeguardingConcern,
    m.SupportReferral,
    m.Incident,
    m.Compensation,
    m.Notification,
):
    policy.register(_model, _RULE)

policy.register(
    m.Participant,
    policy.Rule(
        view=C.MANAGE_ENGAGEMENT,
        change=C.MANAGE_ENGAGEMENT,
        shareable=False,
        identity_capability=C.VIEW_PARTICIPANT_CONTACT,
    ),
)
