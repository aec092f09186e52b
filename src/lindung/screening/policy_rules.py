"""Policy rules for the screening models.

Instruments are reference material: every signed-in user may read them; only screeners of the
owning organisation change them, and an instrument shipped with Lindung (no organisation) is changed
by nobody. Interviews and profiles are sensitive personal data of the organisation that ran them and
are never shared (a referral carries its own minimal payload instead).
OpenRosa credentials are read only by their owner, through ``selectors.openrosa_credential``.
"""

from django.db.models import Q

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import Instrument, InstrumentVersion, Interview, OpenRosaCredential, Profile


def _owned_only(owner: str):
    def scope_filter(user, queryset, action):
        capability = policy.rule_for(queryset.model).capability_for(action)
        if capability is None:
            return queryset.none()
        return queryset.filter(Q(**{f"{owner}__in": policy.organisations_with(user, capability)}))

    def scope_check(user, obj, action):
        return False if policy.owner_id(obj) is None else None

    return scope_filter, scope_check


for model, owner in ((Instrument, "organisation_id"), (InstrumentVersion, "instrument__organisation_id")):
    scope_filter, scope_check = _owned_only(owner)
    policy.register(
        model,
        policy.Rule(
            view=None,
            change=C.MANAGE_SCREENING,
            owner=owner,
            public=True,
            shareable=False,
            scope_filter=scope_filter,
            scope_check=scope_check,
        ),
    )
policy.register(Interview, policy.Rule(view=C.MANAGE_SCREENING, change=C.MANAGE_SCREENING, shareable=False))
policy.register(Profile, policy.Rule(view=C.MANAGE_SCREENING, change=C.MANAGE_SCREENING, shareable=False))
policy.register(OpenRosaCredential, policy.Rule(view=None, change=None, owner="user_id", shareable=False))
