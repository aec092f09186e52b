"""Pages, downloads, API and command: who may, what they get, and bad input."""

import csv
import io
import json
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lindung.core.roles import Role
from lindung.stats.models import DisclosureSettings, Release

pytestmark = pytest.mark.django_db

VIEWERS = [
    Role.DATA_MANAGER,
    Role.RESEARCHER,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
    Role.SUPERVISOR,
    Role.ANALYST,
]
REFUSED = [Role.CASEWORKER, Role.SERVICE_PROVIDER, Role.ENGAGEMENT_COORDINATOR]
TABLE = "/stats/indicators/presumed_victims/"
QUERY = "?first=year&second=form_of_exploitation&third=&threshold=5&rounding="


def _client(make_user, org, *roles):
    client = Client()
    client.force_login(make_user(org, *roles))
    return client


@pytest.mark.parametrize("role", VIEWERS)
def test_viewers_see_dashboard_and_tables(make_user, records_a, role):
    client = _client(make_user, records_a, role)
    assert client.get("/stats/").status_code == 200
    response = client.get(TABLE + QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'class="table stats-table"' in html and "[c]" in html


@pytest.mark.parametrize("role", REFUSED)
def test_others_are_refused(make_user, records_a, role):
    client = _client(make_user, records_a, role)
    assert client.get("/stats/").status_code == 403
    assert client.get(TABLE).status_code == 403
    assert client.get(TABLE + "download/csv/").status_code == 403
    assert client.get("/stats/releases/").status_code == 403


def test_anonymous_is_sent_to_sign_in(records_a):
    response = Client().get(TABLE)
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_bad_options_show_a_clear_error(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    response = client.get(TABLE + "?first=year&second=year")
    assert response.status_code == 400 and "named twice" in response.content.decode()
    response = client.get(TABLE + "?first=year&year=20x")
    assert "four digits" in response.content.decode()
    assert client.get("/stats/indicators/nothing/").status_code == 404
    response = client.get(TABLE + "download/csv/?first=year&second=year")
    assert response.status_code == 400 and b"named twice" in response.content
    assert client.get(TABLE + "download/pdf/").status_code == 404


def test_nothing_to_count_is_said_plainly(make_user, org_b):
    response = _client(make_user, org_b, Role.DATA_MANAGER).get(TABLE)
    assert response.status_code == 200 and "no records to count" in response.content.decode()


def test_threshold_below_the_organisation_minimum_is_not_offered(make_user, records_a):
    DisclosureSettings.objects.create(organisation=records_a, threshold=10)
    client = _client(make_user, records_a, Role.RESEARCHER)
    response = client.get(TABLE + "?first=sex&threshold=5")
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def _download(client, fmt):
    response = client.get(f"{TABLE}download/{fmt}/{QUERY}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response


def test_downloads_in_every_format_keep_suppression(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    rows = list(csv.reader(io.StringIO(_download(client, "csv").content.decode())))
    assert rows[0][-2:] == ["Status", "Records covered"]
    assert any(r[-2] == "primary" and r[-3] == "" for r in rows[1:])
    hxl = list(csv.reader(io.StringIO(_download(client, "hxl").content.decode())))
    assert hxl[1][0] == "#date+year+reported" and "#indicator+exploitation+code" in hxl[1]
    assert hxl[1][-3:] == ["#affected+num", "#meta+status", "#meta+coverage+num"]
    sdmx = list(csv.reader(io.StringIO(_download(client, "sdmx-csv").content.decode())))
    assert sdmx[0][:5] == ["STRUCTURE", "STRUCTURE_ID", "ACTION", "TIME_PERIOD", "FORM_OF_EXPLOITATION"]
    assert sdmx[1][:3] == ["dataflow", "LINDUNG:PRESUMED_VICTIMS(1.0)", "I"]
    withheld = [r for r in sdmx[1:] if r[6] == "Q"]
    assert withheld and all(r[5] == "" and r[7] in ("C", "D") for r in withheld)
    assert any(r[3] == "_T" and r[4] == "_T" for r in sdmx[1:])
    book = openpyxl.load_workbook(io.BytesIO(_download(client, "xlsx").content))
    assert book.sheetnames == ["Table", "Data", "Rules"]
    assert any(cell.value == "[c]" for row in book["Table"].iter_rows() for cell in row)


def _shown_digest(client, query=QUERY):
    """The digest of the table's parameters that the indicator page puts in its freeze form."""
    html = client.get(TABLE + query).content.decode()
    found = re.findall(r'name="digest" value="([0-9a-f]+)"', html)
    assert len(set(found)) == 1, found
    return found[0]


def test_release_from_the_page(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    response = client.post(
        "/stats/releases/new/",
        {
            "title": "Presumed victims 2016-2023",
            "table": "indicator=presumed_victims&" + QUERY[1:],
            "digest": _shown_digest(client),
            "confirm": "yes",
        },
    )
    release = Release.objects.get()
    assert response.status_code == 302 and response["Location"] == release.get_absolute_url()
    page = client.get(release.get_absolute_url()).content.decode()
    assert release.identifier in page and "How to cite" in page and "[c]" in page
    assert "Reproducible" in page
    download = client.get(f"{release.get_absolute_url()}tables/0/sdmx-csv/")
    assert download.status_code == 200 and b"LINDUNG:PRESUMED_VICTIMS(1.0)" in download.content
    assert client.get(f"{release.get_absolute_url()}tables/5/csv/").status_code == 404


def test_release_refusals(make_user, records_a, org_b):
    manager = _client(make_user, records_a, Role.DATA_MANAGER)
    response = manager.post("/stats/releases/new/", {"title": "", "table": "indicator=presumed_victims"})
    assert response.status_code == 400 and not Release.objects.exists()
    response = manager.post("/stats/releases/new/", {"title": "x", "table": "indicator=nope"})
    assert response.status_code == 400 and "Unknown indicator" in response.content.decode()
    researcher = _client(make_user, records_a, Role.RESEARCHER)
    assert (
        researcher.post(
            "/stats/releases/new/", {"title": "x", "table": "indicator=presumed_victims"}
        ).status_code
        == 403
    )
    manager.post(
        "/stats/releases/new/",
        {
            "title": "Mine",
            "table": "indicator=presumed_victims",
            "digest": _shown_digest(manager, ""),
            "confirm": "yes",
        },
    )
    release = Release.objects.get()
    stranger = _client(make_user, org_b, Role.DATA_MANAGER)
    assert stranger.get(release.get_absolute_url()).status_code == 404
    assert stranger.get(f"{release.get_absolute_url()}tables/0/csv/").status_code == 404
    assert "Mine" not in stranger.get("/stats/releases/").content.decode()


def test_settings_page(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    form = {"threshold": 10, "rounding": 5, "k": 11, "annual_epsilon_budget": 3}
    assert client.post("/stats/settings/", form).status_code == 302
    settings = DisclosureSettings.objects.get(organisation=records_a)
    assert (settings.threshold, settings.rounding) == (10, 5)
    response = client.post("/stats/settings/", {**form, "threshold": 2})
    assert response.status_code == 200 and "refused" in response.content.decode()
    assert DisclosureSettings.objects.get(organisation=records_a).threshold == 10
    assert _client(make_user, records_a, Role.RESEARCHER).get("/stats/settings/").status_code == 403


# API ---------------------------------------------------------------------------------------


def test_api_indicators_and_table(make_user, records_a):
    client = _client(make_user, records_a, Role.RESEARCHER)
    listed = client.get("/api/v1/stats/indicators/").json()
    assert {"presumed_victims", "incidents_at_sea", "cases_opened"} <= {i["id"] for i in listed}
    body = client.get("/api/v1/stats/indicators/presumed_victims/table/?by=year,sex").json()
    assert body["by"] == ["year", "sex"] and body["rules"]["primary_suppression"]["threshold"] == 5
    assert all((c["value"] is None) == bool(c["status"]) for c in body["cells"])
    response = client.get("/api/v1/stats/indicators/presumed_victims/table/?by=year&output=sdmx-csv")
    assert response.status_code == 200 and response.content.startswith(b"STRUCTURE,STRUCTURE_ID,ACTION")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("by=colour", 400),
        ("threshold=1", 400),
        ("epsilon=0", 400),
        ("epsilon=11", 400),
        ("filter=sex", 400),
        ("output=pdf", 400),
        ("rounding=7", 400),
    ],
)
def test_api_bad_input(make_user, records_a, query, code):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    response = client.get(f"/api/v1/stats/indicators/presumed_victims/table/?{query}")
    assert response.status_code == code and response.json()


def test_api_unknown_indicator_and_refused_roles(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    assert client.get("/api/v1/stats/indicators/nope/table/").status_code == 404
    assert client.get("/api/v1/stats/indicators/nope/").status_code == 404
    caseworker = _client(make_user, records_a, Role.CASEWORKER)
    assert caseworker.get("/api/v1/stats/indicators/").status_code == 403
    assert caseworker.get("/api/v1/stats/indicators/presumed_victims/table/").status_code == 403


def test_api_release_create(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    payload = {"title": "API release", "tables": [{"indicator": "presumed_victims", "by": "year,sex"}]}
    response = client.post("/api/v1/stats/releases/", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["identifier"] and body["tables"][0]["table"]["by"] == ["year", "sex"]
    assert client.get(f"/api/v1/stats/releases/{body['id']}/").json()["citation"]
    bad = client.post(
        "/api/v1/stats/releases/",
        json.dumps({"title": "x", "tables": [{"indicator": "nope"}]}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "table 1" in bad.json()["detail"]
    researcher = _client(make_user, records_a, Role.RESEARCHER)
    assert (
        researcher.post(
            "/api/v1/stats/releases/", json.dumps(payload), content_type="application/json"
        ).status_code
        == 403
    )


# command -------------------------------------------------------------------------------------


def test_command_writes_a_protected_table(make_user, records_a, tmp_path):
    user = make_user(records_a, Role.DATA_MANAGER, username="dm")
    target = tmp_path / "t.csv"
    call_command(
        "stats",
        "table",
        "presumed_victims",
        "--by",
        "year,sex",
        "--user",
        "dm",
        "--format",
        "hxl",
        "--output",
        str(target),
    )
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[1][0].startswith("#date") and user


@pytest.mark.parametrize(
    "args",
    [["--threshold", "2"], ["--dp", "0"], ["--by", "year,shoe"], ["--filter", "sex"], ["--user", "nobody"]],
)
def test_command_refuses_bad_input(make_user, records_a, args):
    make_user(records_a, Role.DATA_MANAGER, username="dm")
    base = ["stats", "table", "presumed_victims", "--user", "dm"]
    with pytest.raises(CommandError):
        call_command(*base, *args)


def test_command_microdata_is_k_anonymous(make_user, records_a, tmp_path):
    make_user(records_a, Role.DATA_MANAGER, username="dm")
    target = tmp_path / "m.csv"
    call_command("stats", "microdata", "--user", "dm", "--k", "11", "--output", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    groups: dict = {}
    for row in rows:
        key = (row["sex"], row["age_group"], row["citizenship"])
        groups[key] = groups.get(key, 0) + 1
    assert rows and min(groups.values()) >= 11
    with pytest.raises(CommandError, match="below"):
        call_command("stats", "microdata", "--user", "dm", "--k", "5")


def test_release_with_several_tables_through_the_draft(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    for query in ("indicator=presumed_victims", "indicator=presumed_victims&first=sex&second=age_group"):
        digest = _shown_digest(client, "?" + query.partition("&")[2])
        assert client.post("/stats/releases/draft/", {"table": query, "digest": digest}).status_code == 302
    bad = client.post(
        "/stats/releases/draft/", {"table": "indicator=presumed_victims&first=shoe"}, follow=True
    )
    assert "Select a valid choice" in bad.content.decode() or "not valid" in bad.content.decode()
    page = client.get("/stats/releases/new/")
    assert page.status_code == 200 and page.content.decode().count('name="table"') == 2
    queries, digests = zip(*client.session["stats_release_draft"], strict=True)
    response = client.post(
        "/stats/releases/new/", {"title": "Two tables", "table": queries, "digest": digests, "confirm": "yes"}
    )
    release = Release.objects.get()
    assert response.status_code == 302 and release.tables.count() == 2
    assert client.session["stats_release_draft"] == []
    assert _client(make_user, records_a, Role.RESEARCHER).get("/stats/releases/new/").status_code == 403


@pytest.mark.parametrize(
    ("year", "code"), [("²⁰²²", "invalid"), ("٢٠٢٢", "invalid"), ("99999999999999999999", "max_value")]
)
def test_years_are_four_ascii_digits_or_refused_with_a_code(db, year, code):
    from lindung.stats import indicators
    from lindung.stats.forms import TableForm

    form = TableForm(
        {"first": "year", "year": f"2022,{year}", "threshold": "5"},
        indicator=indicators.get("presumed_victims"),
        settings=DisclosureSettings(),
    )
    assert not form.is_valid() and form.errors.as_data()["year"][0].code == code


def test_years_with_spaces_and_signs_are_read(db):
    from lindung.stats import indicators
    from lindung.stats.forms import TableForm

    form = TableForm(
        {"first": "year", "year": " 2022 , +2023", "threshold": "5"},
        indicator=indicators.get("presumed_victims"),
        settings=DisclosureSettings(),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["year"] == ["2022", "2023"]


# a release freezes the table on screen ------------------------------------------------------------


def test_a_table_whose_options_changed_since_it_was_shown_is_not_frozen(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    shown = _shown_digest(client)  # the query leaves rounding to the organisation's settings
    DisclosureSettings.objects.create(organisation=records_a, threshold=5, rounding=5)
    table = "indicator=presumed_victims&" + QUERY[1:]
    response = client.post("/stats/releases/new/", {"title": "Rounded now", "table": table, "digest": shown})
    assert response.status_code == 400 and not Release.objects.exists()
    assert response.context["codes"] == ["table_changed"], response.context["errors"]
    assert f'href="{TABLE}?{table}"'.replace("&", "&amp;") in response.content.decode()
    # Looking again shows the rounded table, whose digest now freezes.
    again = client.post(
        "/stats/releases/new/",
        {"title": "Rounded now", "table": table, "digest": _shown_digest(client), "confirm": "yes"},
    )
    assert again.status_code == 302
    assert Release.objects.get().tables.get().payload["rules"]["rounding"] == {"base": 5}


@pytest.mark.parametrize("digests", [[], ["0" * 32], ["", ""]])
def test_a_missing_or_forged_digest_is_refused(make_user, records_a, digests):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    table = "indicator=presumed_victims&" + QUERY[1:]
    response = client.post("/stats/releases/new/", {"title": "t", "table": table, "digest": digests})
    assert response.status_code == 400 and not Release.objects.exists()
    assert set(response.context["codes"]) == {"table_changed"}


def test_the_draft_keeps_the_table_shown_and_refuses_one_changed_since(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    query = "indicator=presumed_victims&first=sex&second=&third=&threshold=5&rounding="
    forged = client.post("/stats/releases/draft/", {"table": query, "digest": "0" * 32}, follow=True)
    assert "not the one that was shown" in forged.content.decode()
    assert client.session.get("stats_release_draft", []) == []
    digest = _shown_digest(client, "?" + query.partition("&")[2])
    client.post("/stats/releases/draft/", {"table": query, "digest": digest})
    assert client.session["stats_release_draft"] == [[query, digest]]
    page = client.get("/stats/releases/new/").content.decode()
    assert f'name="digest" value="{digest}"' in page
    DisclosureSettings.objects.create(organisation=records_a, threshold=5, rounding=5)
    response = client.post(
        "/stats/releases/new/", {"title": "t", "table": [query], "digest": [digest], "confirm": "yes"}
    )
    assert response.status_code == 400 and response.context["codes"] == ["table_changed"]
    assert not Release.objects.exists() and client.session["stats_release_draft"] == [[query, digest]]


def test_check_tables_shown_names_each_changed_table(manager):
    from django.core.exceptions import ValidationError

    from lindung.stats import services
    from lindung.stats.tables import protected_table

    first = protected_table(manager, "presumed_victims", ["year"])
    second = protected_table(manager, "presumed_victims", ["sex"], threshold=10)
    services.check_tables_shown([first, second], [first.parameters_digest, second.parameters_digest])
    with pytest.raises(ValidationError) as refused:
        services.check_tables_shown([first, second], [first.parameters_digest, first.parameters_digest])
    assert [(e.code, e.params["position"]) for e in refused.value.error_list] == [("table_changed", 1)]
    assert (
        first.parameters_digest
        != protected_table(manager, "presumed_victims", ["year"], rounding=5).parameters_digest
    )


# irreversible actions ask first -----------------------------------------------------------------


def test_freezing_a_release_asks_first_and_says_what_will_happen(make_user, records_a):
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    table = "indicator=presumed_victims&" + QUERY[1:]
    posted = {"title": "Victims, 2016-2023", "notes": "n", "table": table, "digest": _shown_digest(client)}
    for confirm in ({}, {"confirm": "no"}):
        asked = client.post("/stats/releases/new/", {**posted, **confirm})
        assert asked.status_code == 200 and asked.templates[0].name == "core/confirm.html"
        assert not Release.objects.exists()
    html = asked.content.decode()
    assert "Victims, 2016-2023" in html and "can never be changed" in html
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert hidden["digest"] == posted["digest"] and hidden["confirm"] == "yes"
    assert hidden["table"] == table.replace("&", "&amp;")
    assert f'href="{TABLE}?{table}"'.replace("&", "&amp;") in html
    assert client.post("/stats/releases/new/", {**posted, "confirm": "yes"}).status_code == 302
    assert Release.objects.get().title == "Victims, 2016-2023"


def test_differential_privacy_spends_budget_only_once_confirmed(make_user, records_a):
    from lindung.stats.models import PrivacyBudgetEntry

    client = _client(make_user, records_a, Role.DATA_MANAGER)
    query = "?first=sex&second=&third=&threshold=5&rounding=&epsilon=0.5"
    asked = client.get(TABLE + query)
    assert asked.status_code == 200 and asked.templates[0].name == "core/confirm.html"
    assert "epsilon 0.5" in asked.content.decode() and not PrivacyBudgetEntry.objects.exists()
    assert f'action="{TABLE}{query}"'.replace("&", "&amp;") in asked.content.decode()
    download = client.get(f"{TABLE}download/csv/{query}")
    assert download.status_code == 400 and not PrivacyBudgetEntry.objects.exists()
    assert client.post(TABLE + query).status_code == 302  # not confirmed: nothing spent
    assert not PrivacyBudgetEntry.objects.exists()
    spent = client.post(TABLE + query, {"confirm": "yes"})
    assert spent.status_code == 302 and spent["Location"] == TABLE + query
    assert PrivacyBudgetEntry.objects.get().epsilon == 0.5
    shown = client.get(TABLE + query)
    assert shown.status_code == 200 and 'class="table stats-table"' in shown.content.decode()
    assert client.get(f"{TABLE}download/csv/{query}").status_code == 200
    assert PrivacyBudgetEntry.objects.count() == 1


def test_the_freeze_form_carries_the_table_on_screen(make_user, records_a):
    """Both forms under the table post the query of the table shown, not the indicator's default."""
    client = _client(make_user, records_a, Role.DATA_MANAGER)
    html = client.get(TABLE + "?first=sex&second=age_group&threshold=10&rounding=3").content.decode()
    tables = re.findall(r'name="table" value="([^"]*)"', html)
    assert len(tables) == 2 and len(set(tables)) == 1
    table = tables[0].replace("&amp;", "&")
    posted = {
        "title": "Shown",
        "table": table,
        "digest": _shown_digest(client, "?" + table.partition("&")[2]),
    }
    assert client.post("/stats/releases/new/", {**posted, "confirm": "yes"}).status_code == 302
    frozen = Release.objects.get().tables.get()
    assert frozen.by == ["sex", "age_group"]
    rules = frozen.payload["rules"]
    assert rules["primary_suppression"]["threshold"] == 10 and rules["rounding"] == {"base": 3}
