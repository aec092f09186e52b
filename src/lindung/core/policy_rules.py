"""Policy rules for the core models."""

from . import policy, selectors
from .models import ApiToken, AuditEntry, Membership, Organisation, SharingGroup
from .roles import Capability as C

# The directory of organisations is reference data for every signed-in user.
policy.register(Organisation, policy.Rule(view=None, change=C.MANAGE_ORGANISATION, owner="pk", public=True))
policy.register(Membership, policy.Rule(view=C.MANAGE_ORGANISATION, change=C.MANAGE_ORGANISATION))
policy.register(
    AuditEntry,
    policy.Rule(
        view=C.VIEW_AUDIT,
        shareable=False,
        scope_filter=selectors.audit_scope,
        scope_check=selectors.audit_entry_allowed,
    ),
)
policy.register(
    SharingGroup, policy.Rule(view=None, change=C.MANAGE_SHARING, owner="pk", public=True, shareable=False)
)
# Tokens belong to a person, not an organisation: only the holder sees them (checked in selectors).
policy.register(ApiToken, policy.Rule(view=None, owner="user_id", shareable=False))
