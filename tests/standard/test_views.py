"""Pages: who may use them (allowed and refused roles), uploads, downloads, progress, counts."""

import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lindung.core.roles import Role
from lindung.standard import services, synthetic
from lindung.standard.models import ImportBatch, StandardRecord, ValidationReport

from .helpers import LINDUNG_ROW, lindung_csv

pytestmark = pytest.mark.django_db

EVERY_ROLE_BUT_DATA_MANAGER = [r for r in Role if r != Role.DATA_MANAGER]
STATS_READERS = [
    Role.DATA_MANAGER,
    Role.ADMINISTRATOR,
    Role.SUPERVISOR,
    Role.ANALYST,
    Role.RESEARCHER,
    Role.AUDITOR,
]


def upload(data, name="file.csv", profile="lindung", org=None):
    return {
        "file": SimpleUploadedFile(name, data),
        "profile": profile,
        "version": "1.0",
        "organisation": org.pk,
    }


@pytest.mark.parametrize("role", list(Role))
def test_dictionary_pages_are_open_to_every_signed_in_role(client_for, org_a, role):
    client = client_for(org_a, role)
    for url in [
        reverse("standard:dictionary"),
        reverse("standard:dictionary_version", args=["0.9"]),
        reverse("standard:code_list", args=["1.0", "vulnerability_category"]),
        reverse("standard:changelog"),
        reverse("standard:compare") + "?old=0.9&new=1.0",
    ]:
        assert client.get(url).status_code == 200, url


def test_dictionary_refuses_anonymous_and_unknown_versions(client, client_for, org_a):
    assert client.get(reverse("standard:dictionary")).status_code == 302
    signed_in = client_for(org_a, Role.CASEWORKER)
    assert signed_in.get(reverse("standard:index"))["Location"] == reverse("standard:dictionary")
    assert signed_in.get(reverse("standard:dictionary_version", args=["9.9"])).status_code == 404
    assert signed_in.get(reverse("standard:code_list", args=["1.0", "nope"])).status_code == 404
    assert signed_in.get(reverse("standard:export", args=["1.0", "docx"])).status_code == 404


def test_dictionary_shows_draft_label_and_variables(client_for, org_a):
    page = (
        client_for(org_a, Role.CASEWORKER)
        .get(reverse("standard:dictionary_version", args=["0.9"]))
        .content.decode()
    )
    assert "Draft" in page and "has_disability" in page
    current = client_for(org_a, Role.CASEWORKER).get(reverse("standard:dictionary")).content.decode()
    assert "wg_communication" in current and "#affected+sex" in current


def test_compare_page_shows_the_differences(client_for, org_a):
    client = client_for(org_a, Role.RESEARCHER)
    page = client.get(reverse("standard:compare"), {"old": "0.9", "new": "1.0"}).content.decode()
    assert "has_disability" in page and "<ins>" in page
    bad = client.get(reverse("standard:compare"), {"old": "0.9", "new": "5.0"})
    assert bad.status_code == 200 and "error-summary" in bad.content.decode()


@pytest.mark.parametrize(
    "fmt,magic",
    [
        ("json-schema", b"{"),
        ("table-schema", b"{"),
        ("data-package", b"{"),
        ("xlsform", b"PK"),
        ("xlsx", b"PK"),
    ],
)
def test_export_downloads(client_for, org_a, fmt, magic):
    response = client_for(org_a, Role.CASEWORKER).get(reverse("standard:export", args=["1.0", fmt]))
    assert response.status_code == 200 and response.content.startswith(magic)
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("role", EVERY_ROLE_BUT_DATA_MANAGER)
def test_validate_and_import_pages_refuse_other_roles(client_for, org_a, role):
    client = client_for(org_a, role)
    assert client.get(reverse("standard:validate")).status_code == 403
    assert client.get(reverse("standard:import_list")).status_code == 403
    assert (
        client.post(reverse("standard:import_list"), upload(lindung_csv(LINDUNG_ROW), org=org_a)).status_code
        == 403
    )
    assert not ImportBatch.objects.exists()


def test_validate_upload_shows_errors_and_csv(client_for, org_a):
    client = client_for(org_a, Role.DATA_MANAGER)
    assert client.get(reverse("standard:validate")).status_code == 200
    data = lindung_csv(LINDUNG_ROW, "2022,hotline,F,18-20,adult,ZZZ")
    response = client.post(reverse("standard:validate"), upload(data, org=org_a))
    report = ValidationReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "ZZZ" in page and "value.not_in_list" in page
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("standard:report_errors", args=[report.pk])).content.decode())
        )
    )
    assert rows == [
        {
            "row": "3",
            "column": "citizenship",
            "value": "ZZZ",
            "rule": "value.not_in_list",
            "message": "citizenship holds a code that is not in code list country.",
        }
    ]


def test_validate_refuses_a_file_over_the_limit(client_for, org_a, settings):
    settings.LINDUNG_STANDARD_MAX_UPLOAD_MB = 1
    client = client_for(org_a, Role.DATA_MANAGER)
    big = lindung_csv(*([LINDUNG_ROW] * 80_000))
    assert len(big) > 1024 * 1024
    response = client.post(reverse("standard:validate"), upload(big, org=org_a))
    assert response.status_code == 200 and "files up to 1 MB" in response.content.decode()
    assert not ValidationReport.objects.exists()


def test_upload_for_an_organisation_the_user_does_not_manage_is_refused(client_for, org_a, org_b):
    client = client_for(org_a, Role.DATA_MANAGER)
    response = client.post(reverse("standard:import_list"), upload(lindung_csv(LINDUNG_ROW), org=org_b))
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_reports_and_batches_of_another_organisation_are_not_found(client_for, org_a, org_b, make_user):
    other = make_user(org_b, Role.DATA_MANAGER)
    report = services.report_create(
        acting_user=other,
        organisation=org_b,
        file_name="b.csv",
        data=lindung_csv(LINDUNG_ROW),
        profile="lindung",
    )
    batch = services.batch_import(
        acting_user=other,
        organisation=org_b,
        file_name="b.csv",
        data=lindung_csv(LINDUNG_ROW),
        profile="lindung",
    )
    client = client_for(org_a, Role.DATA_MANAGER)
    for url in [
        report.get_absolute_url(),
        reverse("standard:report_errors", args=[report.pk]),
        batch.get_absolute_url(),
        reverse("standard:import_progress", args=[batch.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_import_upload_inline_then_again(client_for, org_a):
    client = client_for(org_a, Role.DATA_MANAGER)
    data = synthetic.ctdc_csv(25, seed=2)
    response = client.post(
        reverse("standard:import_list"), upload(data, profile="ctdc", org=org_a), follow=True
    )
    assert "Imported 25 records" in response.content.decode()
    client.post(reverse("standard:import_list"), upload(data, profile="ctdc", org=org_a))
    assert StandardRecord.objects.count() == 25
    latest = ImportBatch.objects.first()
    assert (latest.imported, latest.skipped) == (0, 25)
    progress = client.get(reverse("standard:import_progress", args=[latest.pk])).json()
    assert progress["finished"] and progress["percent"] == 100


def test_import_page_offers_the_valid_rows_only(client_for, org_a):
    client = client_for(org_a, Role.DATA_MANAGER)
    data = lindung_csv(LINDUNG_ROW, "2022,hotline,Q,18-20,adult,PHL", LINDUNG_ROW)
    refused = client.post(reverse("standard:import_list"), upload(data, org=org_a), follow=True)
    assert StandardRecord.objects.count() == 0
    # The refusal says where and why on the page.
    assert "value.not_in_list" in refused.content.decode()
    response = client.post(
        reverse("standard:import_list"), {**upload(data, org=org_a), "partial": "on"}, follow=True
    )
    batch = ImportBatch.objects.first()
    assert (batch.status, batch.partial, batch.imported, batch.skipped) == ("done", True, 2, 1)
    assert StandardRecord.objects.count() == 2
    page = response.content.decode()
    assert "value.not_in_list" in page and "Imported 2 records" in page


@pytest.mark.django_db(transaction=True)
def test_large_import_runs_in_the_background(client_for, org_a, settings):
    settings.LINDUNG_STANDARD_INLINE_IMPORT_BYTES = 0
    client = client_for(org_a, Role.DATA_MANAGER)
    response = client.post(
        reverse("standard:import_list"), upload(synthetic.ctdc_csv(200), profile="ctdc", org=org_a)
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == batch.get_absolute_url()
    deadline = time.time() + 60
    progress = {}
    while time.time() < deadline:
        progress = client.get(reverse("standard:import_progress", args=[batch.pk])).json()
        if progress["finished"]:
            break
        time.sleep(0.2)
    assert progress["finished"] and progress["imported"] == 200
    assert StandardRecord.objects.count() == 200


@pytest.mark.parametrize("role", STATS_READERS)
def test_counts_page_for_statistics_readers(client_for, org_a, make_user, role):
    services.batch_import(
        acting_user=make_user(org_a, Role.DATA_MANAGER),
        organisation=org_a,
        file_name="x.csv",
        data=synthetic.ctdc_csv(30),
        profile="ctdc",
    )
    client = client_for(org_a, role)
    page = client.get(reverse("standard:counts")).content.decode()
    assert "30 de-identified records" in page and 'id="counts-overall"' in page
    download = client.get(reverse("standard:records_ctdc"))
    assert download.status_code == 200 and download.content.count(b"\n") == 31


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SERVICE_PROVIDER, Role.ENGAGEMENT_COORDINATOR])
def test_counts_page_refuses_other_roles(client_for, org_a, role):
    client = client_for(org_a, role)
    assert client.get(reverse("standard:counts")).status_code == 403
    assert client.get(reverse("standard:records_ctdc")).status_code == 403


def test_counts_do_not_include_other_organisations(client_for, org_a, org_b, make_user):
    services.batch_import(
        acting_user=make_user(org_b, Role.DATA_MANAGER),
        organisation=org_b,
        file_name="x.csv",
        data=synthetic.ctdc_csv(30),
        profile="ctdc",
    )
    page = client_for(org_a, Role.DATA_MANAGER).get(reverse("standard:counts")).content.decode()
    assert "0 de-identified records" in page


def test_a_failed_inline_import_shows_its_status_not_a_server_error(client_for, org_a, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_insert", explode)
    client = client_for(org_a, Role.DATA_MANAGER)
    response = client.post(
        reverse("standard:import_list"), upload(lindung_csv(LINDUNG_ROW), org=org_a), follow=True
    )
    assert response.status_code == 200 and "Failed" in response.content.decode()
    assert StandardRecord.objects.count() == 0
