"""The return safeguards' pages and API: roles allowed and refused (caseworker, supervisor,
auditor, another organisation), bad input shown on the form, and the departure refused with the
same code on the web page and through the API."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from lindung.cases import return_risk
from lindung.cases.models import Case, ReturnRiskAssessment
from lindung.core.roles import Role
from tests.cases.conftest import NO_RISK, days_ago

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
CW, SUP, AUD, OTHER = "caseworker", "supervisor", "auditor", "other_org_caseworker"
ROLES = {CW: Role.CASEWORKER, SUP: Role.SUPERVISOR, AUD: Role.AUDITOR}
RISK = {**NO_RISK, "persecution": "risk", "persecution_notes": "Opposition member; arrests reported."}


@pytest.fixture
def world(make_case, caseworker, supervisor):
    case = make_case("forced_return")
    assessment = return_risk.risk_assessment_record(acting_user=caseworker, case=case, factors=RISK)
    return {"case": case, "assessment": assessment}


def _login(who, client, org_a, org_b, make_user):
    user = make_user(org_b, Role.CASEWORKER) if who == OTHER else make_user(org_a, ROLES[who])
    client.force_login(user)
    return client


PAGES = [
    ("risk_page", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: OK, OTHER: NOT_FOUND}),
    ("risk_record", lambda w: {"pk": w["case"].pk}, {CW: OK, SUP: OK, AUD: FORBIDDEN, OTHER: NOT_FOUND}),
    (
        "risk_decide",
        lambda w: {"pk": w["case"].pk, "assessment_pk": w["assessment"].pk},
        {CW: FORBIDDEN, SUP: OK, AUD: FORBIDDEN, OTHER: NOT_FOUND},
    ),
    ("risk_summary", lambda w: {}, {CW: OK, SUP: OK, AUD: OK, OTHER: OK}),
]


@pytest.mark.parametrize("who", [CW, SUP, AUD, OTHER])
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_by_role(world, client, org_a, org_b, make_user, who, name, kwargs, expected):
    url = reverse(f"cases:{name}", kwargs=kwargs(world))
    assert _login(who, client, org_a, org_b, make_user).get(url).status_code == expected[who]


@pytest.mark.parametrize(("who", "expected"), [(CW, FORBIDDEN), (AUD, FORBIDDEN), (OTHER, NOT_FOUND)])
def test_sign_off_refused_to_others(world, client, org_a, org_b, make_user, who, expected):
    url = reverse("cases:risk_sign_off", args=[world["case"].pk, world["assessment"].pk])
    assert _login(who, client, org_a, org_b, make_user).post(url).status_code == expected
    assert not ReturnRiskAssessment.objects.get().is_signed_off


def test_sign_off_is_post_only(world, client, supervisor):
    client.force_login(supervisor)
    url = reverse("cases:risk_sign_off", args=[world["case"].pk, world["assessment"].pk])
    assert client.get(url).status_code == 405


def test_risk_page_shows_notes_and_the_blocked_departure(world, client, caseworker):
    client.force_login(caseworker)
    body = client.get(reverse("cases:risk_page", args=[world["case"].pk])).content.decode()
    assert "Opposition member" in body
    assert "not signed off yet" in body
    detail = client.get(reverse("cases:case_detail", args=[world["case"].pk])).content.decode()
    assert reverse("cases:risk_page", args=[world["case"].pk]) in detail
    assert "Assessment awaiting sign-off" in detail


def test_record_form_shows_missing_factors_and_saves_nothing(client, caseworker, make_case):
    case = make_case("avrr")
    client.force_login(caseworker)
    url = reverse("cases:risk_record", args=[case.pk])
    response = client.post(
        url,
        {"assessed_on": days_ago(0), "persecution": "risk", "torture": "no_risk", "trafficking": "no_risk"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert errors["child_best_interests"][0].code == "required"
    response = client.post(url, {"assessed_on": days_ago(0), **NO_RISK, "persecution": "risk"})
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["persecution_notes"][0].code == "risk_notes_missing"
    assert not ReturnRiskAssessment.objects.exists()
    response = client.post(url, {"assessed_on": days_ago(0), **NO_RISK})
    assert response.status_code == 302 and response["Location"] == reverse("cases:risk_page", args=[case.pk])
    assert ReturnRiskAssessment.objects.get().result == "no_risk"


def test_decision_form_needs_reasons_and_sign_off_by_assessor_is_refused(
    world, client, caseworker, supervisor, org_a, make_user
):
    case, assessment = world["case"], world["assessment"]
    own = return_risk.risk_assessment_record(acting_user=supervisor, case=case, factors=RISK)
    client.force_login(supervisor)
    page = reverse("cases:risk_page", args=[case.pk])
    assert "Sign off the latest assessment" not in client.get(page).content.decode()
    sign_off = reverse("cases:risk_sign_off", args=[case.pk, own.pk])
    response = client.post(sign_off, follow=True)
    assert "another supervisor must sign it off" in response.content.decode()
    assert not ReturnRiskAssessment.objects.get(pk=own.pk).is_signed_off
    other = make_user(org_a, Role.SUPERVISOR)
    client.force_login(other)
    assert "Sign off the latest assessment" in client.get(page).content.decode()
    assert client.post(sign_off).status_code == 302
    assert "Decide on the risk found" in client.get(page).content.decode()
    decide = reverse("cases:risk_decide", args=[case.pk, own.pk])
    response = client.post(decide, {"decision": "proceed", "reasons": ""})
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["reasons"][0].code == "risk_decision_reasons_missing"
    assert (
        client.post(decide, {"decision": "proceed", "reasons": "Protection in the capital."}).status_code
        == 302
    )
    assert ReturnRiskAssessment.objects.get(pk=own.pk).decision == "proceed"
    assert assessment.pk != own.pk


def test_departure_page_is_refused_with_the_reason_and_a_link(client, caseworker, make_case):
    case = make_case("forced_return")
    Case.objects.filter(pk=case.pk).update(state="risk_assessment")
    client.force_login(caseworker)
    url = reverse("cases:case_transition", args=[case.pk, "monitor_removal"])
    for response in (client.get(url), client.post(url, {"version": 1, "removal_date": days_ago(0)})):
        assert response.status_code == 400
        body = response.content.decode()
        assert 'data-code="risk_assessment_missing"' in body
        assert reverse("cases:risk_page", args=[case.pk]) in body
    assert Case.objects.get(pk=case.pk).state == "risk_assessment"


def test_summary_page_counts(world, client, supervisor):
    client.force_login(supervisor)
    body = client.get(reverse("cases:risk_summary")).content.decode()
    row = '<tr data-result="risk_found"><th scope="row">Risk on return found</th>'
    assert row + '<td class="num">0</td><td class="num">1</td>' in body


# API -------------------------------------------------------------------------------------------


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def test_api_record_sign_off_decide_and_depart(api, make_case, caseworker, supervisor, org_a, make_user):
    case = make_case("avrr")
    Case.objects.filter(pk=case.pk).update(
        state="fit_to_travel", opened_on=datetime.date.today() - datetime.timedelta(days=10)
    )
    cw, sup = api(caseworker), api(supervisor)
    depart = {
        "transition": "declare_fit_to_travel",
        "version": 1,
        "data": {"fit_to_travel_date": days_ago(1), "departure_date": days_ago(0)},
    }
    response = cw.post(f"/api/v1/cases/{case.pk}/transition/", depart, format="json")
    assert response.status_code == 400
    assert response.json()["codes"]["transition"] == ["risk_assessment_missing"]

    response = cw.post("/api/v1/risk-assessments/", {"case": case.pk, **RISK}, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["result"] == "risk_found" and created["persecution_notes"] == RISK["persecution_notes"]
    url = f"/api/v1/risk-assessments/{created['id']}/"

    assert cw.post(f"{url}sign-off/").status_code == 403
    assert sup.post(f"{url}sign-off/").json()["signed_off"] is True
    response = cw.post(f"/api/v1/cases/{case.pk}/transition/", depart, format="json")
    assert response.json()["codes"]["transition"] == ["risk_decision_missing"]

    response = sup.post(f"{url}decision/", {"decision": "proceed"}, format="json")
    assert response.status_code == 400
    assert response.json()["codes"]["reasons"] == ["risk_decision_reasons_missing"]
    response = sup.post(f"{url}decision/", {"decision": "proceed", "reasons": "Safe area."}, format="json")
    assert response.status_code == 200 and response.json()["clears_departure"] is True

    response = cw.post(f"/api/v1/cases/{case.pk}/transition/", depart, format="json")
    assert response.status_code == 200 and response.json()["state"] == "departure"
    listed = cw.get(f"/api/v1/risk-assessments/?case={case.pk}").json()
    assert [a["id"] for a in listed["results"]] == [created["id"]]


def test_api_bad_input_and_other_organisation(api, make_case, caseworker, caseworker_b, org_a, make_user):
    case = make_case("avrr")
    cw = api(caseworker)
    response = cw.post(
        "/api/v1/risk-assessments/", {"case": case.pk, "persecution": "no_risk"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["codes"]["torture"] == ["required"]
    response = cw.post(
        "/api/v1/risk-assessments/", {"case": case.pk, **NO_RISK, "torture": "x"}, format="json"
    )
    assert response.status_code == 400 and "torture" in response.json()
    response = api(caseworker_b).post(
        "/api/v1/risk-assessments/", {"case": case.pk, **NO_RISK}, format="json"
    )
    assert response.status_code == 400 and "case" in response.json()
    assessment = return_risk.risk_assessment_record(acting_user=caseworker, case=case, factors=RISK)
    other = api(caseworker_b)
    assert other.get(f"/api/v1/risk-assessments/{assessment.pk}/").status_code == 404
    assert other.post(f"/api/v1/risk-assessments/{assessment.pk}/sign-off/").status_code == 404
    auditor = api(make_user(org_a, Role.AUDITOR))
    seen = auditor.get(f"/api/v1/risk-assessments/{assessment.pk}/").json()
    assert seen["notes_visible"] is False and seen["persecution_notes"] is None
    assert not ReturnRiskAssessment.objects.filter(signed_off_at__isnull=False).exists()


def test_schema_lists_the_risk_operations(api, caseworker):
    paths = api(caseworker).get("/api/v1/schema/?format=json").json()["paths"]
    assert "/api/v1/risk-assessments/{id}/sign-off/" in paths
    assert "post" in paths["/api/v1/risk-assessments/{id}/decision/"]
