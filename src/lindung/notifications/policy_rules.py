"""Policy rules: notifications and preferences are their user's alone; a watch rule is its owner's,
and only while the owner reads incidents in the rule's organisation."""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import Notification, Preference, WatchRule


def _own(field):
    def scope_filter(user, queryset, action):
        if not getattr(user, "is_authenticated", False):
            return queryset.none()
        return queryset.filter(**{field: user.pk})

    def scope_check(user, obj, action):
        return getattr(user, "is_authenticated", False) and getattr(obj, field) == user.pk

    return scope_filter, scope_check


for model, field in ((Notification, "recipient_id"), (Preference, "user_id")):
    scope_filter, scope_check = _own(field)
    # No owning organisation: the scope hooks decide alone.
    policy.register(
        model, policy.Rule(view=None, shareable=False, scope_filter=scope_filter, scope_check=scope_check)
    )


def _watch_filter(user, queryset, action):
    return queryset.filter(
        owner_id=user.pk, organisation_id__in=policy.organisations_with(user, C.VIEW_INCIDENTS)
    )


def _watch_check(user, obj, action):
    return obj.owner_id == user.pk and policy.has_capability(user, C.VIEW_INCIDENTS, obj.organisation_id)


policy.register(
    WatchRule,
    policy.Rule(
        view=C.VIEW_INCIDENTS,
        change=C.VIEW_INCIDENTS,
        shareable=False,
        scope_filter=_watch_filter,
        scope_check=_watch_check,
    ),
)
