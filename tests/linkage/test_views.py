"""The registration form's candidate panel (without JavaScript) and the person page's linked
records: the panel shows before saving, every choice registers, and the choice is carried out."""

import pytest
from django.test import Client
from django.urls import reverse

from lindung.cases.models import Person
from lindung.linkage import selectors
from lindung.linkage.models import PersonLink

from .conftest import DOB

pytestmark = pytest.mark.django_db
FORM = {"given_name": "Muhammad", "family_name": "Rahimov", "date_of_birth": DOB.isoformat(), "languages": ""}


@pytest.fixture
def web(caseworker):
    client = Client()
    client.force_login(caseworker)
    return client


def test_panel_before_saving_then_register_and_link(web, caseworker, rakhimov):
    url = reverse("cases:person_create")
    response = web.post(url, FORM)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check before registering" in page and "Мухаммад Рахимов" in page
    assert (
        'data-field="name" data-level="exact"' in page
        and 'data-field="date_of_birth" data-level="exact"' in page
    )
    assert Person.objects.count() == 1  # nothing saved yet

    response = web.post(
        url, {**FORM, "linkage_choice": f"link:{rakhimov.pk}", "linkage_shown": [rakhimov.pk]}
    )
    new = Person.objects.exclude(pk=rakhimov.pk).get()
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    assert selectors.linked_persons(caseworker, new) == [rakhimov]
    page = web.get(new.get_absolute_url()).content.decode()
    assert "Same person in other records" in page and rakhimov.reference in page

    # Undo from the person page.
    response = web.post(
        reverse("linkage:decide", args=[new.pk]), {"other": rakhimov.pk, "decision": "unlink"}
    )
    assert response.status_code == 302
    assert selectors.linked_persons(caseworker, new) == []
    history = web.get(reverse("linkage:history", args=[new.pk])).content.decode()
    assert history.count(f"<td>{rakhimov.reference}</td>") == 2 and "<td>link undone</td>" in history


def test_none_of_these_registers_and_remembers(web, caseworker, rakhimov):
    url = reverse("cases:person_create")
    response = web.post(url, {**FORM, "linkage_choice": "new", "linkage_shown": [rakhimov.pk]})
    assert response.status_code == 302
    new = Person.objects.exclude(pk=rakhimov.pk).get()
    assert PersonLink.objects.get().state == PersonLink.State.NOT_SAME
    assert selectors.candidates_of(caseworker, new) == []


def test_decide_later_registers_and_the_person_page_proposes(web, caseworker, rakhimov):
    response = web.post(reverse("cases:person_create"), {**FORM, "linkage_choice": "later"})
    assert response.status_code == 302
    new = Person.objects.exclude(pk=rakhimov.pk).get()
    assert not PersonLink.objects.exists()
    page = web.get(new.get_absolute_url()).content.decode()
    assert "Possible duplicates" in page and rakhimov.reference in page
    web.post(reverse("linkage:decide", args=[new.pk]), {"other": rakhimov.pk, "decision": "not_same"})
    assert "Possible duplicates" not in web.get(new.get_absolute_url()).content.decode()


def test_no_candidate_no_panel(web):
    response = web.post(
        reverse("cases:person_create"), {**FORM, "given_name": "Siti", "family_name": "Rahayu"}
    )
    assert response.status_code == 302 and Person.objects.count() == 1


def test_wrong_country_passport_is_warned_but_never_blocks(web):
    form = {**FORM, "document_type": "passport", "document_number": "123456789", "document_country": "THA"}
    response = web.post(reverse("cases:person_create"), form)
    assert response.status_code == 200 and "format of the issuing country" in response.content.decode()
    response = web.post(reverse("cases:person_create"), {**form, "linkage_choice": "later"})
    assert response.status_code == 302 and Person.objects.count() == 1


def test_one_letter_name_is_not_searched(web, rakhimov):
    response = web.post(reverse("cases:person_create"), {**FORM, "given_name": "M"})
    assert response.status_code == 302  # registered: the check does not guess on one letter


@pytest.mark.parametrize(
    "bad",
    [
        {"other": "abc"},
        {"other": "99999999"},
        {"other": "٣"},
        {"decision": "merge"},
        {"other": "", "decision": ""},
    ],
)
def test_decide_bad_input(web, register, rakhimov, bad):
    latin = register(given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    response = web.post(
        reverse("linkage:decide", args=[latin.pk]), {"other": rakhimov.pk, "decision": "link", **bad}
    )
    assert response.status_code == 302 and not PersonLink.objects.exists()


def test_decide_is_post_only_and_other_organisations_get_404(web, caseworker_b, rakhimov):
    assert web.get(reverse("linkage:decide", args=[rakhimov.pk])).status_code == 405
    other = Client()
    other.force_login(caseworker_b)
    assert other.get(reverse("linkage:history", args=[rakhimov.pk])).status_code == 404
    assert (
        other.post(
            reverse("linkage:decide", args=[rakhimov.pk]), {"other": 1, "decision": "link"}
        ).status_code
        == 404
    )


def test_a_candidate_of_another_organisation_offers_no_link(org_a, org_b, make_user, register, rakhimov):
    from lindung.core.models import Membership
    from lindung.core.roles import Role

    both = make_user(org_b, Role.CASEWORKER)
    Membership.objects.create(user=both, organisation=org_a, role=Role.CASEWORKER)
    client = Client()
    client.force_login(both)
    page = client.post(reverse("cases:person_create"), FORM).content.decode()
    # The form registers in the user's first organisation (org_a, the lower id): same as rakhimov's.
    assert f'value="link:{rakhimov.pk}"' in page
    theirs = register(org=org_b, user=both, given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    page = client.get(theirs.get_absolute_url()).content.decode()
    assert "Possible duplicates" in page and "needs a sharing agreement" in page
    assert 'name="decision" value="link"' not in page and 'value="not_same"' in page
