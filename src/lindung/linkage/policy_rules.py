"""Policy rules of the linkage app. Blocking keys reveal nothing, but only holders of the identity
capability search by identity. Decisions follow the organisation of the two persons. Privacy-preserving
linkage (agreements, and runs with counts only) is the data managers' work; administrators change
agreements."""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import BlockingKey, LinkageAgreement, PersonLink, PprlRun

policy.register(BlockingKey, policy.Rule(view=C.VIEW_IDENTITY, change=C.MANAGE_CASES, shareable=False))
policy.register(PersonLink, policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, shareable=False))
policy.register(
    LinkageAgreement, policy.Rule(view=C.MANAGE_STANDARD, change=C.MANAGE_SHARING, shareable=False)
)
policy.register(PprlRun, policy.Rule(view=C.MANAGE_STANDARD, change=C.MANAGE_STANDARD, shareable=False))
