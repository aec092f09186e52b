import datetime

import pytest

from lindung.core.roles import Role
from lindung.frameworks import reference, services


@pytest.fixture
def researcher(org_a, make_user):
    return make_user(org_a, Role.RESEARCHER)


@pytest.fixture
def shipped(db):
    """The shipped reference content with the national examples."""
    reference.load(examples=True)


@pytest.fixture
def make_instrument(researcher):
    """make_instrument(**overrides) -> a national law of Indonesia in force, entered by ``researcher``."""
    counter = {"n": 0}

    def make(implements=(), **overrides):
        counter["n"] += 1
        data = {
            "title_en": f"Test law {counter['n']}",
            "title_original": f"Undang-undang uji {counter['n']}",
            "instrument_type": "national_law",
            "country": "IDN",
            "status": "in_force",
            "adopted_on": datetime.date(2020, 1, counter["n"] % 28 + 1),
            "citation": "Test citation",
            **overrides,
        }
        return services.instrument_create(acting_user=researcher, data=data, implements=implements)

    return make


@pytest.fixture
def treaty(researcher):
    return services.instrument_create(
        acting_user=researcher,
        data={
            "title_en": "Test bilateral readmission agreement",
            "title_original": "Test bilateral readmission agreement",
            "instrument_type": "readmission_agreement",
            "region": "between_parties",
            "parties": ["IDN", "MYS"],
            "adopted_on": datetime.date(2019, 5, 1),
            "in_force_on": datetime.date(2019, 6, 1),
            "status": "in_force",
            "citation": "Test treaty series",
        },
    )
