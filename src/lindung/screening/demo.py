"""Demo screenings in two organisations, with their profiles. Synthetic answers only.

Idempotent: completed demo interviews carry a fixed instance id and are stored once.
"""

from lindung.core import policy
from lindung.core.roles import Capability

from . import services
from .models import Interview

BASE = {"agrees_to_interview": "yes"}

# (instance id, username, answers, link to the first person of the organisation with referral consent)
SCREENINGS = [
    (
        "demo-screening-bkk-1",
        "caseworker",
        {
            "interview_country": "THA",
            "interview_place": "Bangkok",
            "in_danger_now": "no",
            "safe_place_tonight": "no",
            "age_group": "30-38",
            "sex": "M",
            "speaks_local_language": "no",
            "deceived_recruitment": "yes",
            "not_free_to_leave": "yes",
            "documents_withheld": "yes",
            "wages_withheld": "yes",
            "violence_experienced": ["physical", "psychological"],
            "violence_ongoing": "no",
            "urgent_medical_need": "yes",
            "has_identity_document": "no",
            "legal_status": "irregular",
            "currently_detained": "no",
            "owes_debt": "yes",
            "basic_needs_met": "no",
        },
        True,
    ),
    (
        "demo-screening-bkk-2",
        "caseworker",
        {
            "interview_country": "THA",
            "interview_place": "Chiang Mai",
            "in_danger_now": "no",
            "safe_place_tonight": "yes",
            "age_group": "9-17",
            "sex": "F",
            "child_accompanied": "no",
            "child_with_relative": "no",
            "deceived_recruitment": "no",
            "not_free_to_leave": "no",
            "documents_withheld": "unknown",
            "urgent_medical_need": "no",
            "has_identity_document": "no",
            "currently_detained": "no",
            "owes_debt": "no",
        },
        False,
    ),
    (
        "demo-screening-bkk-3",
        "caseworker",
        {
            "interview_country": "THA",
            "interview_place": "Mae Sot",
            "in_danger_now": "no",
            "safe_place_tonight": "yes",
            "age_group": "24-26",
            "sex": "F",
            "pregnant": "yes",
            "family_support": "yes",
            "deceived_recruitment": "no",
            "not_free_to_leave": "no",
            "documents_withheld": "no",
            "urgent_medical_need": "no",
            "has_identity_document": "yes",
            "legal_status": "regular",
            "currently_detained": "no",
            "owes_debt": "no",
            "basic_needs_met": "yes",
            "has_work": "yes",
        },
        False,
    ),
    (
        "demo-screening-kl-1",
        "caseworker_kl",
        {
            "interview_country": "MYS",
            "interview_place": "Kuala Lumpur",
            "in_danger_now": "yes",
            "safe_place_tonight": "no",
            "age_group": "21-23",
            "sex": "F",
            "deceived_recruitment": "yes",
            "not_free_to_leave": "yes",
            "documents_withheld": "yes",
            "forced_sexual_exploitation": "yes",
            "violence_experienced": ["sexual"],
            "violence_ongoing": "yes",
            "urgent_medical_need": "yes",
            "has_identity_document": "no",
            "currently_detained": "no",
            "owes_debt": "yes",
        },
        True,
    ),
    (
        "demo-screening-kl-2",
        "caseworker_kl",
        {
            "interview_country": "MYS",
            "interview_place": "Johor Bahru",
            "in_danger_now": "no",
            "safe_place_tonight": "yes",
            "age_group": "39-47",
            "sex": "M",
            "deceived_recruitment": "no",
            "not_free_to_leave": "no",
            "documents_withheld": "no",
            "urgent_medical_need": "no",
            "has_identity_document": "no",
            "nationality_recognised": "no",
            "currently_detained": "yes",
            "detention_months": 7,
            "owes_debt": "no",
        },
        False,
    ),
]


def _person_with_referral_consent(user):
    from lindung.cases.selectors import has_consent, persons_visible

    orgs = policy.organisations_with(user, Capability.MANAGE_SCREENING)
    for person in persons_visible(user).filter(organisation_id__in=orgs).order_by("pk"):
        if has_consent(person, "referral"):
            return person
    return None


def load(ctx: dict) -> None:
    version = services.load_shipped_instrument()
    users = ctx["users"]
    ctx["screenings"] = {}
    for instance_id, username, answers, link in SCREENINGS:
        user = users[username]
        interview, created = services.interview_receive(
            acting_user=user,
            form_id=version.instrument.form_id,
            version=version.version,
            answers={**BASE, **answers},
            instance_id=instance_id,
            channel="web",
        )
        if created and link:
            person = _person_with_referral_consent(user)
            if person is not None:
                services.interview_link_person(acting_user=user, interview=interview, person=person)
        ctx["screenings"][instance_id] = interview
    # One paused interview, to show pause and resume.
    caseworker = users["caseworker"]
    if not Interview.objects.filter(started_by=caseworker, status=Interview.Status.IN_PROGRESS).exists():
        paused = services.interview_start(acting_user=caseworker, version=version)
        services.interview_save_section(
            acting_user=caseworker,
            interview=paused,
            section="interview",
            raw={**BASE, "interview_country": "THA", "interview_place": "Ranong"},
        )
