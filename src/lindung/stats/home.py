"""The stats app's panel of the home page (see core/home.py): releases and the privacy budget
left this year."""

from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.home import Count, Panel, list_url
from lindung.core.roles import Capability

from . import selectors


def panels(user) -> list[Panel]:
    if not policy.has_capability(user, Capability.PUBLISH_STATS):
        return []
    return [releases(user)]


def releases(user) -> Panel:
    counts = [Count(_("Releases"), selectors.releases_visible(user).count(), list_url("stats:release_list"))]
    # The settings page shows (and spends) the budget of this organisation: the same one here.
    organisation = selectors.stats_organisations(user, Capability.PUBLISH_STATS).first()
    if organisation is not None:
        left = selectors.budget_remaining(organisation)
        counts.append(
            Count(
                _("Privacy budget left this year (ε)"),
                left,
                list_url("stats:settings"),
                maximum=selectors.settings_of(organisation).annual_epsilon_budget,
                shown=f"{left:.2f}",
            )
        )
    return Panel("releases", _("Releases and privacy budget"), counts)
