"""Screening pages: who may use them, the interview one section at a time with pause and resume, in
another language, the profile with its reasons, instruments editing and XLSForm import/export."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.screening import instrument as ins
from lindung.screening.models import Instrument, InstrumentVersion, Interview
from tests.roles import assert_roles, others

from .conftest import ANSWERS

SCREENERS = [Role.CASEWORKER, Role.SUPERVISOR]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "screening:interview_list",
        "screening:interview_start",
        "screening:instrument_list",
        "screening:instrument_import",
        "screening:phone_setup",
    ],
)
def test_pages_allowed_to_screeners_only(client_for, org_a, guide, name):
    assert_roles(client_for, org_a, reverse(name), allowed=SCREENERS, refused=others(*SCREENERS))


@pytest.mark.django_db
def test_interview_and_profile_refused_to_other_roles_and_organisations(
    client_for, make_user, org_a, org_b, completed
):
    interview = completed(make_user(org_a, Role.CASEWORKER))
    url = reverse("screening:interview_detail", args=[interview.pk])
    assert_roles(client_for, org_a, url, allowed=SCREENERS, refused=others(*SCREENERS))
    assert client_for(org_b, Role.CASEWORKER).get(url).status_code == 404


def _section_url(interview, section):
    return reverse("screening:interview_section", args=[interview.pk, section])


def _post_section(client, interview, section, data, action="next"):
    return client.post(_section_url(interview, section), {**data, "action": action})


def _data(*names):
    return {n: ANSWERS[n] for n in names if n in ANSWERS}


@pytest.mark.django_db
def test_interview_one_section_at_a_time_with_pause_and_resume(client_for, org_a, guide):
    client = client_for(org_a, Role.CASEWORKER)
    response = client.post(reverse("screening:interview_start"), {"version": guide.pk})
    interview = Interview.objects.get()
    assert response["Location"] == _section_url(interview, "interview")
    # Required question missing: stays on the section, names the question.
    response = _post_section(client, interview, "interview", {"agrees_to_interview": "yes"})
    assert response.status_code == 200 and "Answer this question to continue" in response.content.decode()
    response = _post_section(
        client, interview, "interview", _data("agrees_to_interview", "interview_country")
    )
    assert response["Location"] == _section_url(interview, "safety")
    # Pause: answers kept, back to the list with a resume link.
    response = _post_section(client, interview, "safety", {"in_danger_now": "no"}, action="pause")
    assert response["Location"] == reverse("screening:interview_list")
    listing = client.get(reverse("screening:interview_list")).content.decode()
    assert _section_url(interview, "safety") in listing
    interview.refresh_from_db()
    assert interview.answers["in_danger_now"] == "no" and interview.status == "in_progress"
    # Resume and go through every section.
    steps = [
        ("safety", _data("in_danger_now", "safe_place_tonight")),
        ("about", _data("age_group", "sex")),
        ("children_family", {}),
        ("trafficking", _data("deceived_recruitment", "not_free_to_leave", "documents_withheld")),
        ("violence", {}),
        ("health", _data("urgent_medical_need")),
        ("legal", _data("has_identity_document")),
        ("detention", _data("currently_detained")),
        ("livelihood", _data("owes_debt")),
    ]
    for section, data in steps:
        response = _post_section(client, interview, section, data)
        assert response.status_code == 302, (section, response.content.decode()[:2000])
    assert response["Location"] == reverse("screening:interview_detail", args=[interview.pk])
    interview.refresh_from_db()
    assert interview.status == "completed"
    assert set(interview.profile.categories) == {
        "presumed_victim_of_trafficking",
        "migrant_with_health_needs",
    }
    page = client.get(response["Location"]).content.decode()
    assert "Presumed victim of trafficking" in page
    assert "Was the person deceived about the work or conditions when recruited? — Yes" in page
    assert "Urgent (within 24 hours)" in page
    assert AuditEntry.objects.filter(action="personal.viewed", object_type="screening.profile").exists()


@pytest.mark.django_db
def test_answers_outside_the_list_are_refused_on_the_page(client_for, org_a, guide):
    client = client_for(org_a, Role.CASEWORKER)
    client.post(reverse("screening:interview_start"), {"version": guide.pk})
    interview = Interview.objects.get()
    response = _post_section(client, interview, "interview", {"agrees_to_interview": "perhaps"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    interview.refresh_from_db()
    assert interview.answers == {}


@pytest.mark.django_db
def test_interview_in_french_uses_the_instrument_labels(client_for, org_a, guide):
    client = client_for(org_a, Role.CASEWORKER)
    client.post(reverse("screening:interview_start"), {"version": guide.pk})
    interview = Interview.objects.get()
    client.cookies["django_language"] = "fr"
    page = client.get(_section_url(interview, "interview"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "La personne a-t-elle accepté cet entretien" in page
    client.cookies["django_language"] = "th"
    page = client.get(_section_url(interview, "interview"), HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "Has the person agreed to this interview" in page  # falls back to English


@pytest.mark.django_db
def test_anonymous_interview_linked_later_to_a_person(
    client_for, make_user, org_a, org_b, completed, make_person
):
    user = make_user(org_a, Role.CASEWORKER)
    interview = completed(user)
    client = Client()
    client.force_login(user)
    foreign = make_person(org_b)
    response = client.post(reverse("screening:interview_link", args=[interview.pk]), {"person": foreign.pk})
    interview.refresh_from_db()
    assert interview.person_id is None
    person = make_person(org_a)
    client.post(reverse("screening:interview_link", args=[interview.pk]), {"person": person.pk})
    interview.refresh_from_db()
    assert interview.person_id == person.pk
    assert response.status_code == 302


@pytest.mark.django_db
def test_shipped_instrument_cannot_be_edited_only_copied(client_for, org_a, guide):
    client = client_for(org_a, Role.CASEWORKER)
    edit = reverse("screening:question_edit", args=[guide.pk, "in_danger_now"])
    assert client.get(edit).status_code == 404
    assert client.post(reverse("screening:version_publish", args=[guide.pk])).status_code in (403, 404)
    response = client.post(
        reverse("screening:version_copy", args=[guide.pk]), {"organisation": org_a.pk, "form_id": "our_guide"}
    )
    copy = InstrumentVersion.objects.get(instrument__form_id="our_guide")
    assert response["Location"] == reverse("screening:version_detail", args=[copy.pk])
    assert copy.status == "draft" and copy.instrument.organisation_id == org_a.pk


@pytest.mark.django_db
def test_edit_a_draft_question_then_publish(client_for, org_a, guide):
    client = client_for(org_a, Role.CASEWORKER)
    client.post(
        reverse("screening:version_copy", args=[guide.pk]), {"organisation": org_a.pk, "form_id": "our_guide"}
    )
    draft = InstrumentVersion.objects.get(instrument__form_id="our_guide")
    url = reverse("screening:question_edit", args=[draft.pk, "in_danger_now"])
    base = {"label_en": "In danger now?", "label_fr": "En danger ?", "required": "on"}
    response = client.post(url, {**base, "factors": "yes: risk not_a_factor"})
    assert "not_a_factor is not a DoMV factor" in response.content.decode()
    response = client.post(url, {**base, "relevant": "${later_question} = 'x'", "factors": ""})
    assert "unknown or later question" in response.content.decode()
    response = client.post(url, {**base, "factors": "yes: risk com_security, risk str_governance"})
    assert response.status_code == 302
    draft.refresh_from_db()
    question = ins.question_index(draft.definition)["in_danger_now"]
    assert question["label"]["en"] == "In danger now?"
    assert question["factors"]["yes"][1] == {"direction": "risk", "factor": "str_governance"}
    client.post(reverse("screening:version_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "published"
    assert client.post(url, {**base, "factors": ""}).status_code == 404  # published: frozen


@pytest.mark.django_db
def test_xlsform_download_and_import(client_for, org_a, guide):
    client = client_for(org_a, Role.CASEWORKER)
    response = client.get(reverse("screening:version_export", args=[guide.pk]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    wb["settings"]["A2"] = "imported_guide"
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "guide.xlsx"
    response = client.post(reverse("screening:instrument_import"), {"file": upload, "organisation": org_a.pk})
    assert response.status_code == 302
    assert Instrument.objects.get(form_id="imported_guide").organisation_id == org_a.pk
    # The same form again: the version exists already, nothing is written.
    upload.seek(0)
    response = client.post(reverse("screening:instrument_import"), {"file": upload, "organisation": org_a.pk})
    assert "exists already" in response.content.decode()
    assert InstrumentVersion.objects.filter(instrument__form_id="imported_guide").count() == 1


@pytest.mark.django_db
def test_import_of_a_broken_file_names_the_problem(client_for, org_a, guide):
    client = client_for(org_a, Role.CASEWORKER)
    upload = io.BytesIO(b"not a workbook")
    upload.name = "x.xlsx"
    response = client.post(reverse("screening:instrument_import"), {"file": upload, "organisation": org_a.pk})
    assert "damaged or not a workbook" in response.content.decode()
    assert Instrument.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["screening:version_detail", "screening:version_export", "screening:version_xform"]
)
def test_instrument_version_pages_allowed_to_screeners_only(client_for, org_a, guide, name):
    assert_roles(
        client_for, org_a, reverse(name, args=[guide.pk]), allowed=SCREENERS, refused=others(*SCREENERS)
    )
