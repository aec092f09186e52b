"""Policy rules of the linkage app. Blocking keys reveal nothing, but only holders of the identity
capability search by identity. Decisions follow the organisation of the two persons."""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import BlockingKey, PersonLink

policy.register(BlockingKey, policy.Rule(view=C.VIEW_IDENTITY, change=C.MANAGE_CASES, shareable=False))
policy.register(PersonLink, policy.Rule(view=C.VIEW_CASES, change=C.MANAGE_CASES, shareable=False))
