"""MMP files as IOM published them in 2019, 2021 and 2026 (synthetic rows, the real shapes):
swapped coordinates, the current layout's dates and keys, route and cause labels, land deaths,
partial imports, and totals checked against an independent count of each file."""

import csv
import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lindung.core.roles import Role
from lindung.maritime import importers
from lindung.maritime.models import Incident
from lindung.stats import tables

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
FILES = {"2019": "mmp_2019.csv", "2021": "mmp_2021.csv", "2026": "mmp_2026.csv"}
# Where each incident happened, read by a person from the row (not by the importer's rules).
AT_SEA = {
    "2019": {"51003", "51004", "51007", "51010"},
    "2021": {"70004", "70005", "70006", "70008"},
    "2026": {f"2026.MMP000{n:02d}" for n in (1, 2, 4, 5, 9, 10)},
}
KEYS = {"2019": "Web ID", "2021": "Web ID", "2026": "Incident ID"}
DEAD = {"2019": "Number Dead", "2021": "Number Dead", "2026": "Number of Dead"}
MISSING = "Minimum Estimated Number of Missing"


def run(path, org, *extra):
    out, err = StringIO(), StringIO()
    call_command(
        "maritime", "import", str(path), "--format", "mmp", "--organisation", str(org.pk), "--json", *extra,
        stdout=out, stderr=err,
    )  # fmt: skip
    return json.loads(out.getvalue())


def rows_of(year):
    with open(DATA / FILES[year], encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def number(text):
    return int(text) if text.strip() else 0


def by_key(year, key):
    return Incident.objects.get(source_id=f"mmp:{key}")


# 1. coordinates written longitude first; --partial ---------------------------------------------


def test_2021_swapped_coordinates_are_fixed_and_reported(org_a):
    summary = run(DATA / "mmp_2021.csv", org_a)
    assert summary["ok"] is True and summary["imported"] == 10
    assert [(f["row"], f["code"]) for f in summary["fixes"]] == [
        (2, "coordinates_swapped"),
        (3, "coordinates_swapped"),
        (11, "coordinates_swapped"),
    ]
    assert {f["column"] for f in summary["fixes"]} == {"Location Coordinates"}
    incident = by_key("2021", "70001")
    assert (str(incident.latitude), str(incident.longitude)) == ("31.483900", "-111.543200")
    assert incident.source_notes == ["coordinates_swapped"]


def test_coordinates_out_of_range_both_ways_import_without_a_position_and_warn(org_a):
    summary = run(DATA / "mmp_2021.csv", org_a)
    assert [(w["row"], w["code"]) for w in summary["warnings"]] == [(9, "coordinates_out_of_range")]
    incident = by_key("2021", "70008")
    assert not incident.has_position and incident.area == "Mediterranean"
    assert incident.source_notes == ["coordinates_out_of_range"]


def test_the_incident_page_says_the_coordinates_were_swapped(client_for, org_a):
    run(DATA / "mmp_2021.csv", org_a)
    client = client_for(org_a, Role.ANALYST)
    page = client.get(by_key("2021", "70001").get_absolute_url()).content.decode()
    assert "coordinates were swapped in the source" in page
    assert "swapped" not in client.get(by_key("2021", "70004").get_absolute_url()).content.decode()


def _with_bad_row(tmp_path):
    text = (DATA / "mmp_2021.csv").read_text(encoding="utf-8")
    bad = text.splitlines()[1].replace("70001", "70011").replace('"January 6, 2021"', "sometime")
    path = tmp_path / "with-bad-row.csv"
    path.write_text(text + bad + "\n", encoding="utf-8")
    return path


def test_a_genuine_error_still_refuses_the_whole_file(org_a, tmp_path):
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "maritime", "import", str(_with_bad_row(tmp_path)), "--format", "mmp",
            "--organisation", str(org_a.pk), "--json", stdout=out, stderr=StringIO(),
        )  # fmt: skip
    summary = json.loads(out.getvalue())
    assert (summary["rows"], summary["imported"], summary["skipped"], summary["refused"]) == (11, 0, 11, 11)
    assert summary["error_list"] == [
        {
            "row": 12,
            "column": "Reported Date",
            "code": "date_invalid",
            "message": summary["error_list"][0]["message"],
        }
    ]
    assert not Incident.objects.exists()


def test_partial_imports_the_valid_rows_and_reports_the_rest(org_a, tmp_path):
    summary = run(_with_bad_row(tmp_path), org_a, "--partial")
    assert summary["partial"] is True and summary["ok"] is False
    assert (summary["rows"], summary["imported"], summary["skipped"], summary["refused"]) == (11, 10, 1, 1)
    assert summary["rows"] == summary["imported"] + summary["skipped"]
    assert [(e["row"], e["code"]) for e in summary["error_list"]] == [(12, "date_invalid")]
    assert len(summary["fixes"]) == 3 and len(summary["warnings"]) == 1
    assert Incident.objects.count() == 10 and not Incident.objects.filter(source_id="mmp:70011").exists()
    again = run(_with_bad_row(tmp_path), org_a, "--partial")
    assert (again["imported"], again["unchanged"], again["refused"], again["skipped"]) == (0, 10, 1, 11)


# 2. the current layout ---------------------------------------------------------------------------


def test_2026_layout_keys_on_incident_id_and_keeps_main_id_as_the_event(org_a):
    summary = run(DATA / "mmp_2026.csv", org_a)
    assert (summary["ok"], summary["rows"], summary["created"]) == (True, 10, 10)
    first, second = by_key("2026", "2026.MMP00002"), by_key("2026", "2026.MMP00003")
    assert first.source_event_id == second.source_event_id == "2026.MMP00002"
    assert Incident.objects.filter(source_event_id="2026.MMP00007").count() == 2
    assert first.occurred_at == datetime.datetime(2026, 1, 17, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu, 01/01/2026 - 12:00", datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)),
        ("Sat, 03/21/2026 - 08:30", datetime.datetime(2026, 3, 21, 8, 30, tzinfo=datetime.UTC)),
        # the weekday tells the order: 2 March 2026 is a Monday, 3 February a Tuesday
        ("Mon, 02/03/2026 - 12:00", datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)),
        ("Tue, 02/03/2026", datetime.datetime(2026, 2, 3, 0, 0, tzinfo=datetime.UTC)),
    ],
)
def test_current_layout_dates(text, expected):
    assert importers.parse_date(text) == expected


@pytest.mark.parametrize("text", ["Fri, 01/01/2026 - 12:00", "Thu, 01/01/2026 - 25:00", "Thu, 13/13/2026"])
def test_current_layout_dates_that_do_not_hold_are_refused(text):
    with pytest.raises(importers.RowError) as refused:
        importers.parse_date(text)
    assert refused.value.code == "date_invalid"


def test_column_names_match_without_regard_to_case_or_spacing(org_a, tmp_path):
    text = (DATA / "mmp_2026.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    path = tmp_path / "renamed.csv"
    path.write_text(
        header.replace("Number of Dead", "number  of dead").upper() + "\n" + rest, encoding="utf-8"
    )
    summary = run(path, org_a)
    assert summary["ok"] is True and by_key("2026", "2026.MMP00001").dead == 3


# 3. routes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Western Africa / Atlantic route to the Canary Islands", "atlantic_canary"),
        ("Horn Africa to Yemen", "horn_of_africa_yemen"),
        ("Calais to United Kingdom", "english_channel"),
        ("Bay of Bengal/Andaman Sea", "bay_of_bengal_andaman"),
        ("Eastern Route to/from EHOA", "horn_of_africa_yemen"),
        ("Sea crossings to Mayotte", "comoros_mayotte"),
        ("Mainland Europe to the UK", "english_channel"),
        ("  central   MEDITERRANEAN ", "central_mediterranean"),
        ("Sea route from Bangladesh/Myanmar", "bay_of_bengal_andaman"),
    ],
)
def test_route_labels_match_after_normalisation(label, code):
    assert importers.migration_route(label) == (code, True)


def test_unmatched_route_labels_are_counted_in_the_summary(org_a):
    assert run(DATA / "mmp_2019.csv", org_a)["unmatched"]["route"] == {"Sahara Desert crossing": 1}
    assert run(DATA / "mmp_2021.csv", org_a)["unmatched"]["route"] == {"US-Mexico border crossing": 4}
    assert run(DATA / "mmp_2026.csv", org_a)["unmatched"]["route"] == {
        "Darien": 2,
        "Caribbean to Central America": 1,
        "US-Mexico border crossing": 1,
    }
    assert by_key("2026", "2026.MMP00007").route == "other"
    assert by_key("2021", "70005").route == "atlantic_canary"


# 4. causes of death ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Sickness and lack of access to medicines", "sickness"),
        ("Presumed drowning", "drowning"),
        ("Vehicle Accident", "transport"),
        ("Shot", "violence"),
        ("Hypothermia, Exhaustion", "environment"),
        ("Harsh environmental conditions / lack of adequate shelter, food, water", "environment"),
        ("Vehicle accident / death linked to hazardous transport", "transport"),
        ("Sickness / lack of access to adequate healthcare", "sickness"),
        ("Accidental death", "accidental"),
        ("Fall from train", "transport"),
        ("Mixed or unknown", "mixed_unknown"),
        ("Unknown (skeletal remains)", "mixed_unknown"),
        # several causes named: mixed, as MMP's documentation says
        ("Drowning, Violence", "mixed_unknown"),
        ("Sickness / lack of access to adequate healthcare,Drowning", "mixed_unknown"),
        ("Harsh environmental conditions / lack of adequate shelter, food, water, Violence", "mixed_unknown"),
    ],
)
def test_mmp_causes_of_death(text, code):
    codes, unmatched = importers.causes_of_death(text)
    assert importers.cause_of_death(codes, unmatched) == code and unmatched == []


def test_an_unknown_cause_is_mixed_and_reported(org_a, tmp_path):
    text = (DATA / "mmp_2019.csv").read_text(encoding="utf-8-sig").replace("Shot", "Xyzzy")
    path = tmp_path / "odd-cause.csv"
    path.write_text(text, encoding="utf-8")
    summary = run(path, org_a)
    assert summary["unmatched"]["cause"] == {"Xyzzy": 1}
    assert by_key("2019", "51006").cause_of_death == "mixed_unknown"


def test_2019_causes_are_kept(org_a):
    run(DATA / "mmp_2019.csv", org_a)
    causes = dict(Incident.objects.values_list("source_id", "cause_of_death"))
    assert causes == {
        "mmp:51001": "sickness", "mmp:51002": "drowning", "mmp:51003": "drowning", "mmp:51004": "drowning",
        "mmp:51005": "transport", "mmp:51006": "violence", "mmp:51007": "environment",
        "mmp:51008": "environment", "mmp:51009": "mixed_unknown", "mmp:51010": "mixed_unknown",
    }  # fmt: skip


# 5. at sea or on land, and the independent count ------------------------------------------------


@pytest.mark.parametrize("year", sorted(FILES))
def test_where_each_incident_happened(org_a, year):
    run(DATA / FILES[year], org_a)
    for row in rows_of(year):
        expected = Incident.Setting.SEA if row[KEYS[year]] in AT_SEA[year] else Incident.Setting.LAND
        assert (row[KEYS[year]], by_key(year, row[KEYS[year]]).setting) == (row[KEYS[year]], expected)


def test_no_signal_is_in_transit_or_not_known():
    assert (
        importers.incident_setting(region="Caribbean", location="Haiti", route="", causes=set()) == "unknown"
    )


def _indicator_total(user, indicator_id):
    request = tables.build_request(indicator_id, "year")
    frame = tables._frame(user, request)
    field = request.indicator.measure["field"]
    return int(frame[field].fill_null(0).sum())


@pytest.mark.parametrize("year", sorted(FILES))
def test_totals_match_an_independent_count_of_the_file(org_a, make_user, year):
    rows = rows_of(year)
    summary = run(DATA / FILES[year], org_a)
    assert summary["rows"] == len(rows) == summary["imported"] + summary["skipped"]
    assert Incident.objects.count() == len(rows)
    sea = [row for row in rows if row[KEYS[year]] in AT_SEA[year]]
    analyst = make_user(org_a, Role.ANALYST)
    assert _indicator_total(analyst, "dead_at_sea") == sum(number(row[DEAD[year]]) for row in sea)
    assert _indicator_total(analyst, "missing_at_sea") == sum(number(row[MISSING]) for row in sea)
    assert _indicator_total(analyst, "dead_and_missing_migration") == sum(
        number(row[DEAD[year]]) + number(row[MISSING]) for row in rows
    )


def test_published_tables_of_the_three_files(org_a, make_user):
    for name in FILES.values():
        run(DATA / name, org_a)
    analyst = make_user(org_a, Role.ANALYST)
    all_rows = {year: rows_of(year) for year in FILES}
    dead_at_sea = sum(
        number(row[DEAD[year]])
        for year, rows in all_rows.items()
        for row in rows
        if row[KEYS[year]] in AT_SEA[year]
    )
    everyone = sum(
        number(row[DEAD[year]]) + number(row[MISSING]) for year, rows in all_rows.items() for row in rows
    )
    sea_table = tables.protected_table(analyst, "dead_at_sea", "incident_type")
    assert sea_table.values[-1][-1] == dead_at_sea
    all_table = tables.protected_table(analyst, "dead_and_missing_migration", "incident_type")
    assert all_table.values[-1][-1] == everyone > dead_at_sea


# the import page and the API -------------------------------------------------------------------


def test_import_page_partial_choice_and_report(client_for, org_a, tmp_path):
    client = client_for(org_a, Role.ANALYST)
    assert client.get(reverse("maritime:import")).status_code == 200
    with open(_with_bad_row(tmp_path), "rb") as handle:
        response = client.post(
            reverse("maritime:import"), {"file": handle, "organisation": org_a.pk, "partial": "on"}
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert Incident.objects.count() == 10
    assert "date_invalid" in page and "coordinates_swapped" in page and "US-Mexico border crossing" in page


def test_import_page_without_partial_stores_nothing(client_for, org_a, tmp_path):
    client = client_for(org_a, Role.ANALYST)
    with open(_with_bad_row(tmp_path), "rb") as handle:
        response = client.post(reverse("maritime:import"), {"file": handle, "organisation": org_a.pk})
    assert response.status_code == 400 and not Incident.objects.exists()


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.DATA_MANAGER])
def test_import_page_refused_without_the_recording_role(client_for, org_a, role):
    assert client_for(org_a, role).get(reverse("maritime:import")).status_code == 403


def test_import_api(client_for, org_a, tmp_path):
    client = client_for(org_a, Role.ANALYST)
    with open(_with_bad_row(tmp_path), "rb") as handle:
        refused = client.post("/api/v1/maritime/imports/", {"file": handle, "format": "mmp"})
    assert refused.status_code == 400 and refused.json()["refused"] == 11
    assert not Incident.objects.exists()
    with open(_with_bad_row(tmp_path), "rb") as handle:
        done = client.post("/api/v1/maritime/imports/", {"file": handle, "format": "mmp", "partial": "true"})
    body = done.json()
    assert done.status_code == 200
    assert (body["rows"], body["imported"], body["skipped"]) == (11, 10, 1)
    assert body["error_list"][0]["code"] == "date_invalid" and len(body["fixes"]) == 3


def test_import_api_refused_without_the_recording_role(client_for, org_a):
    client = client_for(org_a, Role.RESEARCHER)
    with open(DATA / "mmp_2026.csv", "rb") as handle:
        assert client.post("/api/v1/maritime/imports/", {"file": handle, "format": "mmp"}).status_code == 403
