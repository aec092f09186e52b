"""Demo directory (services of organisations in Thailand, Malaysia and Indonesia) and referrals in
every state, overdue included. Synthetic names and contacts only.

Idempotent: services are keyed by (organisation, name); referrals are made once per organisation.
"""

import datetime

from django.utils import timezone

from lindung.core.actors import SYSTEM

from . import services
from .models import Referral, Service

# (org key, name, type, country, place, lat, lon, languages, capacity, answer days, extra)
DIRECTORY = [
    (
        "clinic_bkk",
        "Riverside walk-in clinic",
        "medical_care",
        "THA",
        "Bangkok",
        13.7279,
        100.5241,
        ["tha", "eng", "mya"],
        40,
        2,
        {"opening_hours": "Mon–Sat 08:00–18:00", "contact_phone": "+66 2 000 0101"},
    ),
    (
        "clinic_bkk",
        "Riverside women's health unit",
        "sexual_reproductive_health",
        "THA",
        "Bangkok",
        13.7285,
        100.5250,
        ["tha", "eng"],
        15,
        2,
        {"opening_hours": "Mon–Fri 09:00–16:00"},
    ),
    (
        "clinic_bkk",
        "Riverside counselling service",
        "mhpss",
        "THA",
        "Bangkok",
        13.7281,
        100.5239,
        ["tha", "mya", "khm"],
        10,
        5,
        {"eligibility": "Adults and adolescents over 14"},
    ),
    (
        "ngo_bkk",
        "Sheltering Hands safe house",
        "shelter",
        "THA",
        "Bangkok",
        13.7563,
        100.5018,
        ["tha", "mya", "eng"],
        24,
        1,
        {
            "eligibility": "Women, children and survivors of trafficking",
            "coverage_area": "Bangkok and central provinces",
        },
    ),
    (
        "ngo_bkk",
        "Sheltering Hands case management",
        "case_management",
        "THA",
        "Chiang Mai",
        18.7883,
        98.9853,
        ["tha", "mya", "shn"],
        60,
        3,
        {"coverage_area": "Northern Thailand"},
    ),
    (
        "agency_kl",
        "Migrant legal clinic Kuala Lumpur",
        "legal_assistance",
        "MYS",
        "Kuala Lumpur",
        3.1390,
        101.6869,
        ["msa", "eng", "ben"],
        30,
        5,
        {"opening_hours": "Tue and Thu 10:00–15:00"},
    ),
    (
        "agency_kl",
        "Transit shelter Johor",
        "shelter",
        "MYS",
        "Johor Bahru",
        1.4927,
        103.7414,
        ["msa", "ind", "eng"],
        18,
        2,
        {},
    ),
    (
        "gov_id",
        "Document recovery desk",
        "documentation",
        "IDN",
        "Jakarta",
        -6.2088,
        106.8456,
        ["ind", "eng"],
        None,
        7,
        {"eligibility": "Indonesian nationals abroad or returned"},
    ),
    (
        "gov_id",
        "Return and reintegration desk",
        "return_assistance",
        "IDN",
        "Jakarta",
        -6.1751,
        106.8650,
        ["ind"],
        50,
        7,
        {},
    ),
    (
        "gov_id",
        "Child protection unit Batam",
        "child_protection",
        "IDN",
        "Batam",
        1.0456,
        104.0305,
        ["ind", "msa"],
        12,
        2,
        {},
    ),
]


def _directory(ctx):
    found = {}
    for org_key, name, kind, country, place, lat, lon, langs, capacity, days, extra in DIRECTORY:
        org = ctx["orgs"][org_key]
        service = Service.objects.filter(organisation=org, name=name).first()
        if service is None:
            service = services.service_save(
                acting_user=SYSTEM,
                organisation=org,
                name=name,
                service_type=kind,
                country=country,
                place=place,
                latitude=lat,
                longitude=lon,
                languages=langs,
                capacity=capacity,
                answer_days=days,
                description="Demo service (fictional).",
                contact_email="demo-desk@example.org",
                **extra,
            )
        found[name] = service
    return found


def _consenting_person(user, org, purposes):
    """A person of ``org`` with referral consent, recording it through the cases app if needed."""
    from lindung.cases import selectors as cases_selectors
    from lindung.cases import services as cases_services

    person = cases_selectors.persons_visible(user).filter(organisation=org).order_by("pk").first()
    if person is None:
        return None
    for purpose in purposes:
        if not cases_selectors.has_consent(person, purpose):
            cases_services.consent_record(
                acting_user=user,
                person=person,
                purpose=purpose,
                language="eng",
                information_given="Demo: explained who receives the referral and how to withdraw consent.",
            )
    return person


def load(ctx: dict) -> None:
    directory = _directory(ctx)
    users, orgs = ctx["users"], ctx["orgs"]
    now = timezone.now()
    caseworker, provider = users["caseworker"], users["provider"]
    if not Referral.objects.filter(organisation=orgs["ngo_bkk"]).exists():
        screening = ctx.get("screenings", {}).get("demo-screening-bkk-1")
        profile = getattr(screening, "profile", None) if screening and screening.person_id else None
        person = _consenting_person(caseworker, orgs["ngo_bkk"], ["referral"])
        source = {"profile": profile} if profile else {"person": person}
        if profile is None and person is None:
            return
        clinic, counselling = (
            directory["Riverside walk-in clinic"],
            directory["Riverside counselling service"],
        )

        def send(service, need, days_ago, **extra):
            return services.referral_send(
                acting_user=caseworker,
                service=service,
                needs=[need],
                urgency="priority",
                sent_at=now - datetime.timedelta(days=days_ago),
                **source,
                **extra,
            )

        send(clinic, "medical_care", 0, note="Demo: waiting for an answer.")
        send(counselling, "mhpss", 9, note="Demo: overdue, no answer yet.")
        accepted = send(clinic, "medical_care", 3)
        services.referral_accept(
            acting_user=provider, referral=accepted, note="Appointment offered on Thursday."
        )
        declined = send(counselling, "mhpss", 4)
        services.referral_decline(
            acting_user=provider,
            referral=declined,
            reason="no_capacity",
            note="Waiting list full this month.",
        )
        completed = send(clinic, "medical_care", 12)
        services.referral_accept(acting_user=provider, referral=completed)
        services.referral_record_service(
            acting_user=provider,
            referral=completed,
            service_type="medical_care",
            service_date=timezone.localdate() - datetime.timedelta(days=10),
        )
        withdrawn = send(directory["Sheltering Hands safe house"], "shelter", 2)
        services.referral_withdraw(acting_user=caseworker, referral=withdrawn)
    caseworker_kl = users["caseworker_kl"]
    if not Referral.objects.filter(organisation=orgs["agency_kl"]).exists():
        person = _consenting_person(caseworker_kl, orgs["agency_kl"], ["referral"])
        if person is not None:
            services.referral_send(
                acting_user=caseworker_kl,
                person=person,
                service=directory["Document recovery desk"],
                needs=["documentation"],
                urgency="routine",
                sent_at=now - datetime.timedelta(days=10),
                note="Demo: overdue referral to another country's desk.",
            )
            services.referral_send(
                acting_user=caseworker_kl,
                person=person,
                service=directory["Migrant legal clinic Kuala Lumpur"],
                needs=["legal_assistance"],
                urgency="priority",
            )
