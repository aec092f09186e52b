"""Answers, explanations and referral payloads are encrypted at rest, survive key rotation, and
never reach the audit log."""

import pytest
from django.db import connection

from lindung.core.actors import SYSTEM
from lindung.core.keys import rotate_keys
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.referrals import services as referral_services
from lindung.referrals.models import Referral
from lindung.screening.models import Interview, Profile

from .conftest import ANSWERS


@pytest.fixture
def clinic(org_a):
    return referral_services.service_save(
        acting_user=SYSTEM,
        organisation=org_a,
        name="Clinic",
        country="THA",
        service_type="medical_care",
        place="Bangkok",
    )


@pytest.mark.django_db
def test_encrypted_at_rest_and_after_rotation(make_user, org_a, completed, make_person, clinic):
    user = make_user(org_a, Role.CASEWORKER)
    person = make_person(org_a, "referral", "data_sharing", given_name="Zawzaw")
    interview = completed(user, answers={**ANSWERS, "interview_place": "Secretplace"}, person=person)
    referral_services.referral_send(
        acting_user=user,
        service=clinic,
        needs=["medical_care"],
        profile=interview.profile,
        share_identity=True,
        note="Speaks Burmese only",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM screening_interview")
        raw_answers = cursor.fetchone()[0]
        cursor.execute("SELECT payload FROM referrals_referral")
        raw_payload = cursor.fetchone()[0]
    assert raw_answers.startswith("v1:") and "deceived_recruitment" not in raw_answers
    assert raw_payload.startswith("v1:") and "Zawzaw" not in raw_payload and "Burmese" not in raw_payload
    rotate_keys(organisation_id=org_a.pk)
    assert Interview.objects.get().answers["deceived_recruitment"] == "yes"
    assert Profile.objects.get().explanation["categories"]
    assert Referral.objects.get().payload["identity"]["given_name"] == "Zawzaw"
    details = " ".join(str(d) for d in AuditEntry.objects.values_list("detail", flat=True))
    for secret in ("Zawzaw", "Burmese", "Secretplace", "deceived_recruitment"):
        assert secret not in details


@pytest.mark.django_db
def test_erasing_a_person_erases_their_screenings_and_scrubs_referrals(
    make_user, org_a, completed, make_person, clinic
):
    from lindung.cases import services as cases_services

    user = make_user(org_a, Role.CASEWORKER, Role.SUPERVISOR)
    person = make_person(org_a, "referral", "data_sharing", given_name="Zawzaw")
    interview = completed(user, person=person)
    completed(user)  # someone else's anonymous screening stays
    referral = referral_services.referral_send(
        acting_user=user,
        service=clinic,
        needs=["medical_care"],
        profile=interview.profile,
        share_identity=True,
        note="Call after 6",
    )
    cases_services.person_erase(acting_user=user, person=person, confirm_reference=person.reference)
    assert not Interview.objects.filter(pk=interview.pk).exists()
    assert Interview.objects.count() == 1
    referral.refresh_from_db()
    assert (
        referral.person_id is None and "identity" not in referral.payload and referral.payload["note"] == ""
    )
    assert referral.payload["needs"] == ["medical_care"]


def _raw_places() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT place FROM screening_interview")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_interview_place_is_sealed_and_still_maps_needs(make_user, org_a, completed):
    from lindung.screening import selectors

    user = make_user(org_a, Role.CASEWORKER)
    interview = completed(user, answers={**ANSWERS, "interview_place": "Secretplace"})
    [raw] = _raw_places()
    assert raw.startswith("v1:") and "Secretplace" not in raw
    assert Interview.objects.get(pk=interview.pk).place == "Secretplace"
    assert {place for (_country, place, _service) in selectors.needs_by_place(user)} == {"Secretplace"}


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_places_written_in_clear(make_user, org_a, completed):
    from django.db.migrations.executor import MigrationExecutor

    user = make_user(org_a, Role.CASEWORKER)
    interview = completed(user, answers={**ANSWERS, "interview_place": "Oldplace"})
    executor = MigrationExecutor(connection)
    executor.migrate([("screening", "0002_shipped_instrument")])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE screening_interview SET place = %s WHERE id = %s", ["Oldplace", interview.pk])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Every app's latest migration: going back to 0002 also unapplied the migrations of apps that
    # depend on screening (maritime's screening batches), which later tests need.
    executor.migrate(executor.loader.graph.leaf_nodes())
    [raw] = _raw_places()
    assert raw.startswith("v1:") and "Oldplace" not in raw
    assert Interview.objects.get(pk=interview.pk).place == "Oldplace"
