"""Demo caseloads for two organisations. Every name is obviously fictional.

Idempotent: a person whose name is already in the organisation's blind index is skipped.
"""

import contextlib
import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lindung.core import crypto, policy
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry

from . import return_risk, services
from .choices import ConsentPurpose
from .models import Case, Consent, Person, PersonIdentifier, TransferAgreement


def _days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def _date(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# (org key, caseworker, person fields, consents, case type, steps, extras)
PEOPLE = [
    (
        "ngo_bkk",
        "caseworker",
        {
            "given_name": "Mina",
            "family_name": "Fictiva",
            "sex": "F",
            "age_group": "24-26",
            "majority_status": "adult",
            "citizenship": "MMR",
            "languages": ["mya", "tha"],
            "legal_status": "irregular_entry",
            "vulnerabilities": ["presumed_victim_of_trafficking"],
            "documents": [{"type": "passport", "number": "DEMO-MF-0001", "country": "MMR"}],
        },
        [ConsentPurpose.ASSISTANCE, ConsentPurpose.RETURN, ConsentPurpose.DATA_SHARING],
        "avrr",
        [
            ("complete_counselling", {"counselling_date": _days(-40), "informed_decision": True}),
            ("confirm_eligibility", {"eligibility_date": _days(-35), "destination_country": "MMR"}),
            (
                "obtain_travel_document",
                {"travel_document_type": "emergency_travel_document", "travel_document_issued": _days(-20)},
            ),
        ],
        {
            "needs": [("shelter", "met"), ("medical_care", "open")],
            "tasks": [("Book the flight", -3)],
            "note": "Counselling session held with an interpreter; the person chose to return.",
            # A risk found, signed off, awaiting the supervisor's decision: the departure is blocked.
            "risk": (
                {
                    "persecution": "no_risk",
                    "torture": "no_risk",
                    "trafficking": "risk",
                    "trafficking_notes": "Demo: the recruiter's network is active in the home district.",
                    "child_best_interests": "not_assessed",
                    "child_best_interests_notes": "Demo: adult travelling alone.",
                },
                "supervisor",
            ),
        },
    ),
    (
        "ngo_bkk",
        "caseworker",
        {
            "given_name": "Kyaw",
            "family_name": "Sample",
            "sex": "M",
            "age_group": "30-38",
            "citizenship": "MMR",
            "languages": ["mya"],
            "vulnerabilities": ["survivor_of_violence"],
        },
        [ConsentPurpose.ASSISTANCE, ConsentPurpose.REFERRAL],
        "protection",
        [
            ("start_assessment", {"assessment_date": _days(-25)}),
            ("agree_plan", {"plan_date": _days(-18), "priority": "high"}),
        ],
        {
            "needs": [("legal_assistance", "referred"), ("mhpss", "open")],
            "tasks": [("Follow up the legal clinic", 5)],
            "services": [("legal_assistance", -10, "ongoing")],
        },
    ),
    (
        "ngo_bkk",
        "caseworker",
        {
            "given_name": "Lin",
            "family_name": "Example-Child",
            "sex": "F",
            "age_group": "9-17",
            "majority_status": "child",
            "citizenship": "LAO",
            "languages": ["lao"],
            "vulnerabilities": ["unaccompanied_child"],
        },
        [ConsentPurpose.ASSISTANCE],
        "uasc",
        [
            ("assess_best_interests", {"bia_date": _days(-30)}),
            (
                "appoint_guardian",
                {
                    "guardian_name": "Guardian Placeholder",
                    "guardian_organisation": "Demo Child Services",
                    "guardian_appointed_date": _days(-28),
                },
            ),
        ],
        {
            "needs": [("child_protection", "open"), ("family_tracing", "open")],
            "tasks": [("Start family tracing", -1)],
        },
    ),
    (
        "ngo_bkk",
        "caseworker",
        {
            "given_name": "Somsak",
            "family_name": "Placeholder",
            "sex": "M",
            "age_group": "39-47",
            "majority_status": "adult",
            "citizenship": "KHM",
            "languages": ["khm"],
        },
        [ConsentPurpose.ASSISTANCE],
        "atd",
        [
            (
                "place",
                {
                    "assessment_date": _days(-60),
                    "placement_type": "case_management_community",
                    "placement_start": _days(-55),
                    "reporting_every_days": 14,
                },
            )
        ],
        {"checkins": [(-41, True), (-27, True), (-13, False)], "tasks": [("Check-in review", -2)]},
    ),
    (
        "ngo_bkk",
        "caseworker",
        {
            "given_name": "Noor",
            "family_name": "Fictional",
            "sex": "F",
            "age_group": "27-29",
            "citizenship": "IDN",
            "languages": ["ind"],
            "vulnerabilities": ["survivor_of_gbv"],
        },
        [ConsentPurpose.ASSISTANCE],
        "protection",
        [
            ("start_assessment", {"assessment_date": _days(-90)}),
            ("agree_plan", {"plan_date": _days(-80), "priority": "medium"}),
            ("start_services", {"services_start_date": _days(-75)}),
            ("review", {"review_date": _days(-10)}),
            ("request_closure", {"closure_date": _days(-2), "case_outcome": "goals_met"}),
        ],
        {"services": [("mhpss", -70, "completed"), ("shelter", -75, "completed")]},
    ),
    (
        "agency_kl",
        "caseworker_kl",
        {
            "given_name": "Ardi",
            "family_name": "Contoh",
            "sex": "M",
            "age_group": "21-23",
            "majority_status": "adult",
            "citizenship": "IDN",
            "languages": ["ind", "zsm"],
            "legal_status": "visa_overstay",
            "documents": [{"type": "national_id", "number": "DEMO-AC-7788", "country": "IDN"}],
        },
        [ConsentPurpose.ASSISTANCE, ConsentPurpose.RETURN],
        "readmission",
        [
            (
                "send_request",
                {
                    "requesting_state": "MYS",
                    "requested_state": "IDN",
                    "agreement_reference": "Demo readmission arrangement 2024",
                    "shared_data": ["identity", "documents", "photo"],
                    "sent_date": _days(-30),
                    "response_deadline": _days(-2),
                },
            )
        ],
        {"needs": [("documentation", "open")]},
    ),
    (
        "agency_kl",
        "caseworker_kl",
        {
            "given_name": "Siti",
            "family_name": "Contoh",
            "sex": "F",
            "age_group": "30-38",
            "citizenship": "IDN",
            "languages": ["ind"],
        },
        [ConsentPurpose.ASSISTANCE, ConsentPurpose.RESEARCH],
        "reintegration",
        [
            (
                "plan_assistance",
                {
                    "needs_assessment_date": _days(-120),
                    "assistance_types": ["business_support", "psychosocial_counselling"],
                },
            ),
            ("start_monitoring", {"assistance_completed_date": _days(-40)}),
        ],
        {"visits": [(-30, "0.60", "0.70", "0.55")], "tasks": [("Second monitoring visit", 20)]},
    ),
    (
        "agency_kl",
        "caseworker_kl",
        {
            "given_name": "Budi",
            "family_name": "Contoh",
            "sex": "M",
            "age_group": "48+",
            "citizenship": "IDN",
            "languages": ["ind"],
        },
        [ConsentPurpose.ASSISTANCE],
        "avrr",
        [],
        {
            "tasks": [("First counselling session", -4)],
            # Recorded by the caseworker; no supervisor has signed it off yet.
            "risk": (
                {
                    "persecution": "no_risk",
                    "torture": "no_risk",
                    "trafficking": "no_risk",
                    "child_best_interests": "not_assessed",
                    "child_best_interests_notes": "Demo: adult.",
                },
                None,
            ),
        },
    ),
    (
        "ngo_bkk",
        "caseworker",
        {
            "given_name": "Aung",
            "family_name": "Demoson",
            "sex": "M",
            "age_group": "27-29",
            "majority_status": "adult",
            "citizenship": "MMR",
            "languages": ["mya"],
            "legal_status": "irregular_entry",
        },
        [ConsentPurpose.ASSISTANCE],
        "forced_return",
        [
            (
                "start_pre_removal_monitoring",
                {
                    "notification_date": _days(-20),
                    "destination_country": "MMR",
                    "scheduled_removal_date": _days(5),
                },
            ),
            (
                "start_risk_assessment",
                {
                    "pre_removal_visit_date": _days(-10),
                    "pre_removal_observations": "Demo: visited in the immigration depot; no complaint.",
                },
            ),
        ],
        {
            # No risk found and signed off: the removal step may go ahead.
            "risk": (
                {
                    "persecution": "no_risk",
                    "torture": "no_risk",
                    "trafficking": "no_risk",
                    "child_best_interests": "not_assessed",
                    "child_best_interests_notes": "Demo: adult, no child travelling with him.",
                },
                "supervisor",
            ),
        },
    ),
]


def _is_day(value) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"


def _exists(org, fields) -> bool:
    name = f"{fields['given_name']} {fields['family_name']}"
    digest = crypto.blind_index(name, organisation_id=org.pk, kind="name")
    return PersonIdentifier.objects.filter(organisation=org, kind="name", digest=digest).exists()


def _load_person(org, user, fields, purposes, case_type, steps, extras, users):
    person = services.person_register(acting_user=user, organisation=org, **fields)
    for purpose in purposes:
        services.consent_record(
            acting_user=user,
            person=person,
            purpose=purpose,
            language=fields["languages"][0],
            obtained_on=_date(-45),
            information_given="Demo: purpose, recipients and withdrawal explained with the leaflet.",
        )
    # Opened on the earliest day its steps mention (a week ago for a case with no step yet).
    days = [datetime.date.fromisoformat(v) for _name, data in steps for v in data.values() if _is_day(v)]
    case = services.case_open(
        acting_user=user,
        person=person,
        case_type=case_type,
        team="Demo team",
        opened_on=min(days, default=_date(-7)),
    )
    for name, data in steps:
        case = services.case_transition(
            acting_user=user, case=case, transition=name, data=data, expected_version=case.version
        )
    for need_type, status in extras.get("needs", []):
        services.need_record(acting_user=user, case=case, need_type=need_type, status=status)
    for service_type, day, outcome in extras.get("services", []):
        services.service_record(
            acting_user=user, case=case, service_type=service_type, provided_on=_date(day), outcome=outcome
        )
    for title, day in extras.get("tasks", []):
        services.task_create(acting_user=user, case=case, title=title, due_on=_date(day), assignee=user)
    for day, complied in extras.get("checkins", []):
        services.checkin_record(acting_user=user, case=case, check_on=_date(day), complied=complied)
    for day, economic, social, psychosocial in extras.get("visits", []):
        services.visit_record(
            acting_user=user,
            case=case,
            visit_on=_date(day),
            economic=economic,
            social=social,
            psychosocial=psychosocial,
        )
    if extras.get("note"):
        services.note_add(acting_user=user, case=case, text=extras["note"])
    if extras.get("risk"):
        factors, signer = extras["risk"]
        assessment = return_risk.risk_assessment_record(acting_user=user, case=case, factors=factors)
        if signer:
            return_risk.risk_assessment_sign_off(acting_user=users[signer], assessment=assessment)
    return case


def _consent_ending_soon(org, user) -> None:
    """A consent that ends within the month, for the caseworker's home page to warn about."""
    today = timezone.localdate()
    ending = Consent.objects.filter(
        organisation=org, withdrawn_at__isnull=True, valid_until__range=(today, _date(30))
    )
    person = Person.objects.filter(organisation=org).order_by("pk").first()
    if person is None or ending.exists():
        return
    services.consent_record(
        acting_user=user,
        person=person,
        purpose=ConsentPurpose.ASSISTANCE,
        language="tha",
        obtained_on=_date(-340),
        valid_until=_date(20),
        information_given="Demo: follow-up calls for one year, explained with the leaflet.",
    )


def _audit_examples(orgs, users) -> None:
    """What an auditor's home page counts: a subject access export, and a look refused across
    organisations (a caseworker of another agency trying to change a case here)."""
    if AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_EXPORTED).exists():
        return
    case = Case.objects.filter(organisation=orgs["ngo_bkk"]).order_by("pk").first()
    if case is None:
        return
    services.person_export(acting_user=users["caseworker"], person=case.person)
    # Refused and logged, which is what the example is for.
    with contextlib.suppress(PermissionDenied):
        policy.require(users["caseworker_kl"], policy.CHANGE, case, purpose="demo")


def load(ctx: dict) -> None:
    orgs, users = ctx["orgs"], ctx["users"]
    for org_key, username, fields, purposes, case_type, steps, extras in PEOPLE:
        org = orgs[org_key]
        if not _exists(org, fields):
            _load_person(org, users[username], dict(fields), purposes, case_type, steps, extras, users)
    _consent_ending_soon(orgs["ngo_bkk"], users["caseworker"])
    _audit_examples(orgs, users)
    if not TransferAgreement.objects.filter(organisation=orgs["ngo_bkk"], partner=orgs["agency_kl"]).exists():
        services.agreement_create(
            acting_user=users["supervisor"],
            organisation=orgs["ngo_bkk"],
            partner=orgs["agency_kl"],
            title="Return and reintegration handover (demo)",
            allowed_fields=[
                "given_name",
                "family_name",
                "date_of_birth",
                "documents",
                "sex",
                "age_group",
                "citizenship",
                "languages",
                "vulnerabilities",
                "step_data",
                "needs",
            ],
            valid_from=_date(-365),
            valid_until=_date(365),
        )
