"""Policy rules of the knowledge base.

Frameworks are shared reference data, not personal data: whoever holds VIEW_FRAMEWORKS in any
organisation reads every instrument, provision and recommendation, and whoever holds
MANAGE_FRAMEWORKS in any organisation edits them. The organisation that entered a record is kept
for provenance (``entered_in``) and for the audit log, not to restrict reading. Unlike a ``public``
rule, the capability is still required: an auditor without VIEW_FRAMEWORKS sees nothing.
"""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import Instrument, PartyStatus, Provision, Recommendation, SearchEntry


def _capability(action: str) -> str | None:
    return C.VIEW_FRAMEWORKS if action == policy.VIEW else C.MANAGE_FRAMEWORKS


def _scope_filter(user, queryset, action):
    return queryset if policy.has_capability(user, _capability(action)) else queryset.none()


def _scope_check(user, obj, action):
    return policy.has_capability(user, _capability(action))


def _rule(owner: str) -> policy.Rule:
    return policy.Rule(
        view=C.VIEW_FRAMEWORKS,
        change=C.MANAGE_FRAMEWORKS,
        owner=owner,
        shareable=False,
        scope_filter=_scope_filter,
        scope_check=_scope_check,
    )


policy.register(Instrument, _rule("entered_in_id"))
policy.register(PartyStatus, _rule("instrument__entered_in_id"))
policy.register(Provision, _rule("instrument__entered_in_id"))
policy.register(SearchEntry, _rule("instrument__entered_in_id"))
policy.register(Recommendation, _rule("entered_in_id"))
