"""Reads of core data, already filtered by the access policy."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import policy
from .audit_actions import AuditAction
from .models import ApiToken, AuditEntry, Membership, Organisation, SignInFailure, User
from .roles import Capability


def organisations_visible(user):
    return policy.accessible(user, Organisation.objects.all())


def organisations_with_capability(user, capability):
    """The organisations in which ``user`` holds ``capability``: the choices for "on behalf of"."""
    return Organisation.objects.filter(pk__in=policy.organisations_with(user, capability))


def organisation_get(user, pk) -> Organisation:
    return organisations_visible(user).get(pk=pk)


def members_of(user, organisation):
    """Members of an organisation, for its administrators only."""
    if not policy.has_capability(user, Capability.MANAGE_ORGANISATION, organisation.pk):
        return User.objects.none()
    return User.objects.filter(memberships__organisation=organisation).distinct().order_by("username")


def managed_memberships(user):
    return policy.accessible(user, Membership.objects.select_related("user", "organisation"))


def audit_scope(user, queryset, action=policy.VIEW):
    """What an auditor may read: entries about their organisations' records, and everything their
    organisations' members did (sign-ins, and actions on records shared by others)."""
    orgs = policy.organisations_with(user, Capability.VIEW_AUDIT)
    if action != policy.VIEW or not orgs:
        return queryset.none()
    member_ids = Membership.objects.filter(organisation_id__in=orgs).values("user_id")
    return queryset.filter(Q(organisation_id__in=orgs) | Q(actor_id__in=member_ids))


def audit_entry_allowed(user, entry, action=policy.VIEW) -> bool:
    return audit_scope(user, AuditEntry.objects.filter(pk=entry.pk), action).exists()


def _actions_ending(*suffixes) -> list[str]:
    return [value for value in AuditAction.values if value.endswith(suffixes)]


# Kinds of entries an auditor looks for first: what the system refused, and what left it.
AUDIT_KINDS = {
    "refusals": lambda: _actions_ending("denied", "refused"),
    "exports": lambda: _actions_ending("exported"),
}


def audit_entries(user, *, action="", actor="", object_type="", since=None, until=None, kind=""):
    entries = policy.accessible(user, AuditEntry.objects.all())
    if kind in AUDIT_KINDS:
        entries = entries.filter(action__in=AUDIT_KINDS[kind]())
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_username__iexact=actor)
    if object_type:
        entries = entries.filter(object_type__icontains=object_type)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-id")


def tokens_of(user):
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def sign_in_failures_from(address: str) -> int:
    """Failed sign-ins from ``address`` within the address limit's window, whatever the usernames."""
    since = timezone.now() - timedelta(seconds=settings.LINDUNG_ADDRESS_FAILURE_WINDOW)
    return SignInFailure.objects.filter(address=address[:45], at__gte=since).count()


def previous_sign_in(user):
    """When ``user`` signed in before the current session (None for a first sign-in): the home
    page counts what arrived since then."""
    return (
        AuditEntry.objects.filter(actor_id=user.pk, action=AuditAction.LOGIN)
        .order_by("-id")
        .values_list("at", flat=True)[1:2]
        .first()
    )


def jobs_visible(user):
    """Background jobs ``user`` may follow: their own, and their organisations' if they administer
    them (the operations page). Results and downloads are narrower: see ``core/jobs_views.py``."""
    from .models import Job

    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    administered = policy.accessible(user, Job.objects.all()).values("pk")
    return Job.objects.defer("payload", "output").filter(Q(pk__in=administered) | Q(created_by=user))
