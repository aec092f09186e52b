"""Fixtures of the linkage tests: caseworkers in two organisations and a person registered with
the Cyrillic spelling of a name that the tests then register in Latin letters."""

import datetime

import pytest

from lindung.cases import services
from lindung.core.roles import Role

DOB = datetime.date(1990, 3, 14)


@pytest.fixture
def caseworker(org_a, make_user):
    return make_user(org_a, Role.CASEWORKER, username="cw_a")


@pytest.fixture
def caseworker_b(org_b, make_user):
    return make_user(org_b, Role.CASEWORKER, username="cw_b")


@pytest.fixture
def register(org_a, caseworker):
    def make(org=None, user=None, **fields):
        fields.setdefault("age_group", "30-38")
        return services.person_register(acting_user=user or caseworker, organisation=org or org_a, **fields)

    return make


@pytest.fixture
def rakhimov(register):
    """Registered by a detention centre in Cyrillic, with a passport."""
    return register(
        given_name="Мухаммад",
        family_name="Рахимов",
        date_of_birth=DOB,
        sex="M",
        documents=[{"type": "passport", "number": "AB1234567", "country": "UZB"}],
    )
