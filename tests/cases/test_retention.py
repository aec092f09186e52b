"""Retention per case type, the scheduled job, subject access export and erasure."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from lindung.cases import services
from lindung.cases.models import Case, Person, PersonIdentifier
from lindung.cases.tasks import retention
from lindung.core import jobs
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Job

TODAY = datetime.date.today()
PAST = TODAY - datetime.timedelta(days=1)


def _expire(case, **extra):
    Case.objects.filter(pk=case.pk).update(state="closed", closed_on=PAST, retain_until=PAST, **extra)


def test_retention_job_deletes_and_anonymises_expired_cases(make_case, caseworker):
    deleted = make_case("protection", given_name="Gone")
    anonymised = make_case("avrr", given_name="Counted")
    services.note_add(acting_user=caseworker, case=anonymised, text="Free text that must go.")
    kept_open = make_case("avrr", given_name="Current")
    held = make_case("protection", given_name="Held")
    for case in (deleted, anonymised):
        _expire(case)
    _expire(held, legal_hold=True)
    out = io.StringIO()
    call_command("cases", "retention", stdout=out)
    assert "anonymised 1 case(s), deleted 1 case(s)" in out.getvalue()
    assert not Case.objects.filter(pk=deleted.pk).exists()
    assert not Person.objects.filter(pk=deleted.person_id).exists()
    kept = Case.objects.get(pk=anonymised.pk)
    assert kept.anonymised_at and kept.case_type == "avrr" and not kept.notes.exists()
    person = kept.person
    assert person.given_name is None and person.anonymised_at and person.age_group == "30-38"
    assert not PersonIdentifier.objects.filter(person=person).exists()
    assert Case.objects.filter(pk__in=[kept_open.pk, held.pk]).count() == 2
    assert Person.objects.get(pk=held.person_id).given_name == "Held"
    assert AuditEntry.objects.filter(action=AuditAction.RETENTION_DELETED, object_id=str(deleted.pk)).exists()
    assert AuditEntry.objects.filter(action=AuditAction.RETENTION_RUN).count() == 1
    call_command("cases", "retention", stdout=out)
    assert Case.objects.count() == 3


def test_retention_dry_run_changes_nothing(make_case):
    case = make_case("protection")
    _expire(case)
    out = io.StringIO()
    call_command("cases", "retention", "--dry-run", stdout=out)
    assert "Would have" in out.getvalue() and Case.objects.filter(pk=case.pk).exists()


def test_retention_period_can_be_overridden_per_type(settings):
    settings.LINDUNG_CASES_RETENTION = {"avrr": {"days": 30, "action": "delete"}}
    assert services.retention_for("avrr") == services.Retention(30, "delete")
    assert services.retention_for("protection").action == "delete"


def test_subject_access_export_holds_everything(make_case, caseworker):
    case = make_case("avrr", given_name="Exported", documents=[{"type": "passport", "number": "EX-1"}])
    services.note_add(acting_user=caseworker, case=case, text="A note.")
    data = services.person_export(acting_user=caseworker, person=case.person)
    assert data["person"]["given_name"] == "Exported" and data["person"]["documents"][0]["number"] == "EX-1"
    assert data["cases"][0]["notes"][0]["text"] == "A note."
    assert AuditEntry.objects.filter(
        action=AuditAction.PERSONAL_DATA_EXPORTED, object_id=str(case.person_id)
    ).exists()


def test_erasure_on_request_unless_legal_hold(make_case, caseworker, supervisor):
    case = make_case("protection")
    person = case.person
    person_pk = person.pk
    with pytest.raises(ValidationError):
        services.person_erase(acting_user=supervisor, person=person, confirm_reference="wrong")
    services.case_set_legal_hold(acting_user=supervisor, case=case, hold=True, expected_version=case.version)
    with pytest.raises(ValidationError) as refused:
        services.person_erase(acting_user=supervisor, person=person, confirm_reference=person.reference)
    assert "legal hold" in refused.value.message_dict["confirm_reference"][0]
    Case.objects.filter(pk=case.pk).update(legal_hold=False)
    services.person_erase(acting_user=supervisor, person=person, confirm_reference=person.reference)
    assert not Person.objects.filter(pk=person_pk).exists() and not Case.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_ERASED, object_id=str(person_pk)).exists()


def test_the_scheduled_retention_job_deletes_what_the_command_would(make_case):
    case = make_case("protection")
    _expire(case)
    job = jobs.submit(retention, kind="cases.retention")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["deleted"] == 1
    assert not Case.objects.filter(pk=case.pk).exists()
