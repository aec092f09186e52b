"""Every page, with the roles allowed and refused. Objects of another organisation are not found."""

import datetime

import pytest
from django.urls import reverse

from lindung.cases import services
from lindung.core.roles import Role

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
CW, SUP, AUD, PROV, OTHER = "caseworker", "supervisor", "auditor", "service_provider", "other_org_caseworker"
ROLES = {CW: Role.CASEWORKER, SUP: Role.SUPERVISOR, AUD: Role.AUDITOR, PROV: Role.SERVICE_PROVIDER}

# (url name, kwargs builder, {who: status}); anything unlisted must be refused (403 or 404).
VIEWS = [
    ("case_list", lambda w: {}, {CW: OK, SUP: OK, AUD: OK, PROV: FORBIDDEN, OTHER: OK}),
    ("person_list", lambda w: {}, {CW: OK, SUP: OK, AUD: OK, PROV: FORBIDDEN, OTHER: OK}),
    ("task_overdue", lambda w: {}, {CW: OK, SUP: OK, AUD: OK, PROV: FORBIDDEN, OTHER: OK}),
    ("agreement_list", lambda w: {}, {CW: OK, SUP: OK, AUD: OK, PROV: FORBIDDEN, OTHER: OK}),
    ("agreement_create", lambda w: {}, {CW: FORBIDDEN, SUP: OK, AUD: FORBIDDEN, PROV: FORBIDDEN}),
    ("person_create", lambda w: {}, {CW: OK, SUP: OK, AUD: FORBIDDEN, PROV: FORBIDDEN, OTHER: OK}),
    ("case_detail", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: OK}),
    ("person_detail", lambda w: {"pk": w["person"].pk}, {CW: OK, SUP: OK, AUD: OK}),
    (
        "case_transition",
        lambda w: {"pk": w["case"].pk, "name": "start_assessment"},
        {CW: OK, SUP: OK, AUD: FORBIDDEN},
    ),
    ("need_create", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("service_create", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("note_create", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("attachment_create", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("task_create", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("placement_create", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("visit_create", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("checkin_create", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("case_assign", lambda w: {"pk": w["case"].pk}, {CW: FORBIDDEN, SUP: OK, AUD: FORBIDDEN}),
    ("case_transfer", lambda w: {"pk": w["case"].pk}, {CW: FORBIDDEN, SUP: OK, AUD: FORBIDDEN}),
    ("case_legal_hold", lambda w: {"pk": w["case"].pk}, {CW: FORBIDDEN, SUP: OK, AUD: FORBIDDEN}),
    (
        "attachment_download",
        lambda w: {"pk": w["case"].pk, "attachment_pk": w["attachment"].pk},
        {CW: OK, SUP: OK, AUD: FORBIDDEN},
    ),
    ("person_edit", lambda w: {"pk": w["person"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("person_photo", lambda w: {"pk": w["person"].pk}, {CW: OK, SUP: OK}),
    ("case_create", lambda w: {"pk": w["person"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("consent_create", lambda w: {"pk": w["person"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("person_export", lambda w: {"pk": w["person"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN}),
    ("person_erase", lambda w: {"pk": w["person"].pk}, {CW: FORBIDDEN, SUP: OK, AUD: FORBIDDEN}),
]
POSTS = [
    ("task_done", lambda w: {"pk": w["case"].pk, "task_pk": w["task"].pk}),
    ("consent_withdraw", lambda w: {"pk": w["person"].pk, "consent_pk": w["consent"].pk}),
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def world(make_case, caseworker, consent):
    case = make_case("protection", photo=(PNG, "image/png"))
    return {
        "case": case,
        "person": case.person,
        "task": services.task_create(
            acting_user=caseworker, case=case, title="Call", due_on=datetime.date.today()
        ),
        "consent": consent(case.person),
        "attachment": services.attachment_add(
            acting_user=caseworker, case=case, filename="a.pdf", content=b"%PDF-1.4 test"
        ),
    }


def _client(who, client, org_a, org_b, make_user):
    user = make_user(org_b, Role.CASEWORKER) if who == OTHER else make_user(org_a, ROLES[who])
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", [CW, SUP, AUD, PROV, OTHER])
@pytest.mark.parametrize(("name", "kwargs", "expected"), VIEWS, ids=[v[0] for v in VIEWS])
def test_get_by_role(world, client, org_a, org_b, make_user, who, name, kwargs, expected):
    url = reverse(f"cases:{name}", kwargs=kwargs(world))
    status = _client(who, client, org_a, org_b, make_user).get(url).status_code
    if who in expected:
        assert status == expected[who], (name, who, status)
    else:
        assert status in (FORBIDDEN, NOT_FOUND), (name, who, status)


@pytest.mark.parametrize("who", [AUD, PROV, OTHER])
@pytest.mark.parametrize(("name", "kwargs"), POSTS, ids=[p[0] for p in POSTS])
def test_post_actions_refused(world, client, org_a, org_b, make_user, who, name, kwargs):
    url = reverse(f"cases:{name}", kwargs=kwargs(world))
    assert _client(who, client, org_a, org_b, make_user).post(url).status_code in (FORBIDDEN, NOT_FOUND)
    world["task"].refresh_from_db()
    world["consent"].refresh_from_db()
    assert world["task"].done_at is None and world["consent"].withdrawn_at is None


def test_post_actions_allowed_to_caseworker(world, client, caseworker):
    client.force_login(caseworker)
    for name, kwargs in POSTS:
        assert (
            client.post(reverse(f"cases:{name}", kwargs=kwargs(world)), {"confirm": "yes"}).status_code == 302
        )
    world["task"].refresh_from_db()
    world["consent"].refresh_from_db()
    assert world["task"].done_at and world["consent"].withdrawn_at


@pytest.mark.parametrize("posted", [{}, {"confirm": "no"}, {"confirm": "YES "}])
def test_consent_withdrawal_asks_first_and_says_what_will_happen(world, client, caseworker, posted):
    client.force_login(caseworker)
    url = reverse(
        "cases:consent_withdraw", kwargs={"pk": world["person"].pk, "consent_pk": world["consent"].pk}
    )
    response = client.post(url, posted)
    world["consent"].refresh_from_db()
    assert response.status_code == 200 and world["consent"].withdrawn_at is None
    html = response.content.decode()
    assert response.templates[0].name == "core/confirm.html"
    assert world["person"].reference in html and 'name="confirm" value="yes"' in html
    assert f'href="{world["person"].get_absolute_url()}"' in html
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    world["consent"].refresh_from_db()
    assert world["consent"].withdrawn_at is not None


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("cases:case_detail", args=[world["case"].pk]))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_case_list_filters(client, caseworker, make_case):
    avrr = make_case("avrr", vulnerabilities=["victim_of_trafficking"])
    protection = make_case("protection")
    services.task_create(
        acting_user=caseworker,
        case=protection,
        title="Late",
        due_on=datetime.date.today() - datetime.timedelta(days=10),
    )
    client.force_login(caseworker)
    url = reverse("cases:case_list")
    for query, shown, hidden in [
        ("case_type=avrr", avrr, protection),
        ("overdue=on", protection, avrr),
        ("vulnerability=victim_of_trafficking", avrr, protection),
        ("state=intake", protection, avrr),
    ]:
        body = client.get(f"{url}?{query}").content.decode()
        assert shown.reference in body and hidden.reference not in body, query
    body = client.get(f"{url}?case_type=nonsense").content.decode()
    assert "Select a valid choice" in body


def test_transition_form_shows_errors_and_saves(client, caseworker, make_case):
    case = make_case("protection")
    client.force_login(caseworker)
    url = reverse("cases:case_transition", args=[case.pk, "start_assessment"])
    response = client.post(url, {"version": case.version, "assessment_date": "2001-01-01"})
    assert response.status_code == 400 and "before the case was opened" in response.content.decode()
    response = client.post(
        url, {"version": case.version, "assessment_date": datetime.date.today().isoformat()}
    )
    assert response.status_code == 302
    response = client.post(
        url, {"version": case.version, "assessment_date": datetime.date.today().isoformat()}
    )
    assert response.status_code == 400 and "cannot do" in response.content.decode()


def test_stale_form_is_refused_with_a_clear_message(client, supervisor, caseworker, make_case):
    case = make_case("protection")
    client.force_login(supervisor)
    url = reverse("cases:case_assign", args=[case.pk])
    assert client.post(url, {"version": 1, "owner": caseworker.pk, "team": "A"}).status_code == 302
    response = client.post(url, {"version": 1, "owner": supervisor.pk, "team": "B"})
    assert response.status_code == 400 and "changed by someone else" in response.content.decode()


def test_upload_too_large_is_refused_in_the_form(client, caseworker, make_case, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.LINDUNG_CASES_MAX_ATTACHMENT_BYTES = 100
    case = make_case("protection")
    client.force_login(caseworker)
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 500, content_type="application/pdf")
    response = client.post(reverse("cases:attachment_create", args=[case.pk]), {"file": upload})
    assert response.status_code == 400 and "limit" in response.content.decode()
    assert not case.attachments.exists()


def test_register_person_form(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:person_create"),
        {
            "given_name": "Formy",
            "family_name": "Test",
            "sex": "F",
            "age_group": "18-20",
            "languages": "tha, eng",
            "document_type": "passport",
            "document_number": "F-1",
            "vulnerabilities": ["older_migrant"],
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:person_create"), {"languages": "zzz", "date_of_birth": "2999-01-01"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "at least one name" in body and "zzz" in body and "future" in body


def test_erasure_says_what_will_happen_and_acts_only_on_the_typed_reference(world, client, supervisor):
    from lindung.cases.models import Person

    client.force_login(supervisor)
    person = world["person"]
    url = reverse("cases:person_erase", kwargs={"pk": person.pk})
    html = client.get(url).content.decode()
    assert f"delete {person.reference} and their 1 case" in html and "cannot be undone" in html
    for typed in ("", "wrong", person.reference.lower() + "x"):
        assert client.post(url, {"confirm_reference": typed}).status_code == 400
        assert Person.objects.filter(pk=person.pk).exists()
    assert client.post(url, {"confirm_reference": person.reference}).status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
