"""Policy rules for the core models."""

from . import policy, selectors
from .models import ApiToken, AuditEntry, Job, Membership, Organisation, SharingGroup
from .roles import Capability as C

# The directory of organisations is reference data for every signed-in user.
policy.register(Organisation, policy.Rule(view=None, change=C.MANAGE_ORGANISATION, owner="pk", public=True))
policy.register(Membership, policy.Rule(view=C.MANAGE_ORGANISATION, change=C.MANAGE_ORGANISATION))
# Background jobs of an organisation are its administrators' to follow (the operations page).
policy.register(Job, policy.Rule(view=C.MANAGE_ORGANISATION, change=C.MANAGE_ORGANISATION, shareable=False))
policy.register(
    AuditEntry,
    policy.Rule(
        view=C.VIEW_AUDIT,
        shareable=False,
        scope_filter=selectors.audit_scope,
        scope_check=selectors.audit_entry_allowed,
    ),
)


def _group_scope(user, queryset, action):
    """Any signed-in user reads the list of groups; sharing managers of a member change it."""
    if action == policy.VIEW:
        return queryset
    managers = policy.organisations_with(user, C.MANAGE_SHARING)
    return queryset.filter(organisations__in=managers).distinct()


def _group_check(user, group, action):
    if action == policy.VIEW:
        return True
    managers = policy.organisations_with(user, C.MANAGE_SHARING)
    return group.organisations.filter(pk__in=managers).exists()


# A sharing group belongs to all its members; a group has no single owning organisation.
policy.register(
    SharingGroup,
    policy.Rule(
        view=None,
        change=C.MANAGE_SHARING,
        public=True,
        shareable=False,
        scope_filter=_group_scope,
        scope_check=_group_check,
    ),
)
# Tokens belong to a person, not an organisation: only the holder sees them (checked in selectors).
policy.register(ApiToken, policy.Rule(view=None, owner="user_id", shareable=False))
