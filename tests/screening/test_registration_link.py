"""An interview and the person's registration (issue 19.1): the registration pre-fills sex and
age group, an answer that contradicts it is flagged, and the profile's categories can be written
to the person's record with their consent to assistance, audited."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from lindung.cases import services as cases_services
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.screening import services

from .conftest import ANSWERS


@pytest.fixture
def caseworker(org_a, make_user):
    return make_user(org_a, Role.CASEWORKER)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_registration_prefills_sex_and_age_group(caseworker, org_a, guide, make_person):
    person = make_person(org_a)  # registered M, 30-38
    interview = services.interview_start(acting_user=caseworker, version=guide, person=person)
    body = _client(caseworker).get(reverse("screening:interview_section", args=[interview.pk, "about"]))
    html = body.content.decode()
    assert _checked(html, "sex") == ["M"] and _checked(html, "age_group") == ["30-38"]
    # What the interviewer answered wins over the registration.
    first = services.section_names(interview)[0]
    services.interview_save_section(
        acting_user=caseworker,
        interview=interview,
        section=first,
        raw={"agrees_to_interview": "yes", "interview_country": "THA"},
    )
    interview.refresh_from_db()
    services.interview_save_section(
        acting_user=caseworker, interview=interview, section="about", raw={"sex": "F", "age_group": "30-38"}
    )
    html = _client(caseworker).get(reverse("screening:interview_section", args=[interview.pk, "about"]))
    assert _checked(html.content.decode(), "sex") == ["F"]


def _checked(html, name):
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(rf'<input type="radio" name="{name}"[^>]*>', html)
        if "checked" in tag
    ]


@pytest.mark.django_db
def test_a_contradicting_answer_is_flagged_not_accepted_silently(caseworker, org_a, completed, make_person):
    person = make_person(org_a)
    same = completed(caseworker, person=person)
    client = _client(caseworker)
    assert "registration-contradictions" not in client.get(same.get_absolute_url()).content.decode()
    differs = completed(caseworker, answers={**ANSWERS, "sex": "F", "age_group": "9-17"}, person=person)
    html = client.get(differs.get_absolute_url()).content.decode()
    flagged = html.split('id="registration-contradictions"', 1)[1].split("</div>", 1)[0]
    assert "Sex: answered" in flagged and "Age group: answered" in flagged
    person.refresh_from_db()
    assert person.sex == "M"  # the registration is not changed behind anyone's back


@pytest.mark.django_db
def test_categories_are_written_to_the_person_with_consent(caseworker, org_a, completed, make_person):
    person = make_person(org_a, "assistance")
    interview = completed(caseworker, person=person)
    categories = interview.profile.categories
    assert categories
    response = _client(caseworker).post(reverse("screening:profile_write", args=[interview.pk]))
    assert response.status_code == 302
    assert set(person.vulnerabilities.values_list("category", flat=True)) == set(categories)
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_VULNERABILITIES_ADDED)
    assert entry.actor_id == caseworker.pk and entry.detail == {
        "source": "screening",
        "added": len(categories),
    }


@pytest.mark.django_db
def test_writing_is_refused_without_consent_or_person_or_access(
    caseworker, org_a, org_b, completed, make_person, make_user
):
    person = make_person(org_a)  # no consent to assistance
    interview = completed(caseworker, person=person)
    with pytest.raises(ValidationError) as refused:
        services.profile_write_to_person(acting_user=caseworker, profile=interview.profile)
    assert refused.value.code == "no_consent" and not person.vulnerabilities.exists()
    anonymous = completed(caseworker)
    with pytest.raises(ValidationError) as refused:
        services.profile_write_to_person(acting_user=caseworker, profile=anonymous.profile)
    assert refused.value.code == "no_person"
    with pytest.raises(ValidationError) as refused:
        cases_services.person_add_vulnerabilities(
            acting_user=caseworker, person=person, categories=["not_a_code"], source="screening"
        )
    assert refused.value.error_dict["categories"][0].code == "unknown"
    outsider = make_user(org_b, Role.CASEWORKER)
    assert _client(outsider).post(reverse("screening:profile_write", args=[interview.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.PERSON_VULNERABILITIES_ADDED).exists()
