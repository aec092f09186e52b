"""Policy rules of the knowledge base.

Frameworks are shared reference data, not personal data: whoever holds VIEW_FRAMEWORKS in any
organisation reads every *shared* instrument, provision and recommendation, and whoever holds
MANAGE_FRAMEWORKS in any organisation edits them. An entry that is not shared (under preparation,
or a recommendation internal to an organisation) stays within the organisation that entered it,
like any other organisation-owned record. Unlike a ``public`` rule, the capability is always
required: an auditor without VIEW_FRAMEWORKS sees nothing.
"""

from django.db.models import Q

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import Instrument, PartyStatus, Provision, Recommendation, SearchEntry


def _capability(action: str) -> str:
    return C.VIEW_FRAMEWORKS if action == policy.VIEW else C.MANAGE_FRAMEWORKS


def _rule(owner: str, shared: str) -> policy.Rule:
    """``owner``: path to the entering organisation's id; ``shared``: path to the shared flag."""

    def scope_filter(user, queryset, action):
        orgs = policy.organisations_with(user, _capability(action))
        if not orgs:
            return queryset.none()
        return queryset.filter(Q(**{shared: True}) | Q(**{f"{owner}__in": orgs}))

    def scope_check(user, obj, action):
        orgs = policy.organisations_with(user, _capability(action))
        value = obj
        for part in shared.split("__"):
            value = getattr(value, part)
        return bool(orgs) and (bool(value) or policy.owner_id(obj) in orgs)

    return policy.Rule(
        view=C.VIEW_FRAMEWORKS,
        change=C.MANAGE_FRAMEWORKS,
        owner=owner,
        shareable=False,
        scope_filter=scope_filter,
        scope_check=scope_check,
    )


policy.register(Instrument, _rule("entered_in_id", "shared"))
policy.register(PartyStatus, _rule("instrument__entered_in_id", "instrument__shared"))
policy.register(Provision, _rule("instrument__entered_in_id", "instrument__shared"))
policy.register(SearchEntry, _rule("instrument__entered_in_id", "instrument__shared"))
policy.register(Recommendation, _rule("entered_in_id", "shared"))
