"""Safeguards and consent rules in the services: every bad input is refused with a clear reason,
refusals that protect participants are audited, and nothing is half written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.engagement import selectors, services
from lindung.engagement.models import Consent, Contribution, Notification, Outcome, Session

pytestmark = pytest.mark.django_db
Scope = Consent.Scope
Kind = Contribution.Kind


def refusals(reason):
    return AuditEntry.objects.filter(action="engagement.refused", detail__reason=reason).count()


# bad input from the issue -------------------------------------------------------------------------


def test_session_cannot_start_with_checklist_incomplete_and_refusal_is_audited(world):
    with pytest.raises(ValidationError) as exc:
        services.session_start(acting_user=world.user, session=world.session)
    text = " ".join(exc.value.messages)
    assert "checklist is incomplete" in text and "Risk assessment done" in text
    assert refusals("checklist_incomplete") == 1
    world.session.refresh_from_db()
    assert world.session.status == Session.Status.PLANNED and world.session.started_at is None


def test_checklist_needs_a_support_pathway_and_a_briefed_interpreter(world):
    services.checklist_update(
        acting_user=world.user,
        session=world.session,
        support_pathways=[],
        **{field: True for field, _label in Session.CHECKLIST},
    )
    assert world.session.checklist_missing() == ["At least one support pathway chosen"]
    with pytest.raises(ValidationError):
        services.session_start(acting_user=world.user, session=world.session)
    world.complete_checklist()
    services.checklist_update(
        acting_user=world.user,
        session=world.session,
        support_pathways=[world.pathway],
        **{field: field != "check_interpreter_briefed" for field, _label in Session.CHECKLIST},
    )
    assert any("Interpreter" in m for m in world.session.checklist_missing())
    world.session.interpreters = ""  # nobody interprets: nothing to brief
    assert world.session.checklist_missing() == []


def test_complete_checklist_lets_the_session_start(world):
    world.complete_checklist()
    session = services.session_start(acting_user=world.user, session=world.session)
    assert session.status == Session.Status.IN_PROGRESS
    assert AuditEntry.objects.filter(action="engagement.session_started", object_id=str(session.pk)).exists()
    world.engagement.refresh_from_db()
    assert world.engagement.status == "active"


def test_quote_without_quote_consent_is_refused_and_audited(world):
    person = world.participant(Scope.PARTICIPATION)
    world.started()
    world.attend(person)
    quote = world.contribution(Kind.QUOTE, person=person)
    with pytest.raises(ValidationError) as exc:
        services.contribution_clear(
            acting_user=world.user, contribution=quote, public_text="x", identifying_details_removed=True
        )
    assert "consent to be quoted" in " ".join(exc.value.messages)
    assert refusals("no_quote_consent") == 1
    quote.refresh_from_db()
    assert quote.status == Contribution.Status.DRAFT and quote.public_text is None
    assert quote not in selectors.usable_contributions(world.user)


def test_name_attribution_without_consent_is_refused_and_audited(world):
    person = world.participant(Scope.PARTICIPATION, Scope.QUOTES)
    world.started()
    world.attend(person)
    quote = world.contribution(Kind.QUOTE, person=person)
    with pytest.raises(ValidationError) as exc:
        services.contribution_clear(
            acting_user=world.user,
            contribution=quote,
            public_text="Rules!",
            identifying_details_removed=True,
            attribute_name=True,
        )
    assert "attribute_name" in exc.value.message_dict
    assert refusals("no_attribution_consent") == 1
    quote.refresh_from_db()
    assert quote.status == Contribution.Status.DRAFT and not quote.attribute_name


def test_withdrawn_contribution_cannot_be_reused_and_refusal_is_audited(world):
    person = world.participant(Scope.PARTICIPATION, Scope.QUOTES)
    world.started()
    world.attend(person)
    quote = world.cleared_quote(person)
    services.consent_withdraw(acting_user=world.user, consent=person.consents.get(scope=Scope.QUOTES))
    quote.refresh_from_db()
    for attempt in (
        lambda: services.contribution_clear(
            acting_user=world.user, contribution=quote, public_text="again", identifying_details_removed=True
        ),
        lambda: services.outcome_record(
            acting_user=world.user,
            contribution=quote,
            kind=Outcome.Kind.DECISION,
            description="We did",
            decided_on=timezone.localdate(),
        ),
        lambda: services.contribution_withdraw(acting_user=world.user, contribution=quote),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert "withdrawn" in " ".join(exc.value.messages)
    assert refusals("withdrawn_contribution") == 3
    assert not Outcome.objects.exists()


def test_case_link_needs_link_to_case_consent(world, org_b):
    person = world.participant(Scope.PARTICIPATION)
    with pytest.raises(ValidationError) as exc:
        services.participant_link_case(
            acting_user=world.user, participant=person, case_reference="C-1", case_organisation=org_b
        )
    assert "case_reference" in exc.value.message_dict
    assert refusals("no_link_to_case_consent") == 1
    world.consent(person, Scope.LINK_TO_CASE)
    services.participant_link_case(
        acting_user=world.user, participant=person, case_reference="C-1", case_organisation=world.org
    )
    person.refresh_from_db()
    assert person.case_reference == "C-1"
    services.consent_withdraw(acting_user=world.user, consent=person.consents.get(scope=Scope.LINK_TO_CASE))
    person.refresh_from_db()
    assert person.case_reference == "" and person.case_organisation is None


# consent ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("given_on", [datetime.date(1, 1, 1), datetime.date(1899, 1, 1)])
def test_consent_dated_before_1900_is_refused(world, given_on):
    person = world.participant()
    with pytest.raises(ValidationError) as refused:
        services.consent_give(
            acting_user=world.user,
            participant=person,
            scope=Scope.PARTICIPATION,
            information_sheet=world.sheet,
            method="written",
            given_on=given_on,
        )
    assert [e.code for e in refused.value.error_dict["given_on"]] == ["date.implausible"]
    assert not person.consents.exists()


def test_consent_withdrawn_in_year_9999_is_refused(world):
    person = world.participant()
    consent = world.consent(person, Scope.PARTICIPATION)
    with pytest.raises(ValidationError) as refused:
        services.consent_withdraw(
            acting_user=world.user, consent=consent, withdrawn_on=datetime.date(9999, 12, 31)
        )
    assert [e.code for e in refused.value.error_dict["withdrawn_on"]] == ["date.implausible"]
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_incident_dated_year_1_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        services.incident_report(
            acting_user=world.user,
            engagement=world.engagement,
            severity="low",
            description="x",
            occurred_on=datetime.date(1, 1, 1),
        )
    assert [e.code for e in refused.value.error_dict["occurred_on"]] == ["date.implausible"]


def test_consent_rules(world, world_b):
    person = world.participant()
    with pytest.raises(ValidationError, match="take part first"):
        world.consent(person, Scope.QUOTES)
    world.consent(person, Scope.PARTICIPATION)
    with pytest.raises(ValidationError, match="already given"):
        world.consent(person, Scope.PARTICIPATION)
    with pytest.raises(ValidationError) as exc:
        services.consent_give(
            acting_user=world.user,
            participant=person,
            scope=Scope.QUOTES,
            information_sheet=world_b.sheet,
            method="written",
            given_on=timezone.localdate(),
        )
    assert "information_sheet" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.consent_give(
            acting_user=world.user,
            participant=person,
            scope=Scope.QUOTES,
            information_sheet=world.sheet,
            method="written",
            given_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "given_on" in exc.value.message_dict
    consent = person.consents.get()
    assert consent.information_sheet.number == 1 and consent.information_sheet.language == "en"


def test_withdrawing_participation_erases_every_contribution_and_closes_every_consent(world):
    person = world.participant(Scope.PARTICIPATION, Scope.QUOTES, Scope.NAME_ATTRIBUTION)
    world.started()
    world.attend(person)
    feedback = world.contribution(Kind.FEEDBACK, person=person)
    services.contribution_clear(
        acting_user=world.user,
        contribution=feedback,
        public_text="Rules only in Thai.",
        identifying_details_removed=True,
    )
    quote = world.cleared_quote(person, attribute_name=True)
    changes = services.consent_withdraw(
        acting_user=world.user, consent=person.consents.get(scope=Scope.PARTICIPATION)
    )
    assert changes["removed"] == 2
    assert not person.consents.active().exists()
    for item in (feedback, quote):
        item.refresh_from_db()
        assert item.status == Contribution.Status.WITHDRAWN and item.text is None and item.public_text is None
    assert not selectors.usable_contributions(world.user).exists()
    note = Notification.objects.get(engagement=world.engagement)
    assert person.code in note.message and "2 contribution(s) removed" in note.message
    assert "Testy" not in note.message  # pseudonymous: the code, never the name
    entry = AuditEntry.objects.get(action="engagement.consent_withdrawn")
    assert entry.detail["removed"] == 2 and "Testy" not in str(entry.detail)
    with pytest.raises(ValidationError, match="withdrawn consent to take part"):
        world.contribution(Kind.FEEDBACK, person=person)


def test_withdrawing_attribution_anonymises_quotes_but_keeps_them(world):
    person = world.participant(Scope.PARTICIPATION, Scope.QUOTES, Scope.NAME_ATTRIBUTION)
    world.started()
    world.attend(person)
    quote = world.cleared_quote(person, attribute_name=True)
    assert selectors.attribution(selectors.usable_contributions(world.user).get()) == "Testy Fictional"
    services.consent_withdraw(
        acting_user=world.user, consent=person.consents.get(scope=Scope.NAME_ATTRIBUTION)
    )
    quote.refresh_from_db()
    assert quote.status == Contribution.Status.CLEARED and not quote.attribute_name
    assert selectors.attribution(selectors.usable_contributions(world.user).get()) == ""
    assert "no longer carry their name" in Notification.objects.get().message


def test_withdrawal_dates_are_checked(world):
    person = world.participant(Scope.PARTICIPATION)
    consent = person.consents.get()
    with pytest.raises(ValidationError) as exc:
        services.consent_withdraw(
            acting_user=world.user,
            consent=consent,
            withdrawn_on=consent.given_on - datetime.timedelta(days=1),
        )
    assert "withdrawn_on" in exc.value.message_dict
    services.consent_withdraw(acting_user=world.user, consent=consent)
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.consent_withdraw(acting_user=world.user, consent=consent)


def test_recording_and_future_contact_withdrawals_tell_the_coordinator_what_to_do(world):
    person = world.participant(Scope.PARTICIPATION, Scope.RECORDING, Scope.FUTURE_CONTACT)
    world.started()
    world.attend(person)
    services.consent_withdraw(acting_user=world.user, consent=person.consents.get(scope=Scope.RECORDING))
    services.consent_withdraw(acting_user=world.user, consent=person.consents.get(scope=Scope.FUTURE_CONTACT))
    messages = list(Notification.objects.values_list("message", flat=True))
    assert any("recording" in m for m in messages) and any("Do not contact" in m for m in messages)


# sessions, contributions, safeguards -------------------------------------------------------------


def test_attendance_and_contributions_need_participation_consent_and_a_running_session(world):
    person = world.participant()
    with pytest.raises(ValidationError, match="not consented to take part"):
        world.attend(person)
    assert refusals("no_participation_consent") == 1
    world.consent(person, Scope.PARTICIPATION)
    world.attend(person)
    with pytest.raises(ValidationError, match="already in this session"):
        world.attend(person)
    with pytest.raises(ValidationError, match="in progress"):
        world.contribution(Kind.FEEDBACK)
    world.started()
    with pytest.raises(ValidationError) as exc:
        world.contribution(Kind.FEEDBACK, theme="")
    assert "theme" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        world.contribution(Kind.QUOTE)
    assert "participant" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        world.contribution(Kind.FEEDBACK, text="   ")
    assert "text" in exc.value.message_dict
    outsider = world.participant(Scope.PARTICIPATION, name="Other Fictional")
    with pytest.raises(ValidationError, match="not in this session"):
        world.contribution(Kind.FEEDBACK, person=outsider)


def test_review_step_requires_confirmation_and_wording(world):
    world.started()
    item = world.contribution(Kind.FEEDBACK)
    with pytest.raises(ValidationError) as exc:
        services.contribution_clear(
            acting_user=world.user, contribution=item, public_text="x", identifying_details_removed=False
        )
    assert "identifying_details_removed" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.contribution_clear(
            acting_user=world.user, contribution=item, public_text=" ", identifying_details_removed=True
        )
    assert "public_text" in exc.value.message_dict
    note = world.contribution(Kind.NOTE)
    with pytest.raises(ValidationError, match="internal"):
        services.contribution_clear(
            acting_user=world.user, contribution=note, public_text="x", identifying_details_removed=True
        )


def test_outcome_rules(world, world_b):
    world.started()
    item = world.contribution(Kind.FEEDBACK)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.outcome_record(
            acting_user=world.user,
            contribution=item,
            kind=Outcome.Kind.GUIDELINE_CHANGE,
            description="x",
            decided_on=today,
        )
    assert "guideline_version" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.outcome_record(
            acting_user=world.user,
            contribution=item,
            kind=Outcome.Kind.GUIDELINE_CHANGE,
            description="x",
            decided_on=today,
            guideline_version=world_b.version,
        )
    assert "guideline_version" in exc.value.message_dict
    outcome = services.outcome_record(
        acting_user=world.user,
        contribution=item,
        kind=Outcome.Kind.GUIDELINE_CHANGE,
        description="Rules translated.",
        decided_on=today,
        guideline_version=world.version,
    )
    assert world.version.outcomes.get() == outcome


def test_distress_protocol_records_concern_referral_and_tells_the_lead(world):
    person = world.participant(Scope.PARTICIPATION)
    with pytest.raises(ValidationError, match="during a session"):
        services.concern_record(
            acting_user=world.user,
            session=world.session,
            severity="high",
            description="d",
            action_taken="a",
            pathway=world.pathway,
        )
    world.started()
    world.attend(person)
    concern = services.concern_record(
        acting_user=world.user,
        session=world.session,
        participant=person,
        severity="high",
        description="Became distressed recalling the journey.",
        action_taken="Break; counsellor called.",
        pathway=world.pathway,
        session_paused=True,
        follow_up_on=timezone.localdate(),
    )
    assert concern.referrals.get().pathway == world.pathway
    note = Notification.objects.get(kind=Notification.Kind.CONCERN)
    assert note.recipient == world.user and "distressed" not in note.message
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM engagement_safeguardingconcern")
        assert cursor.fetchone()[0].startswith("v1:")


def test_incident_goes_to_the_safeguarding_lead(world):
    with pytest.raises(ValidationError) as exc:
        services.incident_report(
            acting_user=world.user,
            engagement=world.engagement,
            severity="low",
            description="x",
            occurred_on=timezone.localdate() + datetime.timedelta(days=2),
        )
    assert "occurred_on" in exc.value.message_dict
    incident = services.incident_report(
        acting_user=world.user,
        engagement=world.engagement,
        severity="medium",
        description="Venue address shared in a group chat.",
        occurred_on=timezone.localdate(),
    )
    assert incident.reported_to == world.user
    assert Notification.objects.get(kind=Notification.Kind.INCIDENT).recipient == world.user


def test_compensation_rules(world):
    person = world.participant(Scope.PARTICIPATION)
    args = {
        "acting_user": world.user,
        "session": world.session,
        "participant": person,
        "kind": "transport",
        "amount": 100,
        "method": "cash",
        "paid_on": timezone.localdate(),
    }
    with pytest.raises(ValidationError, match="not in this session"):
        services.compensation_record(currency="THB", **args)
    world.attend(person)
    with pytest.raises(ValidationError) as exc:
        services.compensation_record(currency="B4", **args)
    assert "currency" in exc.value.message_dict
    row = services.compensation_record(currency="thb", **args)
    assert row.currency == "THB"


def test_session_languages_and_dates_are_validated(world):
    base = {
        "acting_user": world.user,
        "engagement": world.engagement,
        "title": "S",
        "format": "workshop",
        "setting": "remote",
        "starts_at": timezone.now(),
    }
    with pytest.raises(ValidationError) as exc:
        services.session_save(languages="thai, xx", **base)
    assert "languages" in exc.value.message_dict and "thai" in exc.value.message_dict["languages"][0]
    with pytest.raises(ValidationError) as exc:
        services.session_save(
            languages="tha", ends_at=base["starts_at"] - datetime.timedelta(hours=1), **base
        )
    assert "ends_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.session_save(languages="tha", **{**base, "format": "party"})
    assert "format" in exc.value.message_dict
    assert Session.objects.count() == 1


def test_other_roles_and_other_organisations_cannot_write(world, world_b, make_user, org_a):
    caseworker = make_user(org_a, Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        services.engagement_save(
            acting_user=caseworker, organisation=org_a, title="x", purpose="x", feeds="x"
        )
    with pytest.raises(PermissionDenied):
        services.session_start(acting_user=world_b.user, session=world.session)
    with pytest.raises(PermissionDenied):
        services.participant_save(acting_user=world_b.user, organisation=org_a, preferred_language="en")
    assert AuditEntry.objects.filter(action="policy.denied").count() == 3


def test_contact_details_are_encrypted_and_reads_are_logged(world, monkeypatch):
    from django.db import connection

    from lindung.core.roles import ROLE_CAPABILITIES, Capability

    person = world.participant(Scope.PARTICIPATION)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM engagement_participant WHERE id = %s", [person.pk])
        name, contact = cursor.fetchone()
    assert name.startswith("v1:") and contact.startswith("v1:")
    identity = selectors.participant_identity(world.user, person, purpose="test")
    assert identity["contact"] == "test-contact@example.invalid"
    entry = AuditEntry.objects.filter(action="personal.viewed").latest("id")
    assert entry.object_id == str(person.pk) and entry.detail["fields"] == ["contact", "name"]
    # A role that runs engagement without VIEW_PARTICIPANT_CONTACT sees no contact details.
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.RESEARCHER, frozenset({Capability.MANAGE_ENGAGEMENT}))
    from django.contrib.auth import get_user_model

    helper = get_user_model().objects.create_user("helper")
    helper.memberships.create(organisation=world.org, role=Role.RESEARCHER)
    assert selectors.participants(helper).filter(pk=person.pk).exists()
    assert selectors.participant_identity(helper, person, purpose="test") is None
    with pytest.raises(PermissionDenied):
        services.participant_save(
            acting_user=helper, organisation=world.org, participant=person, contact="other"
        )


def test_adopting_the_model_copies_every_language_it_has(world):
    versions = world.sheet.document.versions.all()
    assert {v.language for v in versions} == {"en", "fr"} and {v.number for v in versions} == {1}
    french = versions.get(language="fr")
    assert french.title.startswith("Fiche d'information") and "Vos choix" in french.body
