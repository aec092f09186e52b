"""Consent per purpose with immediate withdrawal; transfer only with consent and an agreement,
moving exactly the allowed fields, audited at both ends."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lindung.cases import selectors, services
from lindung.cases.choices import ConsentPurpose
from lindung.cases.models import Case
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry

TODAY = datetime.date.today()


def test_has_consent_per_purpose_and_withdrawal_is_immediate(make_person, consent, caseworker):
    person = make_person()
    given = consent(person, ConsentPurpose.REFERRAL)
    assert selectors.has_consent(person, ConsentPurpose.REFERRAL)
    assert not selectors.has_consent(person, ConsentPurpose.RESEARCH)
    services.consent_withdraw(acting_user=caseworker, consent=given)
    assert not selectors.has_consent(person, ConsentPurpose.REFERRAL)
    with pytest.raises(ValidationError):
        services.consent_withdraw(acting_user=caseworker, consent=given)
    assert AuditEntry.objects.filter(action=AuditAction.CONSENT_WITHDRAWN, object_id=str(given.pk)).exists()


def test_expired_consent_does_not_count(make_person, caseworker):
    person = make_person()
    services.consent_record(
        acting_user=caseworker,
        person=person,
        purpose="research",
        language="eng",
        information_given="Told.",
        obtained_on=TODAY - datetime.timedelta(days=10),
        valid_until=TODAY - datetime.timedelta(days=1),
    )
    assert not selectors.has_consent(person, "research")


@pytest.fixture
def agreement(org_a, org_b, supervisor):
    return services.agreement_create(
        acting_user=supervisor,
        organisation=org_a,
        partner=org_b,
        title="Handover",
        allowed_fields=["family_name", "sex", "age_group", "step_data", "needs"],
    )


def _ready_case(make_case, caseworker):
    case = make_case(
        "avrr",
        given_name="Hidden",
        family_name="Visible",
        date_of_birth=TODAY.replace(year=TODAY.year - 30),
        age_group="30-38",
        sex="F",
    )
    services.need_record(acting_user=caseworker, case=case, need_type="shelter")
    services.note_add(acting_user=caseworker, case=case, text="Stays behind.")
    return case


def test_transfer_moves_exactly_the_allowed_fields(
    make_case, consent, caseworker, supervisor, caseworker_b, agreement
):
    case = _ready_case(make_case, caseworker)
    assert not selectors.cases_visible(caseworker_b).exists()
    consent(case.person)
    target = services.case_transfer(
        acting_user=supervisor, case=case, agreement=agreement, expected_version=case.version
    )
    assert list(selectors.cases_visible(caseworker_b)) == [target]
    copy = target.person
    assert copy.organisation_id == agreement.partner_id and copy.family_name == "Visible"
    assert copy.given_name is None and copy.date_of_birth is None
    assert (copy.sex, copy.age_group) == ("F", "30-38")
    assert [n.need_type for n in target.needs.all()] == ["shelter"]
    assert not target.notes.exists()
    assert selectors.has_consent(copy, ConsentPurpose.DATA_SHARING)
    source = Case.objects.get(pk=case.pk)
    assert source.state == "transferred" and source.transferred_to_id == agreement.partner_id
    assert target.received_from_id == source.organisation_id and target.source_reference == source.reference
    out = AuditEntry.objects.get(action=AuditAction.CASE_TRANSFERRED_OUT, object_id=str(source.pk))
    into = AuditEntry.objects.get(action=AuditAction.CASE_TRANSFERRED_IN, object_id=str(target.pk))
    assert out.organisation_id == source.organisation_id and into.organisation_id == target.organisation_id
    assert into.detail["fields"] == sorted(agreement.allowed_fields)
    assert list(selectors.persons_search(caseworker_b, name="Visible")) == [copy]


def test_transfer_refused_without_consent_or_after_withdrawal(
    make_case, consent, caseworker, supervisor, agreement
):
    case = _ready_case(make_case, caseworker)
    with pytest.raises(ValidationError) as refused:
        services.case_transfer(
            acting_user=supervisor, case=case, agreement=agreement, expected_version=case.version
        )
    assert "consent" in refused.value.message_dict["agreement"][0]
    given = consent(case.person)
    services.consent_withdraw(acting_user=caseworker, consent=given)
    with pytest.raises(ValidationError):
        services.case_transfer(
            acting_user=supervisor, case=case, agreement=agreement, expected_version=case.version
        )
    assert Case.objects.count() == 1


def test_transfer_refused_with_expired_agreement_and_for_caseworkers(
    make_case, consent, caseworker, supervisor, agreement
):
    case = _ready_case(make_case, caseworker)
    consent(case.person)
    with pytest.raises(PermissionDenied):
        services.case_transfer(
            acting_user=caseworker, case=case, agreement=agreement, expected_version=case.version
        )
    agreement.valid_until = TODAY - datetime.timedelta(days=1)
    agreement.valid_from = TODAY - datetime.timedelta(days=10)
    agreement.save()
    with pytest.raises(ValidationError) as refused:
        services.case_transfer(
            acting_user=supervisor, case=case, agreement=agreement, expected_version=case.version
        )
    assert "not in force" in refused.value.message_dict["agreement"][0]


def test_agreement_rejects_unknown_fields(org_a, org_b, supervisor):
    with pytest.raises(ValidationError) as refused:
        services.agreement_create(
            acting_user=supervisor, organisation=org_a, partner=org_b, title="X", allowed_fields=["religion"]
        )
    assert "allowed_fields" in refused.value.message_dict
