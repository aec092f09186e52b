"""Referrals: consent first, only matching services, a minimal payload, the receiver's answer, the
referrer sees the outcome, overdue referrals for supervisors, every step audited, the PDF form."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.referrals import selectors, services
from lindung.referrals.models import Referral
from tests.roles import assert_roles, others

SENDERS = [Role.CASEWORKER, Role.SUPERVISOR, Role.ENGAGEMENT_COORDINATOR]


@pytest.fixture
def caseworker(make_user, org_a):
    return make_user(org_a, Role.CASEWORKER)


@pytest.fixture
def provider(make_user, provider_org):
    return make_user(provider_org, Role.SERVICE_PROVIDER)


@pytest.fixture
def profile_with_consent(caseworker, org_a, completed, make_person):
    person = make_person(org_a, "referral")
    return completed(caseworker, person=person).profile


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_refused_without_a_person_or_without_consent(caseworker, org_a, completed, make_person, make_service):
    clinic = make_service()
    anonymous = completed(caseworker).profile
    with pytest.raises(ValidationError, match="Link the screening to a person"):
        services.referral_send(
            acting_user=caseworker, service=clinic, needs=["medical_care"], profile=anonymous
        )
    no_consent = completed(caseworker, person=make_person(org_a, "assistance")).profile
    with pytest.raises(ValidationError, match="not consented to referral"):
        services.referral_send(
            acting_user=caseworker, service=clinic, needs=["medical_care"], profile=no_consent
        )
    assert Referral.objects.count() == 0
    refusals = AuditEntry.objects.filter(action="referrals.refused").values_list("detail", flat=True)
    assert {d["reason"] for d in refusals} == {"no_person", "no_consent"}


@pytest.mark.django_db
def test_withdrawn_consent_stops_the_next_referral(caseworker, org_a, completed, make_person, make_service):
    from lindung.cases import services as cases_services
    from lindung.cases.models import Consent

    person = make_person(org_a, "referral")
    profile = completed(caseworker, person=person).profile
    services.referral_send(
        acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=profile
    )
    cases_services.consent_withdraw(acting_user=caseworker, consent=Consent.objects.get(person=person))
    with pytest.raises(ValidationError, match="not consented"):
        services.referral_send(
            acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=profile
        )


@pytest.mark.django_db
def test_service_must_match_the_need(caseworker, profile_with_consent, make_service):
    shelter = make_service("shelter")
    with pytest.raises(ValidationError, match="not one of the needs"):
        services.referral_send(
            acting_user=caseworker, service=shelter, needs=["medical_care"], profile=profile_with_consent
        )
    with pytest.raises(ValidationError):
        services.referral_send(
            acting_user=caseworker, service=shelter, needs=["teleportation"], profile=profile_with_consent
        )
    inactive = make_service("medical_care", active=False, name="closed clinic")
    with pytest.raises(ValidationError, match="does not accept referrals"):
        services.referral_send(
            acting_user=caseworker, service=inactive, needs=["medical_care"], profile=profile_with_consent
        )
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_payload_is_minimal_and_identity_needs_data_sharing_consent(
    caseworker, org_a, completed, make_person, make_service
):
    clinic = make_service()
    referral_only = completed(caseworker, person=make_person(org_a, "referral")).profile
    with pytest.raises(ValidationError, match="sharing their identity"):
        services.referral_send(
            acting_user=caseworker,
            service=clinic,
            needs=["medical_care"],
            profile=referral_only,
            share_identity=True,
        )
    referral = services.referral_send(
        acting_user=caseworker,
        service=clinic,
        needs=["medical_care"],
        profile=referral_only,
        note="Needs a Burmese interpreter.",
    )
    assert set(referral.payload) == {
        "needs",
        "urgency",
        "age_group",
        "sex",
        "languages",
        "categories",
        "note",
    }
    assert "identity" not in referral.payload
    assert referral.urgency == referral_only.urgency
    assert referral.due_at - referral.sent_at == datetime.timedelta(days=clinic.answer_days)
    both = completed(
        caseworker, person=make_person(org_a, "referral", "data_sharing", given_name="Aye")
    ).profile
    shared = services.referral_send(
        acting_user=caseworker, service=clinic, needs=["medical_care"], profile=both, share_identity=True
    )
    assert shared.payload["identity"]["given_name"] == "Aye"
    detail = AuditEntry.objects.filter(action="referrals.sent").values_list("detail", flat=True)
    assert all("Aye" not in str(d) and "interpreter" not in str(d) for d in detail)


@pytest.mark.django_db
def test_receiver_accepts_records_service_and_referrer_sees_outcome(
    caseworker, provider, profile_with_consent, make_service
):
    referral = services.referral_send(
        acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=profile_with_consent
    )
    url = reverse("referrals:referral_detail", args=[referral.pk])
    # The referrer cannot answer their own referral.
    assert (
        _client(caseworker).post(reverse("referrals:referral_accept", args=[referral.pk])).status_code == 403
    )
    referral.refresh_from_db()
    assert referral.status == "sent"
    receiver = _client(provider)
    assert "Accept the referral" in receiver.get(url).content.decode()
    receiver.post(reverse("referrals:referral_accept", args=[referral.pk]), {"note": "Seen on Monday."})
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    receiver.post(
        reverse("referrals:referral_service", args=[referral.pk]),
        {"service_type": "medical_care", "service_date": future},
    )
    referral.refresh_from_db()
    assert referral.status == "accepted"
    receiver.post(
        reverse("referrals:referral_service", args=[referral.pk]),
        {"service_type": "medical_care", "service_date": timezone.localdate().isoformat()},
    )
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.service_given == "medical_care"
    page = _client(caseworker).get(url).content.decode()
    assert "Service given" in page and "Medical care" in page
    actions = set(
        AuditEntry.objects.filter(object_type="referrals.referral").values_list("action", flat=True)
    )
    assert {"referrals.sent", "referrals.accepted", "referrals.service_recorded"} <= actions


@pytest.mark.django_db
def test_decline_needs_a_reason_and_other_needs_an_explanation(
    caseworker, provider, profile_with_consent, make_service
):
    referral = services.referral_send(
        acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=profile_with_consent
    )
    with pytest.raises(ValidationError):
        services.referral_decline(acting_user=provider, referral=referral, reason="")
    with pytest.raises(ValidationError, match="Explain"):
        services.referral_decline(acting_user=provider, referral=referral, reason="other")
    services.referral_decline(acting_user=provider, referral=referral, reason="no_capacity")
    referral.refresh_from_db()
    assert referral.status == "declined" and referral.decline_reason == "no_capacity"
    with pytest.raises(ValidationError, match="cannot take this answer"):
        services.referral_accept(acting_user=provider, referral=referral)


@pytest.mark.django_db
def test_overdue_list_for_supervisors(
    caseworker, make_user, org_a, org_b, profile_with_consent, make_service
):
    clinic = make_service(answer_days=2)
    late = services.referral_send(
        acting_user=caseworker,
        service=clinic,
        needs=["medical_care"],
        profile=profile_with_consent,
        sent_at=timezone.now() - datetime.timedelta(days=3),
    )
    services.referral_send(
        acting_user=caseworker, service=clinic, needs=["medical_care"], profile=profile_with_consent
    )
    supervisor = make_user(org_a, Role.SUPERVISOR)
    assert list(selectors.overdue_referrals(supervisor)) == [late]
    assert not selectors.overdue_referrals(make_user(org_b, Role.SUPERVISOR)).exists()
    url = reverse("referrals:overdue_list")
    page = _client(supervisor).get(url).content.decode()
    assert late.reference in page
    with pytest.raises(ValidationError):
        services.referral_send(
            acting_user=caseworker,
            service=clinic,
            needs=["medical_care"],
            profile=profile_with_consent,
            sent_at=timezone.now() + datetime.timedelta(days=1),
        )


@pytest.mark.django_db
def test_referral_pages_by_role(client_for, org_a, guide):
    assert_roles(
        client_for, org_a, reverse("referrals:referral_list"), allowed=SENDERS, refused=others(*SENDERS)
    )
    receivers = [Role.SUPERVISOR, Role.SERVICE_PROVIDER]
    assert_roles(
        client_for, org_a, reverse("referrals:received_list"), allowed=receivers, refused=others(*receivers)
    )
    assert_roles(
        client_for,
        org_a,
        reverse("referrals:overdue_list"),
        allowed=[Role.SUPERVISOR],
        refused=others(Role.SUPERVISOR),
    )
    assert_roles(client_for, org_a, reverse("referrals:needs_map"), allowed=SENDERS, refused=others(*SENDERS))
    assert_roles(client_for, org_a, reverse("referrals:service_list"), allowed=list(Role), refused=[])
    assert_roles(
        client_for,
        org_a,
        reverse("referrals:service_create"),
        allowed=[Role.SERVICE_PROVIDER],
        refused=others(Role.SERVICE_PROVIDER),
    )


@pytest.mark.django_db
def test_referral_detail_only_for_the_two_organisations(
    caseworker, provider, make_user, org_b, profile_with_consent, make_service
):
    referral = services.referral_send(
        acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=profile_with_consent
    )
    url = reverse("referrals:referral_detail", args=[referral.pk])
    assert _client(caseworker).get(url).status_code == 200
    assert _client(provider).get(url).status_code == 200
    for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.SERVICE_PROVIDER):
        assert _client(make_user(org_b, role)).get(url).status_code == 404
    assert AuditEntry.objects.filter(action="personal.viewed", object_type="referrals.referral").count() == 2


@pytest.mark.django_db
def test_referral_form_by_web_from_a_profile(caseworker, profile_with_consent, make_service):
    clinic, shelter = make_service(), make_service("shelter")
    client = _client(caseworker)
    url = reverse("referrals:referral_create") + f"?profile={profile_with_consent.pk}&need=medical_care"
    page = client.get(url).content.decode()
    assert clinic.name in page and shelter.name not in page  # services matching the need are offered
    response = client.post(
        reverse("referrals:referral_create"),
        {"profile": profile_with_consent.pk, "needs": ["medical_care"], "service": shelter.pk},
    )
    assert "not one of the needs" in response.content.decode()
    response = client.post(
        reverse("referrals:referral_create"),
        {"profile": profile_with_consent.pk, "needs": ["medical_care"], "service": clinic.pk},
    )
    referral = Referral.objects.get()
    assert response["Location"] == referral.get_absolute_url()
    assert client.get(reverse("referrals:referral_create") + "?profile=999999").status_code == 404


@pytest.mark.django_db
def test_printable_pdf_form(caseworker, profile_with_consent, make_service):
    referral = services.referral_send(
        acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=profile_with_consent
    )
    response = _client(caseworker).get(reverse("referrals:referral_pdf", args=[referral.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="referrals.printed").exists()


@pytest.mark.django_db
def test_withdraw_by_the_referrer_only(caseworker, provider, profile_with_consent, make_service):
    referral = services.referral_send(
        acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=profile_with_consent
    )
    assert (
        _client(provider).post(reverse("referrals:referral_withdraw", args=[referral.pk])).status_code == 403
    )
    referral.refresh_from_db()
    assert referral.status == "sent"
    _client(caseworker).post(reverse("referrals:referral_withdraw", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.status == "withdrawn"


@pytest.mark.django_db
def test_statistics_selectors_return_no_identifying_fields(caseworker, profile_with_consent, make_service):
    from lindung.screening.selectors import PROFILE_STAT_FIELDS, profiles_for_statistics

    services.referral_send(
        acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=profile_with_consent
    )
    rows = list(selectors.referrals_for_statistics(caseworker))
    assert len(rows) == 1 and set(rows[0]) == set(selectors.REFERRAL_STAT_FIELDS)
    profiles = list(profiles_for_statistics(caseworker))
    assert len(profiles) == 1 and set(profiles[0]) == set(PROFILE_STAT_FIELDS)
    for forbidden in ("payload", "person", "answers", "explanation", "answer_note", "interview__place"):
        assert forbidden not in set(rows[0]) | set(profiles[0])


@pytest.mark.django_db
def test_referral_from_a_case_or_a_person(caseworker, org_a, org_b, make_user, make_person, make_service):
    from lindung.cases import services as cases_services

    person = make_person(org_a, "referral")
    case = cases_services.case_open(acting_user=caseworker, person=person, case_type="protection")
    clinic = make_service()
    client = _client(caseworker)
    page = client.get(reverse("referrals:referral_create") + f"?case={case.pk}").content.decode()
    assert "Urgency" in page  # no profile: the caseworker says how urgent
    response = client.post(
        reverse("referrals:referral_create"),
        {"case": case.pk, "needs": ["medical_care"], "service": clinic.pk, "urgency": "urgent"},
    )
    referral = Referral.objects.get()
    assert response["Location"] == referral.get_absolute_url()
    assert referral.case_id == case.pk and referral.person_id == person.pk and referral.urgency == "urgent"
    by_person = services.referral_send(
        acting_user=caseworker, service=clinic, needs=["medical_care"], person=person
    )
    assert by_person.person_id == person.pk and by_person.urgency == "routine"
    # Another organisation's person or case cannot be referred.
    outsider = make_user(org_b, Role.CASEWORKER)
    assert _client(outsider).get(reverse("referrals:referral_create") + f"?case={case.pk}").status_code == 404
    with pytest.raises(PermissionDenied):
        services.referral_send(acting_user=outsider, service=clinic, needs=["medical_care"], person=person)
