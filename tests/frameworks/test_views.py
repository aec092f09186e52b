"""Pages: which roles may open each, bad input in forms, and the exports' formats."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lindung.core.models import Job
from lindung.core.roles import ROLE_CAPABILITIES, Role
from lindung.frameworks.models import Instrument, PartyStatus, Provision, Recommendation
from tests.roles import assert_roles, others

pytestmark = pytest.mark.django_db

READERS = [Role.RESEARCHER, Role.CASEWORKER, Role.ADMINISTRATOR, Role.ANALYST]  # hold VIEW_FRAMEWORKS
NON_READERS = [Role.AUDITOR]
EDITORS = [Role.RESEARCHER]  # hold MANAGE_FRAMEWORKS
NON_EDITORS = [Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR]


@pytest.fixture
def law(make_instrument, researcher):
    from lindung.frameworks import services

    instrument = make_instrument(title_en="Test Law on Alternatives")
    services.provision_save(
        acting_user=researcher,
        instrument=instrument,
        reference="Art. 4",
        text="Children are placed in community care, not detention.",
        themes=["atd"],
    )
    return instrument


def read_urls(law):
    provision = law.provisions.get()
    return [
        reverse("frameworks:instrument_list"),
        reverse("frameworks:instrument_list") + "?q=community+care&country=IDN",
        reverse("frameworks:instrument_detail", args=[law.pk]),
        reverse("frameworks:matrix") + "?countries=IDN+MYS",
        reverse("frameworks:compare") + "?theme=atd&country_1=IDN&country_2=THA",
        reverse("frameworks:matrix_export", args=["csv"]) + "?countries=IDN",
        reverse("frameworks:recommendation_list"),
        f"{provision.instrument.get_absolute_url()}",
    ]


def edit_urls(law):
    return [
        reverse("frameworks:instrument_create"),
        reverse("frameworks:instrument_import"),
        reverse("frameworks:instrument_edit", args=[law.pk]),
        reverse("frameworks:provision_create", args=[law.pk]),
        reverse("frameworks:provision_edit", args=[law.provisions.get().pk]),
        reverse("frameworks:recommendation_create"),
    ]


@pytest.mark.parametrize("role", READERS)
def test_readers_may_read(client_for, org_b, law, role):
    client = client_for(org_b, role)  # another organisation than the one that entered it
    for url in read_urls(law):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", NON_READERS)
def test_others_may_not_read(client_for, org_a, law, role):
    client = client_for(org_a, role)
    for url in read_urls(law):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(client, law):
    for url in read_urls(law) + edit_urls(law):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"], url


@pytest.mark.parametrize("role", EDITORS)
def test_editors_may_open_edit_pages(client_for, org_b, law, role):
    client = client_for(org_b, role)
    for url in edit_urls(law):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", NON_EDITORS)
def test_non_editors_may_not_edit(client_for, org_a, law, role):
    client = client_for(org_a, role)
    # Readers are refused (403); those who may not even read do not learn the object exists (404).
    expected = 403 if role in READERS + [Role.SUPERVISOR] else 404
    for url in edit_urls(law):
        assert client.get(url).status_code in (403, expected), url
    response = client.post(reverse("frameworks:instrument_verify", args=[law.pk]))
    assert response.status_code == expected
    law.refresh_from_db()
    assert law.verification != "verified"


def test_unknown_object_is_404(client_for, org_a):
    client = client_for(org_a, Role.RESEARCHER)
    assert client.get(reverse("frameworks:instrument_detail", args=[999999])).status_code == 404
    assert client.get(reverse("frameworks:provision_edit", args=[999999])).status_code == 404


def test_edit_buttons_only_for_editors(client_for, org_a, law):
    reader = client_for(org_a, Role.CASEWORKER)
    assert b"Add a provision" not in reader.get(law.get_absolute_url()).content
    editor = client_for(org_a, Role.RESEARCHER)
    assert b"Add a provision" in editor.get(law.get_absolute_url()).content


# forms ---------------------------------------------------------------------------------------------


def _instrument_post(**overrides):
    data = {
        "title_en": "Form Act",
        "title_original": "",
        "instrument_type": "national_law",
        "country": "MYS",
        "region": "",
        "parties": "",
        "status": "in_force",
        "adopted_on": "2020-01-01",
        "in_force_on": "",
        "verification": "cited",
        "citation": "Act 1",
    }
    data.update(overrides)
    return data


def test_create_instrument_through_the_form(client_for, org_a):
    client = client_for(org_a, Role.RESEARCHER)
    pdf = SimpleUploadedFile("act.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(reverse("frameworks:instrument_create"), {**_instrument_post(), "document": pdf})
    instrument = Instrument.objects.get(title_en="Form Act")
    assert response.status_code == 302 and response["Location"] == instrument.get_absolute_url()
    assert instrument.title_original == "Form Act" and instrument.document_size == 13
    download = client.get(reverse("frameworks:instrument_document", args=[instrument.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert 'attachment; filename="act' in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"in_force_on": "2019-01-01"}, b"cannot be before"),
        ({"parties": "IDN XYZ"}, b"unknown country codes XYZ"),
        ({"region": "asean"}, b"not both"),
        ({"document": SimpleUploadedFile("act.exe", b"MZ")}, b"not an accepted type"),
        ({"document": SimpleUploadedFile("act.pdf", b"not a pdf")}, b"not a .pdf document"),
        ({"source_url": "javascript:alert(1)"}, b"Enter a valid URL"),
    ],
)
def test_instrument_form_errors_name_the_field(client_for, org_a, overrides, message):
    client = client_for(org_a, Role.RESEARCHER)
    response = client.post(reverse("frameworks:instrument_create"), _instrument_post(**overrides))
    assert response.status_code == 200
    assert message in response.content
    assert not Instrument.objects.filter(title_en="Form Act").exists()


def test_duplicate_through_the_form(client_for, org_a):
    client = client_for(org_a, Role.RESEARCHER)
    client.post(reverse("frameworks:instrument_create"), _instrument_post())
    response = client.post(reverse("frameworks:instrument_create"), _instrument_post())
    assert b"already recorded" in response.content
    assert Instrument.objects.filter(title_en="Form Act").count() == 1


def test_party_status_form(client_for, org_a, treaty):
    client = client_for(org_a, Role.RESEARCHER)
    url = reverse("frameworks:party_status_create", args=[treaty.pk])
    bad = client.post(
        url,
        {
            "country": "THA",
            "consent": "ratification",
            "consent_on": "2020-01-01",
            "verification": "unverified",
        },
    )
    assert b"THA is not a party" in bad.content
    good = client.post(
        url,
        {
            "country": "MYS",
            "signed_on": "2019-05-01",
            "consent": "ratification",
            "consent_on": "2019-06-01",
            "verification": "cited",
        },
    )
    assert good.status_code == 302
    assert PartyStatus.objects.get(instrument=treaty).country == "MYS"
    assert b"Ratification" in client.get(treaty.get_absolute_url()).content


def test_provision_and_recommendation_forms(client_for, org_a, law):
    client = client_for(org_a, Role.RESEARCHER)
    response = client.post(
        reverse("frameworks:provision_create", args=[law.pk]),
        {
            "reference": "Art. 9",
            "text": "Returnees receive reintegration support.",
            "text_kind": "summary",
            "themes": ["reintegration", "return"],
            "gcm_objectives": ["21"],
            "groups": ["returnees"],
            "position": 2,
        },
    )
    assert response.status_code == 302
    assert Provision.objects.get(reference="Art. 9").themes == ["reintegration", "return"]
    bad = client.post(
        reverse("frameworks:provision_create", args=[law.pk]),
        {"reference": "", "text": "", "text_kind": "summary", "themes": ["teleportation"], "position": -1},
    )
    assert bad.status_code == 200 and b"teleportation is not one of the available choices" in bad.content
    response = client.post(
        reverse("frameworks:recommendation_create"),
        {
            "kind": "recommendation",
            "title": "Adopt community placement",
            "text": "Do it",
            "source": "Review 2026",
            "countries": "IDN",
            "themes": ["atd"],
            "instruments": [law.pk],
            "priority": "high",
            "followup_status": "proposed",
        },
    )
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert rec.priority == "high"
    response = client.post(
        reverse("frameworks:recommendation_edit", args=[rec.pk]),
        {
            "kind": "recommendation",
            "title": rec.title,
            "text": rec.text,
            "source": rec.source,
            "countries": "IDN",
            "themes": ["atd"],
            "instruments": [law.pk],
            "priority": "high",
            "followup_status": "implemented",
            "followup_note": "Done",
        },
    )
    assert response.status_code == 302
    listing = client.get(reverse("frameworks:recommendation_list") + "?followup_status=implemented&theme=atd")
    assert b"Adopt community placement" in listing.content and b"Implemented" in listing.content
    assert (
        b"Adopt community placement"
        not in client.get(reverse("frameworks:recommendation_list") + "?followup_status=proposed").content
    )
    bad = client.post(
        reverse("frameworks:recommendation_create"),
        {
            "kind": "recommendation",
            "title": "x",
            "text": "x",
            "source": "x",
            "countries": "ATLANTIS",
            "followup_status": "proposed",
        },
    )
    assert b"unknown country codes ATLANTIS" in bad.content


def test_verify_through_the_page(client_for, org_a, law):
    client = client_for(org_a, Role.RESEARCHER)
    response = client.post(
        reverse("frameworks:instrument_verify", args=[law.pk]), {"note": "Checked gazette"}
    )
    assert response.status_code == 302
    law.refresh_from_db()
    assert law.verification == "verified" and law.verification_note == "Checked gazette"


def test_import_page_lists_row_errors(client_for, org_a):
    client = client_for(org_a, Role.RESEARCHER)
    upload = SimpleUploadedFile(
        "in.csv",
        b"title_en,instrument_type,country,status\nA,national_law,IDN,in_force\n"
        b"B,national_law,QQQ,in_force\n",
    )
    response = client.post(reverse("frameworks:instrument_import"), {"file": upload})
    assert response.status_code == 200
    assert b"Row 3, country" in response.content and b"nothing was imported" in response.content
    assert not Instrument.objects.filter(title_en="A").exists()
    wrong = client.post(
        reverse("frameworks:instrument_import"), {"file": SimpleUploadedFile("in.xlsx", b"PK")}
    )
    assert b"Import a .csv or a .json file" in wrong.content
    good = client.post(
        reverse("frameworks:instrument_import"),
        {
            "file": SimpleUploadedFile(
                "in.json",
                b'[{"title_en": "A", "instrument_type": "national_law", "country": "IDN", '
                b'"status": "in_force"}]',
            )
        },
    )
    assert good.status_code == 302 and Instrument.objects.filter(title_en="A").exists()


def test_bad_filter_values_do_not_break_pages(client_for, org_a, law):
    client = client_for(org_a, Role.CASEWORKER)
    assert (
        client.get(reverse("frameworks:instrument_list") + "?country=ZZZ&theme=nope&q=x").status_code == 200
    )
    response = client.get(reverse("frameworks:matrix") + "?countries=IDN+NOWHERE")
    assert response.status_code == 200 and b"unknown country codes NOWHERE" in response.content
    assert (
        client.get(reverse("frameworks:compare") + "?theme=atd&country_1=IDN&country_2=IDN").status_code
        == 200
    )
    assert (
        client.get(reverse("frameworks:matrix_export", args=["csv"]) + "?countries=<script>").status_code
        == 200
    )


# exports ---------------------------------------------------------------------------------------------


def test_matrix_csv_and_xlsx(client_for, org_a, shipped):
    client = client_for(org_a, Role.CASEWORKER)
    csv_response = client.get(reverse("frameworks:matrix_export", args=["csv"]) + "?countries=IDN+THA")
    assert csv_response["Content-Disposition"] == 'attachment; filename="frameworks-matrix.csv"'
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("theme,theme_label,country,instrument_id")
    assert ",THA," in text and "Memorandum of Understanding on the Determination" in text
    xlsx = client.get(reverse("frameworks:matrix_export", args=["xlsx"]) + "?countries=IDN+THA")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Matrix", "Details", "References"]
    assert [c.value for c in book["Matrix"][1]] == ["Theme", "Indonesia", "Thailand"]


def _report(client, fmt, countries, theme=""):
    """Start the report as the page's button does; the job (run at once by the test backend) offers
    the file on its page, to its creator."""
    start = client.post(reverse("frameworks:report", args=[fmt]), {"countries": countries, "theme": theme})
    assert start.status_code == 302
    job_page = client.get(start["Location"])
    assert b'id="job-download"' in job_page.content and b"report of" in job_page.content
    return client.get(start["Location"] + "download/")


def test_desk_review_docx_and_pdf(client_for, org_a, shipped):
    client = client_for(org_a, Role.RESEARCHER)
    docx_response = _report(client, "docx", "IDN MYS THA", "atd")
    assert docx_response.status_code == 200
    assert docx_response["Content-Disposition"] == 'attachment; filename="desk-review.docx"'
    document = zipfile.ZipFile(io.BytesIO(docx_response.content)).read("word/document.xml").decode()
    assert "Desk review of policies and legal frameworks" in document
    assert "Side by side: Alternatives to detention" in document
    assert "United Nations, Treaty Series, vol. 2241, p. 507" in document  # a citation in the references
    pdf = _report(client, "pdf", "IDN THA", "atd")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert len(pdf.content) > 5000
    from lindung.core.models import AuditEntry

    kinds = [e.detail["kind"] for e in AuditEntry.objects.filter(action="frameworks.exported").order_by("id")]
    assert kinds == ["report.docx", "report.pdf"]


# the report as a background job ------------------------------------------------------------------

EVERY_READER = [r for r, caps in ROLE_CAPABILITIES.items() if "view_frameworks" in caps]


def test_the_report_page_and_its_job_for_readers_only(client_for, org_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    url = reverse("frameworks:report", args=["docx"])
    assert_roles(client_for, org_a, url, allowed=EVERY_READER, refused=others(*EVERY_READER))
    form = {"countries": "IDN THA"}
    assert_roles(
        client_for, org_a, url, method="post", data=form, allowed=EVERY_READER, refused=others(*EVERY_READER)
    )
    assert Job.objects.filter(kind="frameworks.report").count() == len(EVERY_READER)
    assert {j.status for j in Job.objects.all()} == {Job.Status.QUEUED}  # the worker builds it


def test_the_report_job_records_its_steps(client_for, org_a, shipped, monkeypatch):
    """The bar's steps: collect, lay out, store (the layout itself is one long step)."""
    from lindung.core import jobs

    heard = []
    real = jobs.reporter

    def listening(job):
        report = real(job)

        def both(phase, done, total):
            heard.append((phase, done, total))
            report(phase, done, total)

        return both

    monkeypatch.setattr("lindung.frameworks.tasks.reporter", listening)
    client = client_for(org_a, Role.RESEARCHER)
    client.post(reverse("frameworks:report", args=["docx"]), {"countries": "IDN"})
    assert [step[0] for step in heard] == ["collect", "layout", "store", "store"]
    assert heard[1] == ("layout", 1, 3) and heard[-1] == ("store", 3, 3)


@pytest.mark.parametrize(
    ("countries", "code"),
    [
        ("XXX", "country_unknown"),
        ("<script>", "country_unknown"),
        ("IDN MYS THA PHL VNM KHM LAO MMR SGP BRN TLS AUS NZL", "countries_too_many"),
    ],
)
def test_a_report_for_bad_countries_is_refused_and_nothing_is_queued(client_for, org_a, countries, code):
    client = client_for(org_a, Role.RESEARCHER)
    response = client.post(reverse("frameworks:report", args=["pdf"]), {"countries": countries})
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["countries"]] == [code]
    assert not Job.objects.exists()


def test_only_the_requester_downloads_the_report(client_for, make_user, org_a, shipped):
    from django.test import Client

    researcher = make_user(org_a, Role.RESEARCHER)
    client = Client()
    client.force_login(researcher)
    job_url = client.post(reverse("frameworks:report", args=["docx"]), {"countries": "THA"})["Location"]
    job = Job.objects.get(kind="frameworks.report")
    assert job.status == Job.Status.DONE and job.organisation_id == org_a.pk
    assert client.get(job_url + "download/").status_code == 200
    administrator = client_for(org_a, Role.ADMINISTRATOR)
    refused = administrator.get(job_url + "download/")
    assert refused.status_code == 403 and refused.context["code"] == "job_output_not_yours"
    assert client_for(org_a, Role.RESEARCHER).get(job_url + "download/").status_code == 404
