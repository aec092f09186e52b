"""The maritime app's panel of the home page (see core/home.py): incidents received since the
analyst's previous sign-in (or in the last week, at a first sign-in)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core import selectors as core_selectors
from lindung.core.home import Count, Panel, list_url
from lindung.core.roles import Capability

from . import selectors

FIRST_VISIT_WINDOW = timedelta(days=7)


def panels(user) -> list[Panel]:
    if not policy.has_capability(user, Capability.VIEW_INCIDENTS):
        return []
    return [incidents_since(user)]


def incidents_since(user) -> Panel:
    previous = core_selectors.previous_sign_in(user)
    since = previous or timezone.now() - FIRST_VISIT_WINDOW
    # Whole seconds: the address carries the moment and the list must read back the same one.
    since = since.replace(microsecond=0)
    n = selectors.incidents_filtered(user, {"received_after": since}).count()
    counts = [
        Count(
            _("Incidents received"), n, list_url("maritime:incident_list", received_after=since.isoformat())
        )
    ]
    when = date_format(timezone.localtime(since), "DATETIME_FORMAT")
    note = (
        _("Since your previous sign-in (%(when)s).") % {"when": when}
        if previous
        else _("In the last seven days (this is your first sign-in).")
    )
    return Panel("incidents-new", _("New incidents"), counts, note=note)
