"""The engagement app's panel of the home page (see core/home.py): the coordinator's sessions
coming and the safeguarding concerns still open."""

from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.home import Count, Panel, list_url
from lindung.core.roles import Capability

from . import selectors


def panels(user) -> list[Panel]:
    if not policy.has_capability(user, Capability.MANAGE_ENGAGEMENT):
        return []
    return [coming_and_open(user)]


def coming_and_open(user) -> Panel:
    counts = [
        Count(
            _("Sessions coming"),
            selectors.sessions_upcoming(user).count(),
            list_url("engagement:session_upcoming"),
        ),
        Count(
            _("Safeguarding concerns open"),
            selectors.concerns_open(user).count(),
            list_url("engagement:concern_open"),
        ),
    ]
    return Panel("engagement", _("Sessions and safeguarding"), counts)
