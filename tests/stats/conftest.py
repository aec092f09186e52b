import pytest

from lindung.core.actors import SYSTEM
from lindung.core.roles import Role
from lindung.standard import services as standard_services
from lindung.standard import synthetic


def import_records(org, rows=400, seed=5):
    return standard_services.batch_import(
        acting_user=SYSTEM,
        organisation=org,
        file_name=f"test-{seed}.csv",
        data=synthetic.ctdc_csv(rows, seed=seed),
        profile="ctdc",
    )


@pytest.fixture
def records_a(org_a):
    import_records(org_a, rows=400, seed=5)
    return org_a


@pytest.fixture
def records_b(org_b):
    import_records(org_b, rows=150, seed=9)
    return org_b


@pytest.fixture
def manager(make_user, records_a):
    return make_user(records_a, Role.DATA_MANAGER)
