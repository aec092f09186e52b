"""Policy rules for the statistics models.

Releases and their tables are read by whoever reads statistics in the publishing organisation (and
by those it shares them with); nobody changes them (immutable): creating one needs PUBLISH_STATS.
Disclosure settings are read with VIEW_STATS and changed with PUBLISH_STATS. The privacy-budget
ledger is for data managers (PUBLISH_STATS) of the organisation.
"""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import DisclosureSettings, PrivacyBudgetEntry, Release, ReleaseTable

policy.register(DisclosureSettings, policy.Rule(view=C.VIEW_STATS, change=C.PUBLISH_STATS, shareable=False))
policy.register(
    Release, policy.Rule(view=C.VIEW_STATS, change=None, actions={policy.CREATE: C.PUBLISH_STATS})
)
policy.register(
    ReleaseTable,
    policy.Rule(view=C.VIEW_STATS, change=None, owner="release__organisation_id", shareable=False),
)
policy.register(PrivacyBudgetEntry, policy.Rule(view=C.PUBLISH_STATS, change=None, shareable=False))
