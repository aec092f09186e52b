"""A release's files as one ZIP, written by a worker: who may ask, what the ZIP holds, its steps,
and that only the person who asked downloads it."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from lindung.core.models import Job
from lindung.core.roles import Role
from lindung.stats import services
from lindung.stats.tables import protected_table
from tests.roles import assert_roles
from tests.stats.test_views import REFUSED, VIEWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(make_user, records_a):
    manager = make_user(records_a, Role.DATA_MANAGER)
    # The table of the stats view tests' query (year by form of exploitation), frozen directly: the
    # freeze page's own checks (digest of the table on screen, confirmation) are tested there.
    table = protected_table(manager, "presumed_victims", "year,form_of_exploitation")
    return services.release_create(acting_user=manager, title="One table", tables=[table])


def _bundle_url(release):
    return reverse("stats:release_bundle", args=[release.pk])


def test_the_bundle_holds_every_table_in_every_format_with_a_readme(make_user, release):
    client = Client()
    client.force_login(make_user(release.organisation, Role.RESEARCHER))
    assert 'id="release-bundle"' in client.get(release.get_absolute_url()).content.decode()
    response = client.post(_bundle_url(release))
    job = Job.objects.get(kind="stats.release_bundle")
    assert response["Location"] == job.get_absolute_url()
    assert (job.status, job.result["tables"], job.result["files"]) == (Job.Status.DONE, 1, 5)
    assert "5 files: 1 table(s)" in client.get(job.get_absolute_url()).content.decode()
    download = client.get(reverse("core:job_download", args=[job.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="{release.identifier}.zip"'
    bundle = zipfile.ZipFile(io.BytesIO(download.content))
    names = sorted(bundle.namelist())
    assert names[-1] == "README.txt" and len(names) == 5
    assert {n.rsplit(".", 1)[-1] for n in names[:-1]} == {"csv", "xlsx"}
    assert release.citation() in bundle.read("README.txt").decode()
    csv_name = next(n for n in names if n.endswith(".csv") and ".sdmx." not in n and ".hxl." not in n)
    assert bundle.read(csv_name) == client.get(f"{release.get_absolute_url()}tables/0/csv/").content


def test_the_bundle_job_reports_a_step_per_table(make_user, release, monkeypatch):
    heard = []
    monkeypatch.setattr("lindung.stats.tasks.reporter", lambda job: lambda *step: heard.append(step))
    client = Client()
    client.force_login(make_user(release.organisation, Role.DATA_MANAGER))
    client.post(_bundle_url(release))
    assert heard == [("write", 0, 1), ("write", 1, 1)]


def test_who_may_ask_for_the_bundle(client_for, release, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    url = _bundle_url(release)
    assert_roles(client_for, release.organisation, url, method="post", allowed=VIEWERS, refused=REFUSED)
    assert Job.objects.filter(kind="stats.release_bundle", status=Job.Status.QUEUED).count() == len(VIEWERS)
    assert client_for(release.organisation, Role.DATA_MANAGER).get(url).status_code == 405


def test_another_organisation_and_a_missing_release_are_not_found(client_for, release, org_b):
    assert client_for(org_b, Role.DATA_MANAGER).post(_bundle_url(release)).status_code == 404
    missing = reverse("stats:release_bundle", args=[release.pk + 1000])
    assert client_for(release.organisation, Role.DATA_MANAGER).post(missing).status_code == 404
    assert not Job.objects.exists()


def test_only_the_one_who_asked_downloads_it(client_for, make_user, release):
    client = Client()
    client.force_login(make_user(release.organisation, Role.DATA_MANAGER))
    job_url = client.post(_bundle_url(release))["Location"]
    other = client_for(release.organisation, Role.ADMINISTRATOR).get(job_url + "download/")
    assert other.status_code == 403 and other.context["code"] == "job_output_not_yours"
    assert client_for(release.organisation, Role.DATA_MANAGER).get(job_url + "download/").status_code == 404
