import pytest

from lindung.cases import services as cases_services
from lindung.core.roles import Role
from lindung.screening import services

ANSWERS = {
    "agrees_to_interview": "yes",
    "interview_country": "THA",
    "interview_place": "Bangkok",
    "in_danger_now": "no",
    "safe_place_tonight": "no",
    "age_group": "30-38",
    "sex": "M",
    "deceived_recruitment": "yes",
    "not_free_to_leave": "yes",
    "documents_withheld": "yes",
    "urgent_medical_need": "yes",
    "has_identity_document": "no",
    "currently_detained": "no",
    "owes_debt": "no",
}


@pytest.fixture
def guide(db):
    """The shipped identification interview guide (published)."""
    return services.load_shipped_instrument()


@pytest.fixture
def make_person(make_user):
    """make_person(org, *consent purposes) -> a person of org with those consents (via the cases app)."""

    def make(org, *purposes, given_name="Testa", family_name="Fictional"):
        registrar = make_user(org, Role.CASEWORKER)
        person = cases_services.person_register(
            acting_user=registrar,
            organisation=org,
            given_name=given_name,
            family_name=family_name,
            sex="M",
            age_group="30-38",
            languages=["mya"],
        )
        for purpose in purposes:
            cases_services.consent_record(
                acting_user=registrar,
                person=person,
                purpose=purpose,
                language="mya",
                information_given="Explained the purpose and how to withdraw.",
            )
        return person

    return make


@pytest.fixture
def completed(guide):
    """completed(user, answers=ANSWERS, person=None) -> a completed interview with its profile."""
    counter = {"n": 0}

    def make(user, answers=None, person=None):
        counter["n"] += 1
        interview, _created = services.interview_receive(
            acting_user=user,
            form_id=guide.instrument.form_id,
            version=guide.version,
            answers=answers or ANSWERS,
            instance_id=f"test-{counter['n']}",
            channel="web",
        )
        if person is not None:
            services.interview_link_person(acting_user=user, interview=interview, person=person)
        return interview

    return make
