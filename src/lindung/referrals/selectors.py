"""Every read of the referrals app that leaves it, starting from ``policy.accessible``.

Statistics read ``referrals_for_statistics(user)`` (non-identifying columns only).
"""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from lindung.core import policy
from lindung.core.roles import Capability
from lindung.standard import registry

from .models import Referral, Service

REFERRAL_STAT_FIELDS = (
    "id",
    "organisation_id",
    "receiving_organisation_id",
    "service__service_type",
    "service__country",
    "needs",
    "urgency",
    "status",
    "decline_reason",
    "service_given",
    "sent_at",
    "due_at",
    "answered_at",
    "completed_at",
)


def services_visible(user):
    return policy.accessible(user, Service.objects.select_related("organisation"))


def services_search(user, *, need="", country="", place="", language="", text="", active_only=False):
    """Services matching a need (service type), a place (country and/or place name or area
    covered) and a language the person speaks."""
    qs = services_visible(user)
    if need:
        qs = qs.filter(service_type=need)
    if country:
        qs = qs.filter(country=country)
    if place:
        qs = qs.filter(Q(place__icontains=place) | Q(coverage_area__icontains=place))
    if text:
        qs = qs.filter(
            Q(name__icontains=text) | Q(description__icontains=text) | Q(organisation__name__icontains=text)
        )
    if active_only:
        qs = qs.filter(active=True)
    if language:
        # JSON containment is not portable across SQLite and PostgreSQL; the directory is small.
        ids = [pk for pk, langs in qs.values_list("pk", "languages") if language in (langs or [])]
        qs = qs.filter(pk__in=ids)
    return qs


def services_changeable(user):
    return policy.accessible(user, Service.objects.select_related("organisation"), policy.CHANGE)


def referrals_visible(user):
    return policy.accessible(
        user, Referral.objects.select_related("service", "organisation", "receiving_organisation", "person")
    )


def referrals_of_person(user, person):
    """The person's referrals the user may see, newest first (the person and case pages)."""
    return referrals_visible(user).filter(person=person).order_by("-sent_at", "-id")


def referrals_sent(user):
    orgs = policy.organisations_with(user, Capability.SEND_REFERRALS) | policy.organisations_with(
        user, Capability.SUPERVISE_CASES
    )
    return referrals_visible(user).filter(organisation_id__in=orgs)


def referrals_received(user):
    return referrals_visible(user).filter(
        receiving_organisation_id__in=policy.organisations_with(user, Capability.RECEIVE_REFERRALS)
    )


def referrals_filtered(referrals, *, status="", sent_by=None):
    """``referrals`` (already read through a selector above) narrowed by the list page's filters."""
    if status:
        referrals = referrals.filter(status=status)
    if sent_by is not None:
        referrals = referrals.filter(sent_by=sent_by)
    return referrals


def overdue_referrals(user, now=None):
    """Referrals still waiting for an answer after the service's stated answer time, for
    supervisors of the referring or the receiving organisation."""
    qs = policy.accessible(
        user,
        Referral.objects.select_related("service", "organisation", "receiving_organisation"),
        policy.SUPERVISE,
    )
    return qs.filter(status=Referral.Status.SENT, due_at__lt=now or timezone.now()).order_by("due_at")


def referral_payload(user, referral: Referral, *, purpose: str) -> dict:
    """What the referral says about the person, in words; logs the read (the payload is personal
    data and may hold the identity)."""
    payload = referral.payload or {}
    policy.record_personal_read(
        user,
        referral,
        purpose=purpose,
        fields=("payload", "identity") if referral.identity_shared else ("payload",),
    )
    return {
        "needs": [registry.label("service_type", n) for n in payload.get("needs", [])],
        "urgency": registry.label("screening_urgency", payload.get("urgency", "")),
        "age_group": registry.label("age_group", payload.get("age_group", "")),
        "sex": registry.label("sex", payload.get("sex", "")),
        "languages": [registry.label("language", code) for code in payload.get("languages", [])],
        "categories": [registry.label("vulnerability_category", c) for c in payload.get("categories", [])],
        "note": payload.get("note", ""),
        "identity": payload.get("identity"),
    }


def referrals_for_statistics(user):
    return referrals_visible(user).values(*REFERRAL_STAT_FIELDS)


def needs_vs_services(user) -> list[dict]:
    """Rows (country, place, service type, needs found, active services, capacity), gaps first:
    needs from the screening profiles the user may see, services from the directory."""
    from lindung.screening.selectors import needs_by_place

    needs = needs_by_place(user)
    services = defaultdict(lambda: [0, 0])
    for country, place, kind, capacity in (
        services_visible(user).filter(active=True).values_list("country", "place", "service_type", "capacity")
    ):
        entry = services[(country, place.strip(), kind)]
        entry[0] += 1
        entry[1] += capacity or 0
    by_country = defaultdict(int)
    for (country, _place, kind), (count, _capacity) in services.items():
        by_country[(country, kind)] += count
    rows = []
    for (country, place, kind), found in needs.items():
        count, capacity = services.get((country, place, kind), (0, 0))
        rows.append(
            {
                "country": country,
                "country_label": registry.label("country", country) if country else "",
                "place": place,
                "service_type": kind,
                "service_label": registry.label("service_type", kind),
                "needs": found,
                "services_here": count,
                "capacity_here": capacity,
                "services_in_country": by_country.get((country, kind), 0),
            }
        )
    rows.sort(key=lambda r: (r["services_here"] > 0, r["services_in_country"] > 0, -r["needs"], r["country"]))
    return rows
