"""Every read of this app's data that leaves it, filtered by the access policy first."""

from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from lindung.core import policy
from lindung.core.models import Organisation
from lindung.core.roles import Capability

from . import disclosure
from .models import DisclosureSettings, PrivacyBudgetEntry, Release, ReleaseTable


@dataclass(frozen=True)
class EffectiveSettings:
    threshold: int = disclosure.DEFAULT_THRESHOLD
    rounding: int | None = None
    k: int = disclosure.DEFAULT_K
    organisation_ids: tuple = ()


def stats_organisations(user, capability=Capability.VIEW_STATS):
    return Organisation.objects.filter(pk__in=policy.organisations_with(user, capability)).order_by("pk")


def settings_of(organisation) -> DisclosureSettings:
    """The organisation's settings, or the safe defaults when it never set any (not saved)."""
    found = DisclosureSettings.objects.filter(organisation=organisation).first()
    return found or DisclosureSettings(organisation=organisation)


def effective_settings(user) -> EffectiveSettings:
    """The strictest settings of the organisations through which ``user`` reads statistics: a
    table draws on all of them, so it must satisfy each."""
    orgs = sorted(policy.organisations_with(user, Capability.VIEW_STATS))
    chosen = {s.organisation_id: s for s in DisclosureSettings.objects.filter(organisation_id__in=orgs)}
    rows = [chosen.get(org) or DisclosureSettings() for org in orgs] or [DisclosureSettings()]
    roundings = [r.rounding for r in rows if r.rounding]
    return EffectiveSettings(
        threshold=max(r.threshold for r in rows),
        rounding=max(roundings) if roundings else None,
        k=max(r.k for r in rows),
        organisation_ids=tuple(orgs),
    )


def releases_visible(user):
    return policy.accessible(user, Release.objects.select_related("organisation", "created_by"))


def release_tables(user, release):
    return policy.accessible(user, ReleaseTable.objects.filter(release=release)).order_by("position")


def budget_entries(user):
    return policy.accessible(user, PrivacyBudgetEntry.objects.select_related("organisation", "spent_by"))


def budget_spent(organisation, year: int | None = None) -> float:
    year = year or timezone.now().year
    spent = PrivacyBudgetEntry.objects.filter(organisation=organisation, at__year=year).aggregate(
        s=Sum("epsilon")
    )
    return float(spent["s"] or 0.0)


def budget_remaining(organisation, year: int | None = None) -> float:
    return max(0.0, settings_of(organisation).annual_epsilon_budget - budget_spent(organisation, year))


def cached_noise(organisation, query_key: str, fingerprint: str):
    """A noisy answer already given to the same question over the same data, if any."""
    return (
        PrivacyBudgetEntry.objects.filter(
            organisation=organisation, query_key=query_key, fingerprint=fingerprint
        )
        .order_by("pk")
        .first()
    )
