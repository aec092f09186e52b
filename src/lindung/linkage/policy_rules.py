"""Policy rules of the linkage app. Blocking keys reveal nothing, but only holders of the identity
capability search by identity. Decisions follow the organisation of the two persons. A proposed
duplicate is reviewed by comparing two identities, so it is seen only with the identity
capability, and decided with the right to change records (as in the candidate panel). Privacy-preserving
linkage (agreements, and runs with counts only) is the data managers' work; administrators change
agreements."""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import BlockingKey, DedupeCandidate, DedupeRun, LinkageAgreement, PersonLink, PprlRun

policy.register(BlockingKey, policy.Rule(view=C.VIEW_IDENTITY, change=C.MANAGE_CASES, shareable=False))
policy.register(PersonLink, policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, shareable=False))


def _agreement_scope(user, queryset, action):
    """Every party's data managers see an agreement; the holder's administrators change it."""
    if action == policy.VIEW:
        parties = policy.organisations_with(user, C.MANAGE_STANDARD)
        return queryset.filter(pk__in=LinkageAgreement.objects.filter(parties__in=parties).values("pk"))
    return queryset.filter(organisation_id__in=policy.organisations_with(user, C.MANAGE_SHARING))


def _agreement_check(user, agreement, action):
    if action == policy.VIEW:
        parties = set(agreement.parties.values_list("pk", flat=True))
        return bool(parties & policy.organisations_with(user, C.MANAGE_STANDARD))
    return policy.has_capability(user, C.MANAGE_SHARING, agreement.organisation_id)


policy.register(
    LinkageAgreement,
    policy.Rule(
        view=C.MANAGE_STANDARD,
        change=C.MANAGE_SHARING,
        shareable=False,
        scope_filter=_agreement_scope,
        scope_check=_agreement_check,
    ),
)
policy.register(PprlRun, policy.Rule(view=C.MANAGE_STANDARD, change=C.MANAGE_STANDARD, shareable=False))
policy.register(DedupeCandidate, policy.Rule(view=C.VIEW_IDENTITY, change=C.MANAGE_CASES, shareable=False))
policy.register(DedupeRun, policy.Rule(view=C.VIEW_IDENTITY, change=C.SUPERVISE_CASES, shareable=False))
