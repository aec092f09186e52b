"""Reads of the notifications app, through the policy: a user reads their own notifications,
preferences and watch rules, nobody else's."""

from lindung.core import policy
from lindung.core.roles import Capability
from lindung.maritime.models import Incident

from .models import Event, Notification, Preference, WatchRule, default_channel


def notifications_of(user, *, unread_only=False, event=""):
    qs = policy.accessible(user, Notification.objects.all())
    if event:
        qs = qs.filter(event=event)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def watch_rules_of(user):
    return policy.accessible(user, WatchRule.objects.select_related("organisation"))


def channels_of(user) -> dict:
    """{event: channel} for every event, the defaults filled in."""
    chosen = dict(policy.accessible(user, Preference.objects.all()).values_list("event", "channel"))
    return {event: chosen.get(event, default_channel(event)) for event in Event.values}


def area_names(user, limit=200) -> list[str]:
    """Names of sea areas of the incidents the user may see, to choose from in a watch rule."""
    if not policy.has_capability(user, Capability.VIEW_INCIDENTS):
        return []
    names = policy.accessible(user, Incident.objects.exclude(area="")).values_list("area", flat=True)
    return sorted(set(names.order_by("area").distinct()[:limit]))
