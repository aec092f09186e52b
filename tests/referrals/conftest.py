import pytest

from lindung.core.actors import SYSTEM
from lindung.core.models import Organisation
from lindung.referrals import services
from tests.screening.conftest import ANSWERS, completed, guide, make_person  # noqa: F401  (shared fixtures)


@pytest.fixture
def provider_org(db):
    return Organisation.objects.create(
        name="Clinic (test)", kind=Organisation.Kind.SERVICE_PROVIDER, country="THA"
    )


@pytest.fixture
def make_service(provider_org):
    def make(service_type="medical_care", org=None, **fields):
        values = {
            "name": f"{service_type} service",
            "country": "THA",
            "place": "Bangkok",
            "languages": ["tha", "mya"],
            "answer_days": 2,
            **fields,
        }
        return services.service_save(
            acting_user=SYSTEM, organisation=org or provider_org, service_type=service_type, **values
        )

    return make
