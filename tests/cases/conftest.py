"""Fixtures of the cases tests: a caseworker and a supervisor in org A, persons and cases."""

import datetime

import pytest

from lindung.cases import return_risk, services
from lindung.cases.choices import ConsentPurpose
from lindung.core.roles import Role


@pytest.fixture
def caseworker(org_a, make_user):
    return make_user(org_a, Role.CASEWORKER, username="cw_a")


@pytest.fixture
def supervisor(org_a, make_user):
    return make_user(org_a, Role.SUPERVISOR, username="sup_a")


@pytest.fixture
def caseworker_b(org_b, make_user):
    return make_user(org_b, Role.CASEWORKER, username="cw_b")


@pytest.fixture
def make_person(org_a, caseworker):
    def make(org=None, user=None, **fields):
        fields.setdefault("given_name", "Testa")
        fields.setdefault("family_name", "Fictional")
        fields.setdefault("age_group", "30-38")
        return services.person_register(acting_user=user or caseworker, organisation=org or org_a, **fields)

    return make


@pytest.fixture
def make_case(make_person, caseworker):
    def make(case_type="avrr", person=None, user=None, **person_fields):
        person = person or make_person(**person_fields)
        return services.case_open(acting_user=user or caseworker, person=person, case_type=case_type)

    return make


@pytest.fixture
def consent(caseworker):
    def give(person, purpose=ConsentPurpose.DATA_SHARING, user=None):
        return services.consent_record(
            acting_user=user or caseworker,
            person=person,
            purpose=purpose,
            language="eng",
            information_given="Leaflet v2 read aloud: purpose, recipients, how to withdraw.",
        )

    return give


NO_RISK = {
    "persecution": "no_risk",
    "torture": "no_risk",
    "trafficking": "no_risk",
    "child_best_interests": "no_risk",
}


@pytest.fixture
def clear_for_departure(caseworker, supervisor):
    """A return case's departure cleared: no risk found, signed off by a supervisor."""

    def clear(case):
        assessment = return_risk.risk_assessment_record(acting_user=caseworker, case=case, factors=NO_RISK)
        return return_risk.risk_assessment_sign_off(acting_user=supervisor, assessment=assessment)

    return clear


def days_ago(n: int) -> str:
    return (datetime.date.today() - datetime.timedelta(days=n)).isoformat()
