"""One connected record (issue 19.1): screening and referrals show on the person and case pages
through their own selectors, and "screen this person" / "refer" start with the person chosen."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from lindung.cases import services as cases_services
from lindung.core.roles import Role
from lindung.referrals import services
from lindung.referrals.models import Referral
from lindung.screening.models import Interview


@pytest.fixture
def world(org_a, org_b, make_user, make_person, completed, make_service):
    caseworker = make_user(org_a, Role.CASEWORKER)
    person = make_person(org_a, "referral")
    interview = completed(caseworker, person=person)
    referral = services.referral_send(
        acting_user=caseworker, service=make_service(), needs=["medical_care"], profile=interview.profile
    )
    case = cases_services.case_open(acting_user=caseworker, person=person, case_type="protection")
    # What another organisation holds about the same person (as after a transfer): never shown to A.
    other_worker = make_user(org_b, Role.CASEWORKER)
    foreign = completed(other_worker)
    Interview.objects.filter(pk=foreign.pk).update(person=person)
    foreign_ref = services.referral_send(
        acting_user=other_worker,
        service=make_service("shelter"),
        needs=["shelter"],
        person=make_person(org_b, "referral"),
    )
    Referral.objects.filter(pk=foreign_ref.pk).update(person=person)
    return {
        "caseworker": caseworker,
        "person": person,
        "interview": interview,
        "referral": referral,
        "case": case,
        "foreign": foreign,
        "foreign_ref": foreign_ref,
    }


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["person", "case"])
def test_the_caseworker_sees_screenings_and_referrals_linked(world, page):
    w = world
    url = (
        reverse("cases:person_detail", args=[w["person"].pk])
        if page == "person"
        else reverse("cases:case_detail", args=[w["case"].pk])
    )
    body = _client(w["caseworker"]).get(url).content.decode()
    assert reverse("screening:interview_detail", args=[w["interview"].pk]) in body
    assert w["interview"].profile.get_urgency_display() in body
    assert reverse("referrals:referral_detail", args=[w["referral"].pk]) in body
    assert w["referral"].get_status_display() in body
    # Another organisation's screening and referral of the same person stay out.
    assert w["foreign"].reference not in body and w["foreign_ref"].reference not in body
    assert f"{reverse('screening:interview_start')}?person={w['person'].pk}" in body
    refer = "case=" + str(w["case"].pk) if page == "case" else f"person={w['person'].pk}"
    assert f"{reverse('referrals:referral_create')}?{refer}" in body


@pytest.mark.django_db
def test_the_person_page_lists_open_tasks_of_their_cases(world):
    w = world
    cases_services.task_create(
        acting_user=w["caseworker"],
        case=w["case"],
        title="Call the clinic",
        due_on=w["case"].opened_on,
        assignee=w["caseworker"],
    )
    body = (
        _client(w["caseworker"]).get(reverse("cases:person_detail", args=[w["person"].pk])).content.decode()
    )
    section = body.split("Open tasks", 1)[1]
    assert "Call the clinic" in section and reverse("cases:case_detail", args=[w["case"].pk]) in section


@pytest.mark.django_db
def test_an_auditor_gets_no_start_links(world, org_a, make_user):
    auditor = make_user(org_a, Role.AUDITOR)
    body = _client(auditor).get(reverse("cases:person_detail", args=[world["person"].pk])).content.decode()
    assert reverse("screening:interview_start") not in body
    assert reverse("referrals:referral_create") not in body
    assert world["foreign"].reference not in body


@pytest.mark.django_db
def test_screen_this_person_preselects_them(world, org_b, make_user):
    w = world
    client = _client(w["caseworker"])
    start = reverse("screening:interview_start")
    body = client.get(f"{start}?person={w['person'].pk}").content.decode()
    selected = re.search(r'<option value="(\d+)" selected>', body)
    assert selected and selected.group(1) == str(w["person"].pk)
    assert client.get(start).status_code == 200
    # Bad input: not an id, or a person the form would not offer, is a page not found.
    assert client.get(f"{start}?person=abc").status_code == 404
    assert client.get(f"{start}?person=0").status_code == 404
    other = cases_services.person_register(
        acting_user=make_user(org_b, Role.CASEWORKER), organisation=org_b, given_name="Other", sex="F"
    )
    assert client.get(f"{start}?person={other.pk}").status_code == 404


@pytest.mark.django_db
def test_refer_from_the_person_page_starts_with_the_person(world):
    w = world
    response = _client(w["caseworker"]).get(f"{reverse('referrals:referral_create')}?person={w['person'].pk}")
    assert response.status_code == 200
    assert f'value="{w["person"].pk}"' in response.content.decode()
