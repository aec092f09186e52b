"""Every read of the screening app that leaves it, starting from ``policy.accessible``.

Other apps use ``profiles_visible(user)``, ``profile_get(user, pk)``, ``needs_by_place(user)`` and,
for statistics, ``profiles_for_statistics(user)`` (non-identifying columns only).
"""

from collections import Counter

from lindung.core import policy
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry
from lindung.standard import registry

from . import instrument as ins
from . import rules
from .models import Instrument, InstrumentVersion, Interview, OpenRosaCredential, Profile

PROFILE_STAT_FIELDS = (
    "id",
    "organisation_id",
    "categories",
    "risk_factors",
    "protective_factors",
    "urgency",
    "suggested_services",
    "computed_at",
    "interview__country",
    "interview__channel",
)


def instruments_visible(user):
    return policy.accessible(user, Instrument.objects.select_related("organisation"))


def versions_visible(user):
    return policy.accessible(user, InstrumentVersion.objects.select_related("instrument"))


def versions_changeable(user):
    return policy.accessible(user, InstrumentVersion.objects.select_related("instrument"), policy.CHANGE)


def published_versions(user):
    return (
        versions_visible(user).filter(status=InstrumentVersion.Status.PUBLISHED).order_by("instrument__title")
    )


def interviews_visible(user):
    return policy.accessible(
        user, Interview.objects.select_related("version__instrument", "organisation", "person", "profile")
    )


def interviews_of_person(user, person):
    """The person's interviews the user may see, newest first (the person and case pages)."""
    return interviews_visible(user).filter(person=person).order_by("-started_at", "-id")


def profiles_visible(user):
    return policy.accessible(user, Profile.objects.select_related("interview__version__instrument"))


def profile_get(user, pk) -> Profile:
    return profiles_visible(user).get(pk=pk)


def openrosa_credential(user) -> OpenRosaCredential | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return OpenRosaCredential.objects.filter(user=user).first()


def credential_for_username(username: str) -> OpenRosaCredential | None:
    """For the digest check only: the HA1 of an active user, or None."""
    return (
        OpenRosaCredential.objects.select_related("user")
        .filter(user__username=username, user__is_active=True)
        .first()
    )


def openrosa_failures_since(username: str, since) -> int:
    """Refused phone sign-ins for ``username`` since ``since`` (from the audit log)."""
    return AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED,
        at__gte=since,
        detail__channel="openrosa",
        detail__username=username[:150],
    ).count()


def _reasons(definition, reasons):
    return [rules.describe_reason(definition, r) for r in reasons]


def profile_explained(user, profile: Profile, *, purpose: str) -> dict:
    """The profile in words, in the active language, with the reasons for every conclusion. Logs the
    read: the explanation quotes the person's answers."""
    definition = profile.interview.version.definition
    explanation = profile.explanation or {}
    policy.record_personal_read(user, profile, purpose=purpose, fields=("explanation",))
    levels = []
    for level_code, level_label in registry.choices("domv_level"):
        factors = [f for f in explanation.get("factors", []) if f["level"] == level_code]
        levels.append(
            {
                "code": level_code,
                "label": level_label,
                "risk": [
                    {
                        "label": registry.label("vulnerability_factor", f["factor"]),
                        "reasons": _reasons(definition, f["reasons"]),
                    }
                    for f in factors
                    if f["direction"] == "risk"
                ],
                "protective": [
                    {
                        "label": registry.label("vulnerability_factor", f["factor"]),
                        "reasons": _reasons(definition, f["reasons"]),
                    }
                    for f in factors
                    if f["direction"] == "protective"
                ],
            }
        )
    return {
        "categories": [
            {
                "code": c["code"],
                "label": registry.label("vulnerability_category", c["code"]),
                "reasons": _reasons(definition, c["reasons"]),
                "services": [registry.label("service_type", s) for s in c["services"]],
            }
            for c in explanation.get("categories", [])
        ],
        "levels": levels,
        "urgency": registry.label("screening_urgency", profile.urgency),
        "urgency_code": profile.urgency,
        "urgency_reasons": [
            f"{registry.label('screening_urgency', r['level'])}: {rules.describe_reason(definition, r)}"
            for r in explanation.get("urgency_reasons", [])
        ],
        "services": [
            {
                "code": s["service"],
                "label": registry.label("service_type", s["service"]),
                "because": _reasons(definition, s["because"]),
            }
            for s in explanation.get("services", [])
        ],
        "rules_version": profile.rules_version,
    }


def answers_explained(user, interview: Interview, *, purpose: str) -> list[dict]:
    """(section, [(question, answer)]) in the active language, for the interview page."""
    definition = interview.version.definition
    answers = interview.answers or {}
    policy.record_personal_read(user, interview, purpose=purpose, fields=("answers",))
    result = []
    for section in definition["sections"]:
        rows = []
        for q in section["questions"]:
            if q["name"] not in answers:
                continue
            value = answers[q["name"]]
            values = value if isinstance(value, list) else [value]
            if q.get("list"):
                labels = {c["name"]: ins.text(c["label"]) for c in definition["choice_lists"][q["list"]]}
                values = [labels.get(str(v), str(v)) for v in values]
            rows.append({"question": ins.text(q["label"]), "answer": ", ".join(str(v) for v in values)})
        if rows:
            result.append({"section": ins.text(section["label"]), "rows": rows})
    return result


def profiles_for_statistics(user):
    """Non-identifying columns of the profiles the user may see (no answers, no person, no place
    name: the country is the finest place statistics receive)."""
    return profiles_visible(user).values(*PROFILE_STAT_FIELDS)


def needs_by_place(user) -> Counter:
    """{(country, place, service type): number of completed profiles suggesting it}."""
    counts: Counter = Counter()
    rows = profiles_visible(user).values_list("interview__country", "interview__place", "suggested_services")
    for country, place, services in rows:
        for service in services or []:
            counts[(country or "", (place or "").strip(), service)] += 1
    return counts


def outcome_counts(interview_ids) -> dict:
    """Counts only, for a module that links interviews to something it may show (an incident): how
    many interviews, how many completed, completed ones by urgency and by category. No row leaves;
    the caller decides who may see the counts."""
    rows = Interview.objects.filter(pk__in=interview_ids).values_list(
        "status", "profile__urgency", "profile__categories"
    )
    result = {"opened": 0, "completed": 0, "by_urgency": Counter(), "by_category": Counter()}
    for status, urgency, categories in rows:
        result["opened"] += 1
        if status != Interview.Status.COMPLETED:
            continue
        result["completed"] += 1
        if urgency:
            result["by_urgency"][urgency] += 1
        for category in categories or []:
            result["by_category"][category] += 1
    result["urgency_rows"] = [
        (registry.label("screening_urgency", code), n) for code, n in sorted(result["by_urgency"].items())
    ]
    result["category_rows"] = [
        (registry.label("vulnerability_category", code), n)
        for code, n in sorted(result["by_category"].items())
    ]
    return result
