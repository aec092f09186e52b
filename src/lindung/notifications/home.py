"""The notifications app's panel of the home page (see core/home.py): incidents that matched one
of the analyst's watch rules and that they have not opened yet."""

from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.home import Count, Panel, list_url
from lindung.core.roles import Capability

from . import selectors
from .models import Event


def panels(user) -> list[Panel]:
    if not policy.has_capability(user, Capability.VIEW_INCIDENTS):
        return []
    return [watch_matches(user)]


def watch_matches(user) -> Panel:
    unread = selectors.notifications_of(user, unread_only=True, event=Event.WATCH_MATCH).count()
    counts = [
        Count(
            _("Matches not yet read"),
            unread,
            list_url("notifications:inbox", event=Event.WATCH_MATCH.value, show="unread"),
        ),
        Count(
            _("Watch rules"),
            selectors.watch_rules_of(user).count(),
            list_url("notifications:watch_rule_list"),
        ),
    ]
    return Panel("watch-matches", _("Watch rules"), counts)
