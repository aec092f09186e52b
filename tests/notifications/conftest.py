"""Fixtures of the notifications tests: two organisations' people, a referral, incidents, and
tasks run at once (the immediate backend), so that no worker is needed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lindung.cases import services as cases_services
from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP, Distribution
from lindung.core.models import Organisation
from lindung.core.roles import Role
from lindung.maritime import services as maritime_services
from lindung.referrals import services as referrals_services

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE
    settings.LINDUNG_SITE_URL = "https://lindung.test"


@pytest.fixture
def provider_org(db):
    return Organisation.objects.create(
        name="Clinic (test)", kind=Organisation.Kind.SERVICE_PROVIDER, country="THA"
    )


@pytest.fixture
def people(org_a, org_b, provider_org, make_user):
    """Who works where: org A (caseworker, supervisor, analyst), org B (the same roles), the clinic."""
    return {
        "cw_a": make_user(org_a, Role.CASEWORKER, username="cw_a"),
        "sup_a": make_user(org_a, Role.SUPERVISOR, username="sup_a"),
        "analyst_a": make_user(org_a, Role.ANALYST, username="analyst_a"),
        "cw_b": make_user(org_b, Role.CASEWORKER, username="cw_b"),
        "sup_b": make_user(org_b, Role.SUPERVISOR, username="sup_b"),
        "analyst_b": make_user(org_b, Role.ANALYST, username="analyst_b"),
        "provider": make_user(provider_org, Role.SERVICE_PROVIDER, username="provider"),
    }


@pytest.fixture
def person_with_consent(org_a, people):
    person = cases_services.person_register(
        acting_user=people["cw_a"], organisation=org_a, given_name="Testa", family_name="Fictional",
        age_group="30-38",
    )  # fmt: skip
    for purpose in ("referral", "data_sharing"):
        cases_services.consent_record(
            acting_user=people["cw_a"], person=person, purpose=purpose, language="eng",
            information_given="Leaflet read aloud: purpose, recipients, how to withdraw.",
        )  # fmt: skip
    return person


@pytest.fixture
def send_referral(people, provider_org, person_with_consent):
    def send(**extra):
        service = referrals_services.service_save(
            acting_user=SYSTEM, organisation=provider_org, service_type="medical_care", name="Walk-in clinic",
            country="THA", place="Bangkok", answer_days=2,
        )  # fmt: skip
        return referrals_services.referral_send(
            acting_user=people["cw_a"], service=service, needs=["medical_care"], person=person_with_consent,
            **extra,
        )  # fmt: skip

    return send


def incident_fields(**overrides):
    values = {
        "incident_type": "shipwreck",
        "occurred_at": timezone.now() - timedelta(days=1),
        "latitude": Decimal("-12.600000"),
        "longitude": Decimal("44.700000"),
        "area": "Mozambique Channel",
        "route": "comoros_mayotte",
        "persons_on_board": 30,
        "dead": 2,
        "missing": 3,
        "survivors": 25,
        "tlp": TLP.GREEN,
        "distribution": Distribution.ORGANISATION,
    }
    values.update(overrides)
    return values


@pytest.fixture
def record_incident(people):
    def record(org, user=None, **overrides):
        return maritime_services.incident_create(
            acting_user=user or people["analyst_a"], organisation=org, **incident_fields(**overrides)
        )

    return record
