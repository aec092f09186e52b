"""Every read of the engagement app that leaves it, starting from the access policy.

``usable_contributions`` is the one door for anything published, exported or reported: cleared
feedback and quotes whose consents still hold. Every output (synthesis, "you said, we did",
participant reports, CSV export, API) goes through it, so a withdrawal removes a contribution from
all of them at once (its text is also erased, so nothing can leak around this door).
"""

from collections import OrderedDict

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from lindung.core import policy
from lindung.core.roles import Capability

from .models import (
    Compensation,
    Consent,
    Contribution,
    Engagement,
    GuidanceDocument,
    GuidanceVersion,
    GuidelineDocument,
    GuidelineVersion,
    Incident,
    Notification,
    Outcome,
    Participant,
    SafeguardingConcern,
    Session,
    SessionParticipant,
    SupportPathway,
    SupportReferral,
)
from .models import theme_choices as _theme_choices

Scope = Consent.Scope


def managed_organisations(user):
    """Organisations in which ``user`` runs engagement (for choosing where to create things)."""
    from lindung.core.models import Organisation

    return Organisation.objects.filter(pk__in=policy.organisations_with(user, Capability.MANAGE_ENGAGEMENT))


def engagements(user):
    return policy.accessible(user, Engagement.objects.select_related("organisation", "guideline"))


def sessions(user, engagement=None):
    qs = policy.accessible(user, Session.objects.select_related("engagement", "organisation"))
    return qs.filter(engagement=engagement) if engagement is not None else qs


def participants(user, organisation_id=None):
    qs = policy.accessible(user, Participant.objects.all())
    return qs.filter(organisation_id=organisation_id) if organisation_id else qs


def participant_identity(user, participant, *, purpose: str, also_shown=()) -> dict | None:
    """Name, contact details and access needs, for VIEW_PARTICIPANT_CONTACT holders only. The read
    is logged in one entry, together with ``also_shown``: the participant's other personal fields
    that the same page shows (one request, one entry)."""
    identity = None
    fields = list(also_shown)
    if policy.can_see_identity(user, participant):
        fields += [f for f in Participant.CONTACT_FIELDS if getattr(participant, f)]
        identity = {f: getattr(participant, f) or "" for f in Participant.CONTACT_FIELDS}
    if identity is not None or fields:
        policy.record_personal_read(user, participant, purpose=purpose, fields=fields)
    return identity


def consents(user, participant=None):
    qs = policy.accessible(user, Consent.objects.select_related("participant", "information_sheet__document"))
    return qs.filter(participant=participant) if participant is not None else qs


def attendance(user, session):
    rows = SessionParticipant.objects.select_related("participant").prefetch_related(
        Prefetch("participant__consents", queryset=Consent.objects.active(), to_attr="active_consents")
    )
    return policy.accessible(user, rows).filter(session=session)


def contributions(user, session=None, participant=None):
    qs = policy.accessible(user, Contribution.objects.select_related("participant", "session"))
    if session is not None:
        qs = qs.filter(session=session)
    if participant is not None:
        qs = qs.filter(participant=participant)
    return with_outcomes(qs)


def with_outcomes(qs):
    return qs.prefetch_related(
        Prefetch("outcomes", queryset=Outcome.objects.select_related("guideline_version"))
    )


def _active(scope):
    return Exists(Consent.objects.active().filter(participant=OuterRef("participant_id"), scope=scope))


def usable_contributions(user, engagement=None, outcomes=True):
    """Cleared feedback items and quotes whose consents still hold (participation; quotes for quotes)."""
    qs = policy.accessible(user, Contribution.objects.select_related("participant", "session__engagement"))
    qs = qs.filter(
        status=Contribution.Status.CLEARED, kind__in=[Contribution.Kind.FEEDBACK, Contribution.Kind.QUOTE]
    )
    qs = qs.filter(Q(participant__isnull=True) | _active(Scope.PARTICIPATION))
    qs = qs.exclude(Q(kind=Contribution.Kind.QUOTE) & ~_active(Scope.QUOTES))
    if engagement is not None:
        qs = qs.filter(session__engagement=engagement)
    # Outputs never need the raw text nor contact details: not even decrypted on the way.
    qs = qs.defer("text", "participant__contact", "participant__access_needs")
    qs = qs.annotate(named=_active(Scope.NAME_ATTRIBUTION)).order_by("theme", "session__starts_at", "pk")
    return with_outcomes(qs) if outcomes else qs


def attribution(contribution) -> str:
    """The name next to a quote only with the flag AND an active attribution consent; else anonymous."""
    named = getattr(contribution, "named", None)
    if named is None and contribution.participant_id:
        named = contribution.participant.has_consent(Scope.NAME_ATTRIBUTION)
    if contribution.attribute_name and named and contribution.participant and contribution.participant.name:
        return contribution.participant.name
    return ""


def theme_label(code: str) -> str:
    return dict(_theme_choices()).get(code, code)


def synthesis(user, engagement=None):
    """Feedback grouped by theme across sessions: [(theme code, label, [contributions])]."""
    groups: OrderedDict = OrderedDict()
    for item in usable_contributions(user, engagement=engagement, outcomes=False):
        groups.setdefault(item.theme, []).append(item)
    return [(code, theme_label(code), items) for code, items in groups.items()]


def you_said_we_did(user, engagement):
    """[(contribution, [outcomes])] for usable contributions that have at least one outcome."""
    rows = []
    for item in usable_contributions(user, engagement=engagement):
        outcomes = list(item.outcomes.all())
        if outcomes:
            rows.append((item, outcomes))
    return rows


def participant_report(user, participant):
    """What a participant is told: per engagement they took part in, the usable "you said, we did"
    rows and cleared quotes (theirs and others', anonymised unless attribution is consented)."""
    engagement_ids = attendance_engagements(user, participant)
    report = []
    for engagement in engagements(user).filter(pk__in=engagement_ids):
        items = list(usable_contributions(user, engagement=engagement))
        report.append(
            {
                "engagement": engagement,
                "pairs": [(i, list(i.outcomes.all())) for i in items if i.outcomes.all()],
                "quotes": [i for i in items if i.kind == Contribution.Kind.QUOTE],
                "themes": sorted({theme_label(i.theme) for i in items}),
            }
        )
    return report


def attendance_engagements(user, participant):
    return set(
        policy.accessible(user, SessionParticipant.objects.filter(participant=participant)).values_list(
            "session__engagement_id", flat=True
        )
    )


def notifications(user, engagement=None, unread_only=False):
    qs = policy.accessible(user, Notification.objects.all()).filter(
        Q(recipient__isnull=True) | Q(recipient=user)
    )
    if engagement is not None:
        qs = qs.filter(engagement=engagement)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def concerns(user, session):
    return policy.accessible(
        user, SafeguardingConcern.objects.select_related("participant").prefetch_related("referrals__pathway")
    ).filter(session=session)


def sessions_upcoming(user, now=None):
    """Planned sessions that have not started yet, soonest first."""
    return sessions(user).filter(status=Session.Status.PLANNED, starts_at__gte=now or timezone.now())


# A concern stays open while the support it was referred to is still under way.
OPEN_SUPPORT = (SupportReferral.Status.MADE, SupportReferral.Status.ACCEPTED)


def concerns_open(user):
    """Safeguarding concerns whose support referral is made or accepted but not yet given, newest
    first (no description: a list shows the session, the severity and the date)."""
    qs = policy.accessible(user, SafeguardingConcern.objects.select_related("session"))
    qs = qs.filter(Exists(SupportReferral.objects.filter(concern=OuterRef("pk"), status__in=OPEN_SUPPORT)))
    return qs.defer("description", "action_taken").order_by("-raised_at", "-pk")


def referrals(user):
    return policy.accessible(user, SupportReferral.objects.select_related("concern__session", "pathway"))


def incidents(user, engagement):
    return policy.accessible(user, Incident.objects.select_related("session")).filter(engagement=engagement)


def compensations(user, session):
    return policy.accessible(user, Compensation.objects.select_related("participant")).filter(session=session)


def pathways(user, organisation_id=None, active_only=False):
    qs = policy.accessible(user, SupportPathway.objects.select_related("directory_service"))
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.filter(active=True) if active_only else qs


def guidelines(user, organisation_id=None):
    qs = policy.accessible(user, GuidelineDocument.objects.prefetch_related("versions"))
    return qs.filter(organisation_id=organisation_id) if organisation_id else qs


def guideline_versions(user, organisation_id=None):
    qs = policy.accessible(user, GuidelineVersion.objects.select_related("document"))
    return qs.filter(organisation_id=organisation_id) if organisation_id else qs


def guidance_documents(user):
    return policy.accessible(user, GuidanceDocument.objects.prefetch_related("versions"))


def guidance_versions(user, organisation_id=None, kinds=None):
    qs = policy.accessible(user, GuidanceVersion.objects.select_related("document"))
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if kinds:
        qs = qs.filter(document__kind__in=kinds)
    return qs


def information_sheets(user, organisation_id):
    return guidance_versions(
        user,
        organisation_id,
        kinds=[GuidanceDocument.Kind.INFORMATION_SHEET, GuidanceDocument.Kind.CONSENT_FORM],
    )
