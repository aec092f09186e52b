"""`lindung maritime import FILE --format mmp`: both MMP layouts, idempotency, bad files."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lindung.core.markings import TLP
from lindung.core.models import AuditEntry
from lindung.maritime.models import Incident

DATA = Path(__file__).parent / "data"


def run(path, org, *extra):
    out = StringIO()
    call_command(
        "maritime",
        "import",
        str(path),
        "--format",
        "mmp",
        "--organisation",
        str(org.pk),
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def write(tmp_path, text, name="bad.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


OLD_HEADER = (DATA / "mmp_older_layout.csv").read_text(encoding="utf-8-sig").splitlines()[0]
NEW_HEADER = (DATA / "mmp_current_layout.csv").read_text(encoding="utf-8").splitlines()[0]


def old_row(**values):
    row = dict.fromkeys(OLD_HEADER.split(","), "")
    row.update(
        {
            "Web ID": "1",
            "Reported Date": "9-Jul-19",
            "Number Dead": "1",
            "Minimum Estimated Number of Missing": "0",
            "Location Coordinates": "11.5, 43.1",
            "Region of Incident": "Horn of Africa",
        }
    )
    row.update(values)
    return ",".join(f'"{v}"' for v in row.values())


@pytest.mark.django_db
def test_older_layout_with_bom(org_a):
    summary = json.loads(run(DATA / "mmp_older_layout.csv", org_a, "--json"))
    assert summary == {
        "format": "mmp",
        "partial": False,
        "rows": 4,
        "imported": 4,
        "created": 4,
        "updated": 0,
        "skipped": 0,
        "unchanged": 0,
        "refused": 0,
        "errors": 0,
        "error_list": [],
        "fixes": [],
        "warnings": [],
        "unmatched": {"route": {}, "cause": {}},
        "ok": True,
        "refused_whole": False,
    }
    incident = Incident.objects.get(source_id="mmp:90001")
    assert incident.tlp == TLP.CLEAR
    assert incident.source.startswith("IOM Missing Migrants Project")
    assert incident.occurred_at.date().isoformat() == "2019-07-09"
    assert (str(incident.latitude), str(incident.longitude)) == ("11.971200", "43.315000")
    assert (incident.dead, incident.missing, incident.survivors) == (3, 12, 41)
    assert incident.route == "horn_of_africa_yemen" and incident.cause_of_death == "drowning"
    assert incident.information_credibility == "2"  # MMP source quality 4
    assert Incident.objects.get(source_id="mmp:90004").route == "bay_of_bengal_andaman"


@pytest.mark.django_db
def test_current_layout_without_bom(org_a):
    summary = json.loads(run(DATA / "mmp_current_layout.csv", org_a, "--json"))
    assert (summary["rows"], summary["created"]) == (5, 5)
    incident = Incident.objects.get(source_id="mmp:2023.MMP00103")
    assert incident.dead is None and incident.missing == 18
    assert incident.cause_of_death == "mixed_unknown"
    assert incident.area == "South-eastern Asia"
    assert Incident.objects.get(source_id="mmp:2024.MMP00104").route == "atlantic_canary"
    assert Incident.objects.get(source_id="mmp:2024.MMP00105").route == ""


@pytest.mark.django_db
def test_import_is_idempotent_and_updates_changed_rows(org_a, tmp_path):
    run(DATA / "mmp_current_layout.csv", org_a)
    again = json.loads(run(DATA / "mmp_current_layout.csv", org_a, "--json"))
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 5)
    assert Incident.objects.count() == 5
    changed = (
        (DATA / "mmp_current_layout.csv")
        .read_text()
        .replace(
            "2023.MMP00101,2023.MMP00101,Incident,Eastern Africa,2023-03-14,2023,March,4,9,13",
            "2023.MMP00101,2023.MMP00101,Incident,Eastern Africa,2023-03-14,2023,March,5,9,14",
        )
    )
    summary = json.loads(run(write(tmp_path, changed), org_a, "--json"))
    assert (summary["created"], summary["updated"], summary["skipped"]) == (0, 1, 4)
    incident = Incident.objects.get(source_id="mmp:2023.MMP00101")
    assert (incident.dead, incident.version) == (5, 2)


@pytest.mark.django_db
def test_plain_summary_and_audit(org_a):
    assert "4 row(s): 4 created" in run(DATA / "mmp_older_layout.csv", org_a)
    entry = AuditEntry.objects.filter(action="maritime.incidents_imported").get()
    assert entry.detail["created"] == 4 and entry.organisation_id == org_a.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Name,Date,Place\nA,2020-01-01,x\n", "columns_missing"),
        (
            OLD_HEADER + "\n" + old_row(**{"Location Coordinates": "north of here"}) + "\n",
            "coordinates_invalid",
        ),
        (OLD_HEADER + "\n" + old_row(**{"Reported Date": "9-Jul-2099"}) + "\n", "date_future"),
        (OLD_HEADER + "\n" + old_row(**{"Reported Date": "sometime"}) + "\n", "date_invalid"),
        (OLD_HEADER + "\n" + old_row(**{"Number Dead": "three"}) + "\n", "count_invalid"),
        (OLD_HEADER + "\n" + old_row(**{"Number Dead": "-2"}) + "\n", "count_invalid"),
        (
            OLD_HEADER + "\n" + old_row(**{"Total Dead and Missing": "9"}) + "\n",
            "total_mismatch",
        ),
        (OLD_HEADER + "\n" + old_row() + "\n" + old_row() + "\n", "id_repeated"),
        ("", "file_empty"),
    ],
)
def test_bad_files_are_refused_whole(org_a, tmp_path, text, code):
    good_then_bad = text
    path = write(tmp_path, good_then_bad)
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "maritime",
            "import",
            str(path),
            "--format",
            "mmp",
            "--organisation",
            str(org_a.pk),
            "--json",
            stdout=out,
            stderr=StringIO(),
        )
    summary = json.loads(out.getvalue())
    assert summary["ok"] is False
    assert code in [error["code"] for error in summary["error_list"]]
    assert summary["rows"] == summary["imported"] + summary["skipped"]
    assert Incident.objects.count() == 0
    assert AuditEntry.objects.filter(action="maritime.import_refused").count() == 1


@pytest.mark.django_db
def test_one_bad_row_keeps_the_good_rows_out_and_names_the_row(org_a, tmp_path):
    text = (
        OLD_HEADER
        + "\n"
        + old_row(**{"Web ID": "7"})
        + "\n"
        + old_row(**{"Web ID": "8", "Location Coordinates": "1,2,3"})
        + "\n"
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "maritime",
            "import",
            str(write(tmp_path, text)),
            "--format",
            "mmp",
            "--organisation",
            str(org_a.pk),
            stdout=StringIO(),
            stderr=err,
        )
    assert "error: row 3: Location Coordinates" in err.getvalue()
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_not_utf8_and_missing_file_and_unknown_organisation(org_a, tmp_path):
    with pytest.raises(CommandError):
        run(
            write(
                tmp_path, OLD_HEADER + "\n" + old_row(**{"Location Description": "Côte"}), encoding="utf-16"
            ),
            org_a,
        )
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "absent.csv", org_a)
    with pytest.raises(CommandError, match="no organisation"):
        call_command(
            "maritime",
            "import",
            str(DATA / "mmp_older_layout.csv"),
            "--format",
            "mmp",
            "--organisation",
            "NOPE",
            stdout=StringIO(),
        )


@pytest.mark.django_db
def test_user_without_the_role_may_not_import(org_a, make_user):
    from lindung.core.roles import Role

    researcher = make_user(org_a, Role.RESEARCHER, username="reader")
    with pytest.raises(CommandError, match="may not record incidents"):
        run(DATA / "mmp_older_layout.csv", org_a, "--user", "reader")
    assert researcher and not Incident.objects.exists()
