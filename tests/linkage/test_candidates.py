"""The candidate search: variant spellings, scripts, swapped dates and mistyped passports are
found with their reasons; nothing outside the user's policy scope is ever returned."""

import datetime

import pytest

from lindung.core.actors import SYSTEM
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Membership
from lindung.core.roles import Role
from lindung.linkage import selectors
from lindung.linkage.identity import Identity
from lindung.linkage.models import BlockingKey

from .conftest import DOB

pytestmark = pytest.mark.django_db


def _levels(candidate):
    return {s.field: s.level for s in candidate.steps}


def test_latin_registration_finds_the_cyrillic_record_with_its_reasons(caseworker, rakhimov):
    found = selectors.candidates(
        caseworker, Identity.of(given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    )
    assert [c.person.pk for c in found] == [rakhimov.pk]
    assert _levels(found[0]) == {"name": "exact", "date_of_birth": "exact"}
    assert found[0].score.probability > 0.99
    assert AuditEntry.objects.filter(
        action=AuditAction.PERSONAL_DATA_SEARCHED, purpose="duplicate check"
    ).exists()


def test_thai_and_arabic_spellings_are_found(caseworker, register):
    thai = register(given_name="มูฮัมหมัด", family_name="ราฮิมอฟ", date_of_birth=DOB)
    arabic = register(given_name="محمد", family_name="رحيموف", date_of_birth=DOB)
    found = selectors.candidates(
        caseworker, Identity.of(given_name="Mukhammad", family_name="Rakhimov", date_of_birth=DOB)
    )
    assert {c.person.pk for c in found} == {thai.pk, arabic.pk}
    by_pk = {c.person.pk: _levels(c) for c in found}
    assert by_pk[thai.pk]["name"] == "exact" and by_pk[arabic.pk]["name"] == "phonetic"


def test_day_and_month_swapped(caseworker, register):
    person = register(given_name="Aung", family_name="Kyaw", date_of_birth=datetime.date(1988, 5, 7))
    found = selectors.candidates(
        caseworker,
        Identity.of(given_name="Aung", family_name="Kyaw", date_of_birth=datetime.date(1988, 7, 5)),
    )
    assert [c.person.pk for c in found] == [person.pk]
    assert _levels(found[0])["date_of_birth"] == "swapped"


def test_year_one_off_found_by_date_alone(caseworker, register):
    person = register(given_name="Thida", family_name="Win", date_of_birth=datetime.date(1995, 8, 20))
    found = selectors.candidates(
        caseworker,
        Identity.of(given_name="Tida", family_name="Winn", date_of_birth=datetime.date(1996, 8, 20)),
    )
    assert [c.person.pk for c in found] == [person.pk]
    assert _levels(found[0])["date_of_birth"] == "year_off"


def test_passport_with_one_digit_wrong_is_found_without_any_name(caseworker, rakhimov):
    found = selectors.candidates(
        caseworker, Identity.of(documents=[{"type": "passport", "number": "AB1234667", "country": "UZB"}])
    )
    assert [c.person.pk for c in found] == [rakhimov.pk]
    assert _levels(found[0]) == {"document": "one_edit"}


def test_same_name_and_passport_twice_is_caught(caseworker, register):
    first = register(
        given_name="Somchai",
        family_name="Jaidee",
        documents=[{"type": "passport", "number": "AA1234567", "country": "THA"}],
    )
    found = selectors.candidates(
        caseworker,
        Identity.of(
            given_name="Somchai",
            family_name="Jaidee",
            documents=[{"type": "passport", "number": "AA1234567", "country": "THA"}],
        ),
    )
    assert [c.person.pk for c in found] == [first.pk]
    assert _levels(found[0]) == {"name": "exact", "document": "exact"}


def test_different_person_is_not_proposed(caseworker, rakhimov):
    found = selectors.candidates(
        caseworker,
        Identity.of(given_name="Siti", family_name="Rahayu", date_of_birth=datetime.date(2001, 1, 9)),
    )
    assert found == []


def test_keys_are_digests_not_clear_text(rakhimov):
    digests = set(BlockingKey.objects.filter(person=rakhimov).values_list("digest", flat=True))
    assert digests and all(len(d) == 64 for d in digests)
    assert not {"muhamad", "rahimov", "MHMT", "1990-03-14", "AB1234567"} & digests


def test_another_organisations_person_is_never_returned(caseworker, caseworker_b, org_b, register, rakhimov):
    theirs = register(
        org=org_b, user=caseworker_b, given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB
    )
    query = Identity.of(given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    assert [c.person.pk for c in selectors.candidates(caseworker, query)] == [rakhimov.pk]
    assert [c.person.pk for c in selectors.candidates(caseworker_b, query)] == [theirs.pk]
    # The system sees both: the search itself is not what hides them.
    assert {c.person.pk for c in selectors.candidates(SYSTEM, query)} == {rakhimov.pk, theirs.pk}


def test_no_identity_capability_no_candidates(org_a, make_user, rakhimov):
    auditor = make_user(org_a, Role.AUDITOR)
    query = Identity.of(given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    assert selectors.candidates(auditor, query) == []


def test_member_of_two_organisations_sees_identity_only_where_allowed(
    org_a, org_b, make_user, register, caseworker_b, rakhimov
):
    theirs = register(
        org=org_b, user=caseworker_b, given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB
    )
    user = make_user(org_a, Role.CASEWORKER)
    Membership.objects.create(user=user, organisation=org_b, role=Role.AUDITOR)
    query = Identity.of(given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    assert [c.person.pk for c in selectors.candidates(user, query)] == [rakhimov.pk]
    assert theirs.pk not in {c.person.pk for c in selectors.candidates(user, query)}


def test_anonymised_person_keeps_no_key(caseworker, rakhimov):
    rakhimov.given_name = rakhimov.family_name = rakhimov.date_of_birth = rakhimov.documents = None
    rakhimov.anonymised_at = datetime.datetime.now(datetime.UTC)
    rakhimov.save()
    assert not BlockingKey.objects.filter(person=rakhimov).exists()
