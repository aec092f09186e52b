"""Who is told what: events raised by the other apps' services (after commit), the policy checked
for every recipient (two organisations), preferences, the periodic scan, watch rules."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lindung.cases import services as cases_services
from lindung.cases.models import Case
from lindung.core.markings import TLP, Distribution
from lindung.core.models import AuditEntry
from lindung.maritime import services as maritime_services
from lindung.notifications import services, tasks
from lindung.notifications.models import Channel, Event, Notification, WatchRule
from lindung.referrals import services as referrals_services
from lindung.referrals.models import Referral

pytestmark = pytest.mark.django_db
PERSONAL = ("Testa", "Fictional")


def told(event=None, **filters):
    qs = Notification.objects.filter(**filters)
    if event:
        qs = qs.filter(event=event)
    return sorted(qs.values_list("recipient__username", flat=True))


# referrals ------------------------------------------------------------------------------------


def test_a_referral_received_is_told_to_the_receivers_after_commit(
    send_referral, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral = send_referral()
        assert not Notification.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    assert told(Event.REFERRAL_RECEIVED) == ["provider"]
    notification = Notification.objects.get()
    assert notification.reference == referral.reference and notification.link == referral.get_absolute_url()
    assert referral.reference in notification.message
    assert not any(word in notification.message for word in PERSONAL)
    assert AuditEntry.objects.filter(action="notifications.created", object_id=str(referral.pk)).exists()


def test_a_rolled_back_referral_tells_nobody(send_referral, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send_referral()
        raise RuntimeError("the request failed after the referral was written")
    assert not Referral.objects.exists() and not Notification.objects.exists()


def test_the_answer_is_told_to_the_referrer_not_to_the_one_answering(
    send_referral, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = send_referral()
        referrals_services.referral_decline(
            acting_user=people["provider"], referral=referral, reason="no_capacity"
        )
    assert told(Event.REFERRAL_ANSWERED) == ["cw_a"]
    answer = Notification.objects.get(event=Event.REFERRAL_ANSWERED)
    assert answer.detail == {"answer": "declined"} and "declined" in answer.message


# the policy, two organisations ----------------------------------------------------------------


def test_nobody_is_told_about_an_object_they_may_not_see(org_a, people, person_with_consent):
    case = cases_services.case_open(acting_user=people["cw_a"], person=person_with_consent, case_type="avrr")
    made = services.notify(
        event=Event.CLOSURE_REQUESTED,
        recipients=[people["cw_a"], people["sup_a"], people["cw_b"], people["sup_b"], people["provider"]],
        obj=case,
        reference=case.reference,
    )
    assert sorted(n.recipient.username for n in made) == ["cw_a", "sup_a"]


def test_closure_waiting_is_told_to_supervisors_of_the_case_organisation(
    people, person_with_consent, django_capture_on_commit_callbacks
):
    case = cases_services.case_open(
        acting_user=people["cw_a"], person=person_with_consent, case_type="protection"
    )
    with django_capture_on_commit_callbacks(execute=True):
        cases_services.case_transition(
            acting_user=people["cw_a"],
            case=case,
            transition="request_closure",
            data={"closure_date": datetime.date.today().isoformat(), "case_outcome": "goals_met"},
            expected_version=case.version,
        )
    assert told(Event.CLOSURE_REQUESTED) == ["sup_a"]


def test_a_transfer_is_told_to_the_receiving_supervisors(
    org_a, org_b, people, person_with_consent, django_capture_on_commit_callbacks
):
    case = cases_services.case_open(acting_user=people["cw_a"], person=person_with_consent, case_type="avrr")
    agreement = cases_services.agreement_create(
        acting_user=people["sup_a"], organisation=org_a, partner=org_b, title="Handover",
        allowed_fields=["sex", "age_group", "needs"],
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        target = cases_services.case_transfer(
            acting_user=people["sup_a"], case=case, agreement=agreement, expected_version=case.version
        )
    assert told(Event.TRANSFER_RECEIVED) == ["sup_b"]
    assert Notification.objects.get().reference == target.reference


def test_consent_withdrawn_reaches_case_owner_and_the_receiving_service(
    people, person_with_consent, send_referral, django_capture_on_commit_callbacks
):
    case = cases_services.case_open(
        acting_user=people["cw_a"], person=person_with_consent, case_type="avrr", owner=people["cw_a"]
    )
    send_referral()
    consent = person_with_consent.consents.get(purpose="referral")
    with django_capture_on_commit_callbacks(execute=True):
        cases_services.consent_withdraw(acting_user=people["sup_a"], consent=consent)
    withdrawn = Notification.objects.filter(event=Event.CONSENT_WITHDRAWN)
    assert sorted((n.recipient.username, n.reference) for n in withdrawn) == sorted(
        [
            ("cw_a", case.reference),
            ("cw_a", Referral.objects.get().reference),
            ("provider", Referral.objects.get().reference),
        ]
    )
    assert all("Referral to services" in n.message for n in withdrawn)


# imports --------------------------------------------------------------------------------------


def test_maritime_import_finished_or_refused_is_told_to_who_ran_it(
    org_a, people, django_capture_on_commit_callbacks
):
    from lindung.maritime.services import ImportSummary

    when = timezone.now() - datetime.timedelta(days=3)
    record = {
        "source_id": "mmp:1",
        "incident_type": "shipwreck",
        "occurred_at": when,
        "area": "Sea",
        "dead": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        maritime_services.incidents_import_public(
            acting_user=people["analyst_a"],
            organisation=org_a,
            records=[record],
            summary=ImportSummary("mmp", rows=1),
        )
        refused = ImportSummary("mmp", rows=1, errors=[{"row": 1, "errors": ["date: bad"]}])
        maritime_services.incidents_import_public(
            acting_user=people["analyst_a"], organisation=org_a, records=[], summary=refused
        )
    assert told(Event.IMPORT_FINISHED) == ["analyst_a"] and told(Event.IMPORT_FAILED) == ["analyst_a"]
    assert Notification.objects.get(event=Event.IMPORT_FINISHED).detail == {"imported": 1, "refused": 0}


def test_standard_import_outcome_is_told_to_who_uploaded(
    org_a, make_user, django_capture_on_commit_callbacks
):
    from lindung.core.roles import Role
    from lindung.standard import services as standard_services

    manager = make_user(org_a, Role.DATA_MANAGER, username="dm_a")
    with django_capture_on_commit_callbacks(execute=True):
        batch = standard_services.batch_import(
            acting_user=manager, organisation=org_a, file_name="bad.csv", data=b"not,a,standard\n1,2,3\n",
            profile="lindung",
        )  # fmt: skip
    assert batch.status == "rejected"
    notification = Notification.objects.get()
    assert (notification.recipient, notification.event) == (manager, Event.IMPORT_FAILED)
    assert notification.detail == {"status": "rejected"} and notification.reference == f"IMP-{batch.pk}"


# preferences and e-mail -----------------------------------------------------------------------


def test_preferences_off_email_and_digest(send_referral, people, django_capture_on_commit_callbacks):
    provider = people["provider"]
    provider.email = "provider@example.org"
    provider.save()
    services.preferences_save(acting_user=provider, channels={Event.REFERRAL_RECEIVED: Channel.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        send_referral()
    assert not Notification.objects.exists()

    services.preferences_save(acting_user=provider, channels={Event.REFERRAL_RECEIVED: Channel.EMAIL})
    with django_capture_on_commit_callbacks(execute=True):
        referral = send_referral()
    [message] = mail.outbox
    assert message.to == ["provider@example.org"] and referral.reference in message.subject
    assert f"https://lindung.test{referral.get_absolute_url()}" in message.body
    assert not any(word in message.body + message.subject for word in PERSONAL)
    assert Notification.objects.get().emailed_at is not None

    services.preferences_save(acting_user=provider, channels={Event.REFERRAL_RECEIVED: Channel.DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        second, third = send_referral(), send_referral()
    assert len(mail.outbox) == 1  # nothing at once for the digest
    assert tasks.send_daily_digest.enqueue().return_value == 1
    digest = mail.outbox[1]
    assert second.reference in digest.body and third.reference in digest.body
    assert tasks.send_daily_digest.enqueue().return_value == 0  # each notification in one digest only


def test_preferences_refuse_unknown_events_and_channels(people):
    with pytest.raises(ValidationError) as refused:
        services.preferences_save(
            acting_user=people["cw_a"], channels={"nonsense": "inbox", "task_due": "pigeon"}
        )
    assert {k: [e.code for e in v] for k, v in refused.value.error_dict.items()} == {
        "nonsense": ["unknown_code"],
        "task_due": ["unknown_code"],
    }


# periodic scan --------------------------------------------------------------------------------


def test_scan_tells_overdue_referrals_due_tasks_and_readmission_deadlines_once(
    people, person_with_consent, send_referral
):
    now = timezone.now()
    referral = send_referral(sent_at=now - datetime.timedelta(days=5))
    avrr = cases_services.case_open(
        acting_user=people["cw_a"], person=person_with_consent, case_type="avrr", owner=people["cw_a"]
    )
    today = timezone.localdate()
    cases_services.task_create(acting_user=people["cw_a"], case=avrr, title="Book the flight", due_on=today)
    cases_services.task_create(
        acting_user=people["cw_a"],
        case=avrr,
        title="Call the embassy",
        due_on=today - datetime.timedelta(days=2),
    )
    readmission = cases_services.case_open(
        acting_user=people["cw_a"], person=person_with_consent, case_type="readmission", owner=people["cw_a"]
    )
    due = (today + datetime.timedelta(days=3)).isoformat()
    Case.objects.filter(pk=readmission.pk).update(state="request_sent", step_data={"response_deadline": due})

    made = services.scan_due(now=now)
    assert sorted((n.event, n.recipient.username) for n in made) == sorted(
        [
            (Event.REFERRAL_OVERDUE, "cw_a"),
            (Event.REFERRAL_OVERDUE, "provider"),
            (Event.TASK_DUE, "cw_a"),
            (Event.TASK_OVERDUE, "cw_a"),
            (Event.READMISSION_DEADLINE, "cw_a"),
            (Event.READMISSION_DEADLINE, "sup_a"),
        ]
    )
    assert Notification.objects.filter(event=Event.REFERRAL_OVERDUE).first().reference == referral.reference
    assert services.scan_due(now=now) == []  # told once
    # A moved deadline is announced again.
    later = (today + datetime.timedelta(days=5)).isoformat()
    Case.objects.filter(pk=readmission.pk).update(step_data={"response_deadline": later})
    assert {n.event for n in services.scan_due(now=now)} == {Event.READMISSION_DEADLINE}


# watch rules ----------------------------------------------------------------------------------


@pytest.fixture
def rule_of(people, org_a):
    def make(user=None, organisation=None, **fields):
        return services.watch_rule_save(
            acting_user=user or people["analyst_a"], organisation=organisation or org_a, name="Rule", **fields
        )

    return make


BOX = {
    "min_latitude": Decimal("-20"),
    "max_latitude": Decimal("-10"),
    "min_longitude": Decimal("40"),
    "max_longitude": Decimal("50"),
}


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({}, True),
        (BOX, True),
        ({**BOX, "min_latitude": Decimal("-11")}, False),
        ({**BOX, "min_longitude": Decimal("179"), "max_longitude": Decimal("45")}, True),  # across 180°
        ({**BOX, "min_longitude": Decimal("170"), "max_longitude": Decimal("-170")}, False),
        ({"area_name": "mozambique channel"}, True),
        ({"area_name": "Andaman Sea"}, False),
        ({"route": "comoros_mayotte"}, True),
        ({"route": "mozambique_channel"}, False),
        ({"incident_type": "shipwreck"}, True),
        ({"incident_type": "interception"}, False),
        ({"min_dead_and_missing": 5}, True),
        ({"min_dead_and_missing": 6}, False),
        ({"tlp": [TLP.GREEN, TLP.AMBER]}, True),
        ({"tlp": [TLP.AMBER]}, False),
    ],
)
def test_watch_rule_conditions(
    conditions, matches, org_a, rule_of, record_incident, django_capture_on_commit_callbacks
):
    rule_of(**conditions)
    with django_capture_on_commit_callbacks(execute=True):
        incident = record_incident(org_a)
    alerts = Notification.objects.filter(event=Event.WATCH_MATCH)
    assert alerts.count() == (1 if matches else 0)
    if matches:
        assert alerts.get().reference == f"I-{incident.pk}" and alerts.get().channel == Channel.EMAIL


def test_a_watch_rule_alerts_only_about_incidents_its_owner_may_see(
    org_a, org_b, people, rule_of, record_incident, django_capture_on_commit_callbacks
):
    rule_of(user=people["analyst_b"], organisation=org_b)
    rule_of(user=people["analyst_a"], organisation=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        record_incident(org_a, distribution=Distribution.ORGANISATION)
    assert told(Event.WATCH_MATCH) == ["analyst_a"]
    with django_capture_on_commit_callbacks(execute=True):
        record_incident(org_a, distribution=Distribution.CONNECTED, tlp=TLP.CLEAR)
    assert told(Event.WATCH_MATCH) == ["analyst_a", "analyst_a", "analyst_b"]


def test_two_matching_rules_raise_one_alert_and_a_paused_rule_none(
    org_a, rule_of, record_incident, django_capture_on_commit_callbacks
):
    rule_of(area_name="Mozambique Channel")
    rule_of(incident_type="shipwreck")
    paused = rule_of(route="comoros_mayotte")
    services.watch_rule_save(acting_user=paused.owner, rule=paused, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        record_incident(org_a)
    assert Notification.objects.filter(event=Event.WATCH_MATCH).count() == 1


def test_watch_rules_refuse_bad_conditions_with_codes(rule_of):
    with pytest.raises(ValidationError) as refused:
        rule_of(min_latitude=Decimal("-5"), max_latitude=Decimal("-10"), min_longitude=1, max_longitude=2,
                route="teleport", incident_type="alien", tlp=["purple"])  # fmt: skip
    codes = {k: [e.code for e in v] for k, v in refused.value.error_dict.items()}
    assert codes == {
        "max_latitude": ["box_inverted"],
        "route": ["unknown_code"],
        "incident_type": ["unknown_code"],
        "tlp": ["unknown_code"],
    }
    with pytest.raises(ValidationError) as half_box:
        rule_of(min_latitude=Decimal("-5"))
    assert half_box.value.error_dict["max_longitude"][0].code == "box_incomplete"
    assert not WatchRule.objects.exists()


def test_watch_rules_are_their_owners_and_audited(people, org_a, org_b, rule_of):
    with pytest.raises(PermissionDenied):
        rule_of(user=people["cw_a"])  # no incidents to read
    with pytest.raises(PermissionDenied):
        rule_of(user=people["analyst_a"], organisation=org_b)  # not their organisation
    rule = rule_of()
    with pytest.raises(PermissionDenied):
        services.watch_rule_save(acting_user=people["analyst_b"], rule=rule, name="Taken over")
    with pytest.raises(PermissionDenied):
        services.watch_rule_delete(acting_user=people["analyst_b"], rule=rule)
    services.watch_rule_save(acting_user=people["analyst_a"], rule=rule, name="Renamed")
    services.watch_rule_delete(acting_user=people["analyst_a"], rule=rule)
    actions = list(
        AuditEntry.objects.filter(action__startswith="notifications.watch_rule")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "notifications.watch_rule_created",
        "notifications.watch_rule_updated",
        "notifications.watch_rule_deleted",
    ]


def test_mark_read_is_the_recipients_alone(send_referral, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_referral()
    notification = Notification.objects.get()
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(acting_user=people["cw_a"], notification=notification)
    services.notification_mark_read(acting_user=people["provider"], notification=notification)
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert services.notifications_mark_all_read(acting_user=people["provider"]) == 0
