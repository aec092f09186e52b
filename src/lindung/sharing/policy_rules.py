"""Policy rules for the sharing models: only sharing managers of the owning organisation.

Exchange log entries that belong to no organisation (a request from an unknown or refused peer)
are node-wide events: every sharing manager of this node sees them.
"""

from django.db.models import Q

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import ExchangeLog, ImportedObject, Peer, SharingAgreement

policy.register(Peer, policy.Rule(view=C.MANAGE_SHARING, change=C.MANAGE_SHARING, shareable=False))
policy.register(
    SharingAgreement, policy.Rule(view=C.MANAGE_SHARING, change=C.MANAGE_SHARING, shareable=False)
)
policy.register(
    ImportedObject,
    policy.Rule(view=C.MANAGE_SHARING, change=None, owner="agreement__organisation_id", shareable=False),
)


def _log_filter(user, queryset, action):
    if action != policy.VIEW:
        return queryset.none()
    orgs = policy.organisations_with(user, C.MANAGE_SHARING)
    if not orgs:
        return queryset.none()
    return queryset.filter(Q(organisation_id__in=orgs) | Q(organisation__isnull=True))


def _log_check(user, obj, action):
    if action != policy.VIEW:
        return False
    orgs = policy.organisations_with(user, C.MANAGE_SHARING)
    return bool(orgs) and (obj.organisation_id is None or obj.organisation_id in orgs)


policy.register(
    ExchangeLog,
    policy.Rule(
        view=C.MANAGE_SHARING, change=None, shareable=False, scope_filter=_log_filter, scope_check=_log_check
    ),
)
