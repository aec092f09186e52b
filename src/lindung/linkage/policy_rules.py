"""Policy rules of the linkage app. Blocking keys reveal nothing, but only holders of the identity
capability search by identity. Decisions follow the organisation of the two persons. A proposed
duplicate is reviewed by comparing two identities, so it is seen only with the identity
capability, and decided with the right to change records (as in the candidate panel)."""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import BlockingKey, DedupeCandidate, DedupeRun, PersonLink

policy.register(BlockingKey, policy.Rule(view=C.VIEW_IDENTITY, change=C.MANAGE_CASES, shareable=False))
policy.register(PersonLink, policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, shareable=False))
policy.register(DedupeCandidate, policy.Rule(view=C.VIEW_IDENTITY, change=C.MANAGE_CASES, shareable=False))
policy.register(DedupeRun, policy.Rule(view=C.VIEW_IDENTITY, change=C.SUPERVISE_CASES, shareable=False))
