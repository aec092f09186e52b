"""Policy rules for the directory and referrals.

The directory is reference data: every signed-in user reads it; providers with MANAGE_DIRECTORY
change their own organisation's services. A referral is read by the referring organisation (those
who send referrals or supervise) and by the receiving organisation (those who receive referrals);
only the receiver answers it, only the referrer withdraws it.
"""

from django.db.models import Q

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import Referral, Service

policy.register(Service, policy.Rule(view=None, change=C.MANAGE_DIRECTORY, public=True, shareable=False))

# action -> [(lookup of the organisation, capability needed there)]
_REFERRAL_SIDES = {
    policy.VIEW: [
        ("organisation_id", C.SEND_REFERRALS),
        ("organisation_id", C.SUPERVISE_CASES),
        ("receiving_organisation_id", C.RECEIVE_REFERRALS),
    ],
    policy.CHANGE: [("organisation_id", C.SEND_REFERRALS)],
    policy.ANSWER: [("receiving_organisation_id", C.RECEIVE_REFERRALS)],
    policy.SUPERVISE: [
        ("organisation_id", C.SUPERVISE_CASES),
        ("receiving_organisation_id", C.SUPERVISE_CASES),
    ],
}


def _referral_filter(user, queryset, action):
    condition = Q(pk__in=[])
    for lookup, capability in _REFERRAL_SIDES.get(action, []):
        condition |= Q(**{f"{lookup}__in": policy.organisations_with(user, capability)})
    return queryset.filter(condition)


def _referral_check(user, obj, action):
    return any(
        policy.has_capability(user, capability, getattr(obj, lookup))
        for lookup, capability in _REFERRAL_SIDES.get(action, [])
    )


policy.register(
    Referral,
    policy.Rule(
        view=C.SEND_REFERRALS,
        change=C.SEND_REFERRALS,
        actions={policy.ANSWER: C.RECEIVE_REFERRALS, policy.SUPERVISE: C.SUPERVISE_CASES},
        shareable=False,
        scope_filter=_referral_filter,
        scope_check=_referral_check,
    ),
)
