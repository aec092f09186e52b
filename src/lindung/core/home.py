"""The home page's panels: each app says what waits for the signed-in user.

An app that has something to show provides ``lindung/<app>/home.py`` with
``def panels(user) -> list[Panel]``. Core finds these modules by name, through the installed app
configs (as the root URLconf finds each app's ``urls.py``), so it never imports the apps above it.
Each app reads through its own selectors (policy first, deny by default) and returns a panel only
when the user holds the capability it needs.

A panel is a small table: one row per count, each count a link to the list page whose filters
reproduce it, with a bar whose length is the count's share of the panel's largest one.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, policy, selectors
from .models import AuditEntry
from .roles import Capability

# How far back the auditor's panel counts refusals and exports (a filter of the audit log page).
AUDIT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Count:
    label: str
    value: int | float
    url: str
    # The bar's full length when the value is a share of a known whole (a budget); otherwise the
    # panel's largest value.
    maximum: float | None = None
    shown: str = ""  # the value as written, when not a plain count (e.g. "2.50")


@dataclass(frozen=True)
class Panel:
    key: str  # stable id of the panel (HTML id, tests)
    title: str
    counts: list[Count] = field(default_factory=list)
    # An optional note under the table (e.g. what "since your last visit" means).
    note: str = ""

    @property
    def largest(self) -> int:
        return max((c.value for c in self.counts), default=0)


def home_modules():
    """The ``home`` module of every Lindung app that has one, in LINDUNG_APPS order."""
    for app_path in settings.LINDUNG_APPS:
        name = f"{app_path}.home"
        if find_spec(name):
            yield import_module(name)


def panels_for(user) -> list[Panel]:
    panels = []
    for module in home_modules():
        panels.extend(module.panels(user))
    return panels


def list_url(name: str, **params) -> str:
    """The address of a list page with the filters that reproduce a count."""
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


# core's own panel ----------------------------------------------------------------------------


def panels(user) -> list[Panel]:
    if not policy.has_capability(user, Capability.VIEW_AUDIT):
        return []
    return [audit_panel(user)]


def audit_panel(user) -> Panel:
    since = timezone.localdate() - timedelta(days=AUDIT_WINDOW_DAYS)
    labels = {"refusals": _("Refusals"), "exports": _("Exports")}
    counts = [
        Count(
            label,
            selectors.audit_entries(user, kind=kind, since=since).count(),
            list_url("core:audit_log", kind=kind, since=since.isoformat()),
        )
        for kind, label in labels.items()
    ]
    return Panel(
        "audit",
        _("Audit: the last %(days)s days") % {"days": AUDIT_WINDOW_DAYS},
        counts,
        note=chain_status(),
    )


def chain_status() -> str:
    """What the anchors say of the chain, cheaply: the full walk is ``lindung audit verify``."""
    try:
        anchors = audit.read_anchors()
    except audit.AnchorError:
        return _("Chain: the anchor file does not verify. Run “lindung audit verify” now.")
    if not anchors:
        return _("Chain: no anchor written yet; schedule “lindung audit anchor”.")
    newest = max(anchors, key=lambda anchor: anchor["id"])
    since = AuditEntry.objects.filter(id__gt=newest["id"]).count()
    return _(
        "Chain: last anchored at entry %(id)s (%(at)s); %(since)s entries written since. "
        "“lindung audit verify” checks the whole chain."
    ) % {"id": newest["id"], "at": newest["at"], "since": since}
