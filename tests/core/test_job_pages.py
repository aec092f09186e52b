"""A job's page, progress, download and retry: who may do what, and the codes of refusals. The
immediate backend runs a job at once; the database backend leaves it queued (no worker here)."""

import pytest
from django.urls import reverse

from lindung.core import jobs, services
from lindung.core.models import AuditEntry, Job, Organisation
from lindung.core.roles import Role
from lindung.core.tasks import probe
from tests.roles import assert_roles, others

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@jobs.job_task(retryable=True)
def needs_a_short_name(job):
    """Fails while its organisation has no short name (bad input), succeeds once it has one."""
    organisation = Organisation.objects.get(pk=job.params["org"])
    if not organisation.short_name:
        raise jobs.JobFailed("short_name_missing")
    jobs.store_output(job, organisation.short_name.encode(), name="name.txt", content_type="text/plain")
    return {"short_name": organisation.short_name}


@jobs.job_task
def never_twice(job):
    raise jobs.JobFailed("broken")


def _job(task, creator, organisation, **params):
    return jobs.submit(task, kind="test.job", organisation=organisation, created_by=creator, params=params)


def test_the_page_is_for_its_creator_and_administrators(client_for, make_user, org_a, settings):
    settings.TASKS = DATABASE_BACKEND  # stays queued: nothing runs
    job = _job(probe, make_user(org_a, Role.ANALYST), org_a)
    for url in (job.get_absolute_url(), reverse("core:job_progress", args=[job.pk])):
        assert_roles(client_for, org_a, url, allowed=[Role.ADMINISTRATOR], refused=others(Role.ADMINISTRATOR))


def test_an_administrator_of_another_organisation_does_not_see_it(client_for, make_user, org_a, org_b):
    job = _job(probe, make_user(org_a, Role.ANALYST), org_a)
    assert client_for(org_b, Role.ADMINISTRATOR).get(job.get_absolute_url()).status_code == 404


def test_the_page_shows_the_progress_stored_in_the_database(client, make_user, org_a, settings):
    """Whichever web process answers reads the same row: the stored progress is what it shows."""
    settings.TASKS = DATABASE_BACKEND
    creator = make_user(org_a, Role.ANALYST)
    job = _job(probe, creator, org_a)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, phase="import", done=40, total=160)
    client.force_login(creator)
    page = client.get(job.get_absolute_url()).content.decode()
    assert '<progress id="job-bar" max="100" value="25">' in page
    assert 'data-status="running"' in page and 'data-finished="0"' in page
    polled = client.get(reverse("core:job_progress", args=[job.pk])).json()
    assert (polled["status"], polled["percent"], polled["done"], polled["total"]) == ("running", 25, 40, 160)


def test_only_the_creator_downloads_the_file(client, client_for, make_user, org_a):
    creator = make_user(org_a, Role.ANALYST)
    Organisation.objects.filter(pk=org_a.pk).update(short_name="ORGA")
    job = _job(needs_a_short_name, creator, org_a, org=org_a.pk)
    url = reverse("core:job_download", args=[job.pk])
    client.force_login(creator)
    assert 'id="job-download"' in client.get(job.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response.content == b"ORGA"
    assert response["Content-Disposition"] == 'attachment; filename="name.txt"'
    administrator = client_for(org_a, Role.ADMINISTRATOR)
    assert 'id="job-download"' not in administrator.get(job.get_absolute_url()).content.decode()
    refused = administrator.get(url)
    assert refused.status_code == 403 and refused.context["code"] == "job_output_not_yours"
    assert client_for(org_a, Role.ANALYST).get(url).status_code == 404  # not even the page


def test_a_job_without_a_file_has_nothing_to_download(client, make_user, org_a):
    creator = make_user(org_a, Role.ANALYST)
    job = _job(probe, creator, org_a)
    client.force_login(creator)
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response.status_code == 404 and response.context["code"] == "job_output_missing"


def test_the_output_is_encrypted_at_rest(make_user, org_a):
    from django.db import connection

    Organisation.objects.filter(pk=org_a.pk).update(short_name="SECRETNAME")
    job = _job(needs_a_short_name, make_user(org_a, Role.ANALYST), org_a, org=org_a.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT output FROM core_job WHERE id = %s", [job.pk.hex])
        raw = cursor.fetchone()[0]
    assert raw and "SECRETNAME" not in str(raw)
    job.refresh_from_db()
    assert bytes(job.output) == b"SECRETNAME"


def test_a_job_that_failed_on_bad_input_is_retried_once_the_input_is_fixed(client, make_user, org_a):
    creator = make_user(org_a, Role.ANALYST)
    job = _job(needs_a_short_name, creator, org_a, org=org_a.pk)
    job.refresh_from_db()
    assert (job.status, job.error_code) == (Job.Status.FAILED, "short_name_missing")
    client.force_login(creator)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="job-error-code">short_name_missing<' in page and 'id="job-retry"' in page

    Organisation.objects.filter(pk=org_a.pk).update(short_name="FIXED")
    response = client.post(reverse("core:job_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error_code, job.attempts, job.result) == (
        Job.Status.DONE,
        "",
        2,
        {"short_name": "FIXED"},
    )
    entry = AuditEntry.objects.get(action="core.job_retried")
    assert entry.object_id == str(job.pk) and entry.actor_id == creator.pk
    assert entry.detail == {"kind": "test.job", "error_code": "short_name_missing", "attempts": 1}


def test_retry_is_for_the_creator_or_an_administrator(client_for, make_user, org_a, settings):
    job = _job(needs_a_short_name, make_user(org_a, Role.ANALYST), org_a, org=org_a.pk)
    url = reverse("core:job_retry", args=[job.pk])
    # Others do not see the job at all; an administrator may retry (it fails again: still no name).
    assert_roles(client_for, org_a, url, method="post", allowed=[Role.ADMINISTRATOR], refused=[Role.ANALYST])
    assert client_for(org_a, Role.ADMINISTRATOR).get(url).status_code == 405


def test_retry_refusals_carry_codes(client, make_user, org_a):
    creator = make_user(org_a, Role.ANALYST)
    client.force_login(creator)
    not_retryable = _job(never_twice, creator, org_a)
    response = client.post(reverse("core:job_retry", args=[not_retryable.pk]))
    assert response.status_code == 409 and response.context["code"] == "job_not_retryable"
    assert 'id="job-retry"' not in client.get(not_retryable.get_absolute_url()).content.decode()
    Organisation.objects.filter(pk=org_a.pk).update(short_name="OK")
    done = _job(needs_a_short_name, creator, org_a, org=org_a.pk)
    response = client.post(reverse("core:job_retry", args=[done.pk]))
    assert response.status_code == 409 and response.context["code"] == "job_not_failed"
    assert not AuditEntry.objects.filter(action="core.job_retried").exists()


def test_the_retry_service_refuses_someone_else(make_user, org_a):
    from django.core.exceptions import PermissionDenied

    job = _job(needs_a_short_name, make_user(org_a, Role.ANALYST), org_a, org=org_a.pk)
    with pytest.raises(PermissionDenied):
        services.job_retry(acting_user=make_user(org_a, Role.ANALYST), job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_the_api_gives_a_job_to_its_creator(client, make_user, org_a):
    creator = make_user(org_a, Role.ANALYST)
    Organisation.objects.filter(pk=org_a.pk).update(short_name="API")
    job = _job(needs_a_short_name, creator, org_a, org=org_a.pk)
    client.force_login(creator)
    body = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert (body["status"], body["percent"], body["result"]) == ("done", 100, {"short_name": "API"})
    assert body["download"] == reverse("core:job_download", args=[job.pk])
    client.force_login(make_user(org_a, Role.ANALYST))
    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
