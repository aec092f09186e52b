"""Demo engagement data in two organisations, written through the services (so it is audited and
obeys every safeguard). Synthetic: the participants' names are obviously fictional.

Sheltering Hands Foundation (user ``coordinator``) and Migrant Assistance Office Kuala Lumpur (user
``coordinator_kl``, created here) each get: the engagement model adopted, support pathways, a
versioned guideline, a focus group engagement with a completed session (checklist, consent,
feedback, cleared quotes, "you said, we did"), a planned session whose checklist is incomplete, and
one participant who withdrew quote consent (a notification on the engagement page).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from lindung.core import services as core_services
from lindung.core.actors import SYSTEM
from lindung.core.demo import DEMO_PASSWORD
from lindung.core.models import User
from lindung.core.roles import Role
from lindung.referrals.models import Service

from . import guidance_model, services
from .models import Consent, Contribution, Engagement, GuidanceDocument, Outcome, Session

Scope = Consent.Scope

PLANS = {
    "ngo_bkk": {
        "user": "coordinator",
        "title": "Safe shelter guideline review (demo)",
        "feeds": "National shelter standards for survivors of trafficking",
        "guideline": ("Shelter standards for survivors of trafficking (demo)", "SHS-2025"),
        "change": "Residents may keep their own phone; house rules are explained in their language "
        "on arrival.",
        "languages": "tha, mya, eng",
        "interpreters": "Burmese–Thai interpreter (contracted, demo)",
        "currency": "THB",
        "pathway": (
            "Riverside counselling line (demo)",
            "psychosocial",
            "Call 0-0000-0000 (fictional), 09:00–21:00",
        ),
        "directory_service": "Riverside counselling service",
        "people": [
            ("Ari Fictional", "th", ["participation", "quotes", "name_attribution", "future_contact"]),
            ("Bo Placeholder", "en", ["participation", "quotes"]),
            ("Chai Example", "th", ["participation"]),
        ],
        "said": [
            (
                "access_to_information",
                "Nobody explained the shelter rules in a language I understand.",
                "Rules were explained only in Thai, so some residents did not understand them.",
            ),
            (
                "safety_and_protection",
                "Taking our phones away made us feel locked in again.",
                "Removing phones made residents feel detained rather than protected.",
            ),
            (
                "health_and_psychosocial",
                "I needed someone to talk to at night, not only in the daytime.",
                "Counselling was only available during office hours.",
            ),
        ],
    },
    "agency_kl": {
        "user": "coordinator_kl",
        "title": "Return counselling advisory group (demo)",
        "feeds": "Return and reintegration counselling guidance",
        "guideline": ("Return counselling guidance (demo)", "RCG-3"),
        "change": "Counselling sessions now offered with an interpreter of the person's choice and a "
        "follow-up call.",
        "languages": "msa, ind, eng",
        "interpreters": "",
        "currency": "MYR",
        "pathway": (
            "City psychosocial support desk (demo)",
            "psychosocial",
            "Walk-in, Level 2 (fictional address)",
        ),
        "people": [
            ("Dewa Sample", "id", ["participation", "quotes"]),
            ("Eka Fictional", "ms", ["participation", "quotes", "name_attribution"]),
        ],
        "said": [
            (
                "return_and_reintegration",
                "I was told about return only once and I had no time to think.",
                "Information about return was given once, with no time to consider it.",
            ),
            (
                "language_and_interpretation",
                "The interpreter was from the same village; I could not speak freely.",
                "Interpreters from the same community made it hard to speak freely.",
            ),
        ],
    },
}


def _coordinator(ctx, org, username):
    user = ctx["users"].get(username) or User.objects.filter(username=username).first()
    if user is None:
        user = core_services.user_create(
            acting_user=SYSTEM,
            organisation=org,
            username=username,
            password=DEMO_PASSWORD,
            role=Role.ENGAGEMENT_COORDINATOR,
            first_name="Demo",
        )
    ctx["users"][username] = user
    return user


def _load_org(org, user, plan):
    today = timezone.localdate()
    for doc in guidance_model.documents():
        if not GuidanceDocument.objects.filter(organisation=org, model_key=doc.key).exists():
            services.guidance_adopt(acting_user=user, organisation=org, key=doc.key)
    sheet = GuidanceDocument.objects.get(organisation=org, model_key="information_sheet").versions.first()
    name, kind, reach = plan["pathway"]
    pathway = services.pathway_save(
        acting_user=user,
        organisation=org,
        name=name,
        kind=kind,
        how_to_reach=reach,
        languages=plan["languages"],
        # The referrals demo, loaded before this one, lists the service in the directory.
        directory_service=Service.objects.filter(name=plan.get("directory_service", "")).first(),
    )
    title, reference = plan["guideline"]
    guideline = services.guideline_save(acting_user=user, organisation=org, title=title, reference=reference)
    services.guideline_version_add(
        acting_user=user,
        document=guideline,
        version="1.0",
        published_on=today - datetime.timedelta(days=400),
        changes="First edition.",
    )
    version = services.guideline_version_add(
        acting_user=user,
        document=guideline,
        version="1.1",
        published_on=today - datetime.timedelta(days=5),
        changes=plan["change"],
    )
    engagement = services.engagement_save(
        acting_user=user,
        organisation=org,
        title=plan["title"],
        feeds=plan["feeds"],
        guideline=guideline,
        safeguarding_lead=user,
        purpose="Hear from people who used the service what should change, and why.",
    )
    session = services.session_save(
        acting_user=user,
        engagement=engagement,
        title="Focus group 1",
        format="focus_group",
        languages=plan["languages"],
        interpreters=plan["interpreters"],
        setting=Session.Setting.IN_PERSON,
        location="Community room, partner office (demo)",
        accessibility_needs="Step-free access; childcare corner.",
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-2),
        facilitators=[user],
    )
    services.checklist_update(
        acting_user=user,
        session=session,
        support_pathways=[pathway],
        **{field: True for field, _label in Session.CHECKLIST},
    )
    people = []
    for person_name, language, scopes in plan["people"]:
        person = services.participant_save(
            acting_user=user,
            organisation=org,
            name=person_name,
            preferred_language=language,
            contact="+00 000 000 000 (fictional)",
            contact_method="via_organisation",
            output_preference="named" if "name_attribution" in scopes else "anonymous",
        )
        for scope in scopes:
            services.consent_give(
                acting_user=user,
                participant=person,
                scope=scope,
                information_sheet=sheet,
                method=Consent.Method.WRITTEN,
                given_on=today - datetime.timedelta(days=31),
            )
        people.append(person)
    services.session_start(acting_user=user, session=session)
    for person in people:
        services.attendance_add(acting_user=user, session=session, participant=person)
        services.compensation_record(
            acting_user=user,
            session=session,
            participant=person,
            kind="transport",
            amount=Decimal("150.00"),
            currency=plan["currency"],
            method="cash",
            paid_on=today - datetime.timedelta(days=30),
        )
    services.concern_record(
        acting_user=user,
        session=session,
        participant=people[-1],
        severity="low",
        description="Became upset when the topic of detention came up (demo).",
        action_taken="Break offered; stayed with a facilitator; counselling line number given (demo).",
        pathway=pathway,
        follow_up_on=today - datetime.timedelta(days=28),
    )
    quotes = []
    for index, (theme, quote, summary) in enumerate(plan["said"]):
        person = people[index % len(people)]
        item = services.contribution_record(
            acting_user=user,
            session=session,
            kind=Contribution.Kind.FEEDBACK,
            theme=theme,
            text=summary,
        )
        services.contribution_clear(
            acting_user=user, contribution=item, public_text=summary, identifying_details_removed=True
        )
        if index == 0:
            services.outcome_record(
                acting_user=user,
                contribution=item,
                kind=Outcome.Kind.GUIDELINE_CHANGE,
                description=plan["change"],
                guideline_version=version,
                decided_on=version.published_on,
            )
        elif index == 1:
            services.outcome_record(
                acting_user=user,
                contribution=item,
                kind=Outcome.Kind.DECISION,
                decided_on=today,
                description="Managers agreed to review this with residents every three months.",
            )
        if person.has_consent(Scope.QUOTES):
            said = services.contribution_record(
                acting_user=user,
                session=session,
                kind=Contribution.Kind.QUOTE,
                theme=theme,
                text=quote,
                participant=person,
            )
            services.contribution_clear(
                acting_user=user,
                contribution=said,
                public_text=quote,
                identifying_details_removed=True,
                attribute_name=person.has_consent(Scope.NAME_ATTRIBUTION),
            )
            quotes.append(said)
    services.contribution_record(
        acting_user=user,
        session=session,
        kind=Contribution.Kind.NOTE,
        text="Group settled after the break.",
    )
    services.session_debrief(
        acting_user=user,
        session=session,
        debrief="Good participation; one person tired after an hour.",
    )
    # A participant later withdrew quote consent: their quotes vanish and the coordinator is told.
    withdrawing = quotes[-1].participant
    consent = withdrawing.consents.active().get(scope=Scope.QUOTES)
    services.consent_withdraw(acting_user=user, consent=consent, withdrawn_on=today)
    services.session_save(
        acting_user=user,
        engagement=engagement,
        title="Focus group 2",
        format="focus_group",
        languages=plan["languages"],
        interpreters=plan["interpreters"],
        setting=Session.Setting.REMOTE,
        location="Secure video call (demo)",
        starts_at=timezone.now() + datetime.timedelta(days=14),
        facilitators=[user],
    )


def load(ctx: dict) -> None:
    for org_key, plan in PLANS.items():
        org = ctx["orgs"][org_key]
        user = _coordinator(ctx, org, plan["user"])
        if Engagement.objects.filter(organisation=org, title=plan["title"]).exists():
            continue  # loaded already: the demo is idempotent
        _load_org(org, user, plan)
