"""API under /api/v1/, the selectors other apps call, visibility across organisations, the demo."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from lindung.core.roles import Role
from lindung.core.services import api_token_create
from lindung.frameworks import hooks, selectors, services
from lindung.frameworks.models import Instrument, Recommendation

pytestmark = pytest.mark.django_db


def api(org, make_user, *roles):
    user = make_user(org, *roles)
    _token, secret = api_token_create(acting_user=user, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.user = user
    return client


def test_instrument_list_filters_and_search(shipped, org_b, make_user):
    client = api(org_b, make_user, Role.CASEWORKER)
    everything = client.get("/api/v1/framework-instruments/?limit=100").json()
    assert everything["count"] >= 15
    thai_laws = client.get("/api/v1/framework-instruments/?country=THA&type=national_law").json()["results"]
    assert {i["country"] for i in thai_laws} == {"THA"} and len(thai_laws) == 2
    found = client.get("/api/v1/framework-instruments/", {"q": '"criminal prosecution"'}).json()["results"]
    assert [i["short_title"] for i in found] == ["Smuggling of Migrants Protocol"]
    atd = client.get("/api/v1/framework-provisions/?theme=atd&country=THA").json()["results"]
    assert atd and all("atd" in p["themes"] for p in atd)
    phrase = client.get("/api/v1/framework-provisions/", {"q": '"non-refoulement"'}).json()["results"]
    # The Smuggling Protocol's saving clause and the Convention against Torture's article 3.
    assert sorted(p["reference"] for p in phrase) == ["Article 14", "Article 3(1)"]


@pytest.mark.parametrize(
    "query", ["country=ZZZ", "theme=flying", "type=poem", "status=asleep", "q=" + "x" * 300]
)
def test_bad_filters_are_400(shipped, org_a, make_user, query):
    client = api(org_a, make_user, Role.RESEARCHER)
    response = client.get(f"/api/v1/framework-instruments/?{query}")
    assert response.status_code == 400 and isinstance(response.json(), dict)


def test_create_through_the_api(org_a, make_user):
    client = api(org_a, make_user, Role.RESEARCHER)
    body = {
        "title_en": "API Act",
        "instrument_type": "national_law",
        "country": "THA",
        "status": "in_force",
        "adopted_on": "2020-01-01",
        "citation": "Royal Gazette (test)",
    }
    response = client.post("/api/v1/framework-instruments/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["title_original"] == "API Act" and response.json()["verification"] == "unverified"
    duplicate = client.post("/api/v1/framework-instruments/", body, content_type="application/json")
    assert duplicate.status_code == 400 and "already recorded" in str(duplicate.json())
    bad_dates = client.post(
        "/api/v1/framework-instruments/",
        {**body, "title_en": "Other", "in_force_on": "2019-01-01"},
        content_type="application/json",
    )
    assert bad_dates.status_code == 400 and "in_force_on" in bad_dates.json()
    unknown = client.post(
        "/api/v1/framework-instruments/",
        {**body, "title_en": "Third", "implements": [999999]},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "implements" in unknown.json()
    huge = client.post(
        "/api/v1/framework-instruments/",
        {**body, "title_en": "Fourth", "implements": [2**70]},
        content_type="application/json",
    )
    assert huge.status_code == 400 and "implements" in huge.json()
    assert Instrument.objects.filter(title_en__in=["Other", "Third"]).count() == 0


def test_api_roles(org_a, make_user, shipped):
    reader = api(org_a, make_user, Role.CASEWORKER)
    body = {"title_en": "Refused", "instrument_type": "national_law", "country": "THA", "status": "in_force"}
    assert (
        reader.post("/api/v1/framework-instruments/", body, content_type="application/json").status_code
        == 403
    )
    auditor = api(org_a, make_user, Role.AUDITOR)
    assert auditor.get("/api/v1/framework-instruments/").json()["count"] == 0
    assert auditor.get("/api/v1/framework-matrix/?countries=IDN").status_code == 403
    assert Client().get("/api/v1/framework-instruments/").status_code in (401, 403)


def test_matrix_api(shipped, org_a, make_user):
    client = api(org_a, make_user, Role.CASEWORKER)
    body = client.get("/api/v1/framework-matrix/?countries=IDN,THA").json()
    assert body["countries"] == ["IDN", "THA"] and "atd" in body["themes"]
    thai_atd = next(c for c in body["cells"] if c["country"] == "THA" and c["theme"] == "atd")
    assert any(e["in_force"] and e["type"] == "sop" and e["provisions"] for e in thai_atd["entries"])
    idn_gaps = next(g for g in body["gaps"] if g["country"] == "IDN")
    assert "atd" in idn_gaps["themes_without_instrument_in_force"]
    for bad in ("", "countries=", "countries=IDN,ATL", "countries=" + ",".join(["IDN"] * 5 + ["X"])):
        assert client.get(f"/api/v1/framework-matrix/?{bad}").status_code == 400


def test_schema_lists_the_operations(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    for expected in (
        "/api/v1/framework-instruments/",
        "/api/v1/framework-instruments/{id}/",
        "/api/v1/framework-provisions/",
        "/api/v1/framework-matrix/",
    ):
        assert expected in paths
    matrix = paths["/api/v1/framework-matrix/"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert matrix == {"$ref": "#/components/schemas/Matrix"}


# visibility and links ------------------------------------------------------------------------------


def test_unshared_entries_stay_in_their_organisation(org_a, org_b, make_user, make_instrument, researcher):
    draft = make_instrument(title_en="Draft under preparation", shared=False)
    reader_a, reader_b = make_user(org_a, Role.CASEWORKER), make_user(org_b, Role.CASEWORKER)
    editor_b = make_user(org_b, Role.RESEARCHER)
    assert draft in selectors.instruments_visible(reader_a)
    assert draft not in selectors.instruments_visible(reader_b)
    assert not selectors.search_entries(reader_b, "preparation").exists()
    with pytest.raises(PermissionDenied):
        services.instrument_update(acting_user=editor_b, instrument=draft, data={"summary": "x"})
    rec = services.recommendation_save(
        acting_user=researcher,
        kind="recommendation",
        title="Internal",
        text="x",
        source="Internal meeting",
        shared=False,
    )
    assert rec in selectors.recommendations_visible(reader_a)
    assert not selectors.recommendations_visible(reader_b).filter(pk=rec.pk).exists()


def test_instruments_for_link(shipped, researcher, treaty):
    agreements = selectors.instruments_for_link(researcher, type="readmission_agreement", country="MYS")
    assert list(agreements) == [treaty]
    assert list(selectors.instruments_for_link(researcher, type="readmission_agreement", country="THA")) == []
    laws = selectors.instruments_for_link(researcher, type=["national_law", "regulation"], country="IDN")
    assert laws.count() == 4 and all(i.country == "IDN" for i in laws)


def test_statistics_hook_feeds_the_matrix(shipped, researcher, client_for, org_a):
    def provider(user, countries):
        return {"IDN": [("Returns assisted (test)", 42)], "XXX": [("ignored", 1)]}

    def broken(user, countries):
        raise RuntimeError("stats down")

    hooks.register_country_counts(provider)
    hooks.register_country_counts(broken)
    try:
        matrix = selectors.country_matrix(researcher, ["IDN", "THA"])
        assert matrix.country_counts == {"IDN": [("Returns assisted (test)", 42)], "THA": []}
        page = client_for(org_a, Role.CASEWORKER).get("/frameworks/matrix/?countries=IDN")
        assert b"Returns assisted (test): 42" in page.content
    finally:
        hooks.unregister_country_counts(provider)
        hooks.unregister_country_counts(broken)


def test_demo_is_idempotent_and_spans_two_organisations():
    from lindung.core import demo as core_demo
    from lindung.frameworks import demo

    ctx = {}
    core_demo.load(ctx)
    demo.load(ctx)
    from lindung.core.models import AuditEntry

    counts = (Instrument.objects.count(), Recommendation.objects.count(), AuditEntry.objects.count())
    demo.load(ctx)
    assert (Instrument.objects.count(), Recommendation.objects.count(), AuditEntry.objects.count()) == counts
    organisations = set(Instrument.objects.values_list("entered_in", flat=True)) | set(
        Recommendation.objects.values_list("entered_in", flat=True)
    )
    assert {ctx["orgs"]["gov_id"].pk, ctx["orgs"]["agency_kl"].pk} <= organisations
    matrix = selectors.country_matrix(ctx["users"]["researcher"], ["IDN", "MYS", "THA"])
    assert all(matrix.entries[c] for c in ("IDN", "MYS", "THA"))
    assert [e.instrument.title_en for e in matrix.gaps("IDN").expired] == [demo.FICTIONAL_ARRANGEMENT]
    assert not Instrument.objects.filter(is_example=False, country__in=["IDN", "MYS", "THA"]).exists()


def test_links_never_name_unshared_instruments_of_others(
    org_b, make_user, make_instrument, researcher, treaty
):
    draft = make_instrument(title_en="Secret draft implementing law", shared=False, implements=[treaty])
    services.recommendation_save(
        acting_user=researcher,
        kind="recommendation",
        title="Shared rec",
        text="x",
        source="Review",
        instruments=[draft, treaty],
    )
    reader_b = make_user(org_b, Role.CASEWORKER)
    assert list(selectors.instrument_get(reader_b, treaty.pk).implemented_by.all()) == []
    assert list(selectors.instrument_get(researcher, treaty.pk).implemented_by.all()) == [draft]
    rec = selectors.recommendations_visible(reader_b).get(title="Shared rec")
    assert list(rec.instruments.all()) == [treaty]
    client = Client()
    client.force_login(reader_b)
    assert b"Secret draft" not in client.get(treaty.get_absolute_url()).content
    assert b"Secret draft" not in client.get("/frameworks/recommendations/").content
