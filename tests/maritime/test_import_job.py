"""A large MMP import runs as a job: the page and the API hand it to a worker, its page shows the
progress stored in the database and then the import's summary; bad files are refused with codes
before anything is queued; a job that failed is retried; a real worker process finishes a job
submitted through the web whatever happened to the web process meanwhile."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lindung.core.jobs import JobFailed
from lindung.core.models import AuditEntry, Job, Membership
from lindung.core.roles import Role
from lindung.maritime import services, tasks
from lindung.maritime.models import Incident
from tests import processes
from tests.roles import assert_roles, others

DATA = Path(__file__).parent / "data"
MMP = (DATA / "mmp_2021.csv").read_bytes()
DATABASE_BACKEND = processes.DATABASE_BACKEND


def _with_bad_row() -> bytes:
    """Ten good rows (three with swapped coordinates, fixed) and one with an unreadable date."""
    text = MMP.decode()
    bad = text.splitlines()[1].replace("70001", "70011").replace('"January 6, 2021"', "sometime")
    return (text + bad + "\n").encode()


@pytest.fixture
def to_the_worker(settings):
    settings.LINDUNG_MARITIME_INLINE_IMPORT_BYTES = 0  # every file goes to a worker


def _post(client, content=MMP, name="mmp.csv", **extra):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("maritime:import"), {"file": upload, **extra})


@pytest.mark.django_db
def test_a_large_file_goes_to_a_job_whose_page_shows_the_summary(client_for, org_a, to_the_worker):
    client = client_for(org_a, Role.ANALYST)
    response = _post(client, _with_bad_row(), organisation=org_a.pk, partial="on")
    job = Job.objects.get(kind="maritime.import")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.created_by, job.organisation) == (Job.Status.DONE, client.user, org_a)
    assert job.payload is None  # the upload is dropped once imported
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-summary"' in page and 'id="import-fixes"' in page and 'id="import-errors"' in page
    assert "date_invalid" in page and "coordinates_swapped" in page
    assert (job.result["rows"], job.result["imported"], job.result["refused"]) == (11, 10, 1)
    assert len(job.result["fixes"]) == 3 and Incident.objects.count() == 10


@pytest.mark.django_db
def test_a_small_file_is_still_imported_in_the_request(client_for, org_a):
    response = _post(client_for(org_a, Role.ANALYST), organisation=org_a.pk)
    assert response.status_code == 200 and 'id="import-summary"' in response.content.decode()
    assert not Job.objects.exists() and Incident.objects.count() == 10


@pytest.mark.django_db
def test_the_api_answers_202_with_the_job_to_poll(client_for, org_a, to_the_worker):
    client = client_for(org_a, Role.ANALYST)
    upload = SimpleUploadedFile("mmp.csv", MMP, content_type="text/csv")
    response = client.post("/api/v1/maritime/imports/", {"file": upload, "format": "mmp"})
    assert response.status_code == 202
    body = response.json()
    assert body["url"] == f"/api/v1/jobs/{body['job']}/"
    polled = client.get(body["url"]).json()
    assert (polled["status"], polled["result"]["rows"], polled["result"]["created"]) == ("done", 10, 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("mmp.csv", b"", "empty"),
        ("mmp.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "file.type"),
        ("mmp.csv", b"\x00\x01binary", "file.type"),
    ],
)
def test_bad_files_are_refused_with_a_code_before_anything_is_queued(
    client_for, org_a, to_the_worker, name, content, code
):
    client = client_for(org_a, Role.ANALYST)
    response = _post(client, content, name, organisation=org_a.pk)
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == [code]
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    api = client.post("/api/v1/maritime/imports/", {"file": upload, "format": "mmp"})
    assert api.status_code == 400 and api.json()["codes"]["file"] == [code]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_import_records_its_progress_row_by_row(org_a, make_user):
    """What the bar shows comes from these reports (written by core.jobs.reporter)."""
    heard = []
    services.incidents_import_file(
        acting_user=make_user(org_a, Role.ANALYST),
        organisation=org_a,
        data=MMP,
        fmt="mmp",
        progress=lambda phase, done, total: heard.append((phase, done, total)),
    )
    assert heard[0] == ("import", 0, 10) and heard[-1] == ("import", 10, 10)
    assert ("import", 5, 10) in heard


@pytest.mark.django_db
def test_the_job_page_shows_the_progress_stored_for_the_import(client_for, org_a, settings, to_the_worker):
    settings.TASKS = DATABASE_BACKEND  # queued, no worker: the row is all there is
    client = client_for(org_a, Role.ANALYST)
    job = Job.objects.get(pk=_post(client, organisation=org_a.pk)["Location"].split("/")[-2])
    assert job.status == Job.Status.QUEUED and bytes(job.payload) == MMP
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, phase="import", done=3, total=10)
    page = Client()  # another web process: only the database in common
    page.force_login(client.user)
    html = page.get(job.get_absolute_url()).content.decode()
    assert '<progress id="job-bar" max="100" value="30">' in html and 'id="import-summary"' not in html


@pytest.mark.django_db
def test_roles_for_the_import_job(client_for, make_user, org_a, settings, to_the_worker):
    settings.TASKS = DATABASE_BACKEND
    upload = SimpleUploadedFile("mmp.csv", MMP, content_type="text/csv")
    url = reverse("maritime:import")
    assert_roles(
        client_for, org_a, url, method="post", data={"file": upload, "organisation": org_a.pk},
        allowed=[], refused=others(Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR),
    )  # fmt: skip
    assert not Job.objects.exists()
    creator = make_user(org_a, Role.ANALYST)
    client = Client()
    client.force_login(creator)
    job_url = _post(client, organisation=org_a.pk)["Location"]
    assert_roles(client_for, org_a, job_url, allowed=[Role.ADMINISTRATOR], refused=others(Role.ADMINISTRATOR))


@pytest.mark.django_db
def test_an_import_refused_at_run_time_is_retried_once_the_right_is_given_back(
    client_for, make_user, org_a, settings, to_the_worker
):
    """The analyst's role is revoked while the file waits (bad input for the job); the job fails
    with a code, keeps the file, and an administrator retries it once the role is back."""
    settings.TASKS = DATABASE_BACKEND
    analyst = make_user(org_a, Role.ANALYST)
    client = Client()
    client.force_login(analyst)
    job = Job.objects.get(pk=_post(client, organisation=org_a.pk)["Location"].split("/")[-2])
    Membership.objects.filter(user=analyst).delete()
    with pytest.raises(JobFailed):  # what a worker does with the queued task (it logs the failure)
        tasks.import_file.call(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error_code) == (Job.Status.FAILED, "import_not_allowed")
    assert job.payload is not None and not Incident.objects.exists()

    Membership.objects.create(user=analyst, organisation=org_a, role=Role.ANALYST)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    administrator = client_for(org_a, Role.ADMINISTRATOR)
    assert 'id="job-retry"' in administrator.get(job.get_absolute_url()).content.decode()
    assert administrator.post(reverse("core:job_retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["created"]) == (Job.Status.DONE, 2, 10)
    assert Incident.objects.count() == 10 and job.payload is None
    assert AuditEntry.objects.filter(action="core.job_retried", actor_id=administrator.user.pk).count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_job_submitted_through_the_web_is_finished_by_a_worker_process(
    client_for, org_a, settings, tmp_path, to_the_worker
):
    """The web side only writes rows: the job waits in the database with its file, a separate
    worker process (started after the upload, as after a restart) imports it, and another web
    client then reads the result."""
    settings.TASKS = DATABASE_BACKEND
    client = client_for(org_a, Role.ANALYST)
    job_url = _post(client, _with_bad_row(), organisation=org_a.pk, partial="on")["Location"]
    job = Job.objects.get(pk=job_url.split("/")[-2])
    assert job.status == Job.Status.QUEUED and not Incident.objects.exists()
    del client  # the web process that took the upload is gone

    log = tmp_path / "worker.log"
    worker = processes.worker(log)
    try:
        processes.wait_for(
            lambda: Job.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(), 120, "the job", log
        )
    finally:
        processes.stop(worker)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["imported"], job.result["refused"]) == ("done", 1, 10, 1)
    assert Incident.objects.count() == 10
    other = Client()
    other.force_login(job.created_by)
    html = other.get(job_url).content.decode()
    assert 'value="100"' in html and 'id="import-summary"' in html and "date_invalid" in html
