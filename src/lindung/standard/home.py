"""The standard app's panel of the home page (see core/home.py): the data manager's imports by
status, each a link to the import list filtered on it."""

from django.db.models import Count as Counted
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.home import Count, Panel, list_url
from lindung.core.roles import Capability

from . import selectors
from .models import ImportBatch


def panels(user) -> list[Panel]:
    if not policy.has_capability(user, Capability.MANAGE_STANDARD):
        return []
    return [imports(user)]


def imports(user) -> Panel:
    by_status = dict(
        selectors.batches_visible(user).order_by().values_list("status").annotate(n=Counted("pk"))
    )
    counts = [
        Count(str(label), by_status.get(status, 0), list_url("standard:import_list", status=status))
        for status, label in ImportBatch.Status.choices
    ]
    return Panel("imports", _("Imports"), counts)
