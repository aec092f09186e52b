import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from lindung.core.markings import TLP, Distribution
from lindung.core.roles import Role
from lindung.maritime import services


@pytest.fixture
def analyst_a(make_user, org_a):
    return make_user(org_a, Role.ANALYST)


@pytest.fixture
def make_incident(analyst_a, org_a):
    """make_incident(**overrides) -> an incident of org A recorded by an analyst of org A."""

    def make(user=None, organisation=None, **overrides):
        fields = {
            "incident_type": "interception",
            "occurred_at": timezone.now() - datetime.timedelta(days=3),
            "latitude": Decimal("-12.5"),
            "longitude": Decimal("44.9"),
            "area": "Mozambique Channel",
            "route": "comoros_mayotte",
            "persons_on_board": 20,
            "dead": 1,
            "missing": 2,
            "survivors": 17,
            "tlp": TLP.AMBER,
            "distribution": Distribution.ORGANISATION,
            **overrides,
        }
        return services.incident_create(
            acting_user=user or analyst_a, organisation=organisation or org_a, **fields
        )

    return make
