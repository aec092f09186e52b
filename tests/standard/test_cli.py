"""``lindung standard validate`` and ``export``: output and exit codes."""

import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from lindung.standard import synthetic

from .helpers import LINDUNG_ROW, lindung_csv


def run(*args):
    with pytest.raises(SystemExit) as exc:
        call_command("standard", *args)
    return exc.value.code


def test_validate_valid_file_exits_0(tmp_path, capsys):
    path = tmp_path / "ok.csv"
    path.write_bytes(synthetic.ctdc_csv(20))
    assert run("validate", str(path), "--profile", "ctdc") == 0
    assert capsys.readouterr().out.startswith("VALID: 20 rows, 20 valid, 0 errors")


def test_validate_invalid_file_lists_every_error(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        lindung_csv(LINDUNG_ROW, "1800,hotline,F,18-20,adult,PHL", "2020,phone,F,18-20,adult,PHL")
    )
    assert run("validate", str(path), "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 3 and report["valid_rows"] == 1 and report["errors"] == 2
    assert [(e["row"], e["column"], e["value"], e["rule"]) for e in report["error_list"]] == [
        (3, "year_of_registration", "1800", "value.minimum"),
        (4, "data_source", "phone", "value.not_in_list"),
    ]


def test_validate_unreadable_and_missing_and_too_large(tmp_path, capsys):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 10)
    assert run("validate", str(junk)) == 2
    assert run("validate", str(tmp_path / "nope.csv")) == 2
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:  # a sparse 200 MB file: refused before it is read
        handle.truncate(200 * 1024 * 1024)
    assert run("validate", str(big), "--max-mb", "100", "--json") == 2
    assert "200 MB" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["json-schema", "table-schema", "data-package"])
def test_export_json_formats(tmp_path, fmt):
    out = tmp_path / "out.json"
    call_command("standard", "export", "--format", fmt, "--out", str(out))
    doc = json.loads(out.read_text())
    if fmt == "json-schema":
        assert doc["properties"]["sex"]["enum"] == ["F", "M", "X", "U", None]
        assert doc["properties"]["forms_of_exploitation"]["type"] == "array"
        assert doc["properties"]["sex"]["x-lindung"]["crosswalk"]["ctdc"] == "gender"
    else:
        fields = doc["fields"] if fmt == "table-schema" else doc["resources"][0]["schema"]["fields"]
        age = next(f for f in fields if f["name"] == "age")
        assert age["type"] == "integer" and age["constraints"]["maximum"] == 120


def test_export_json_schema_validates_a_record(tmp_path):
    import jsonschema

    out = tmp_path / "schema.json"
    call_command("standard", "export", "--format", "json-schema", "--out", str(out))
    schema = json.loads(out.read_text())
    good = {
        "year_of_registration": 2022,
        "data_source": "hotline",
        "sex": "F",
        "age_group": "18-20",
        "majority_status": "adult",
        "citizenship": "PHL",
        "forms_of_exploitation": ["forced_labour"],
    }
    jsonschema.validate(good, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good, "sex": "Female"}, schema)


def test_export_xlsform_has_choices_for_every_list(tmp_path):
    out = tmp_path / "form.xlsx"
    call_command("standard", "export", "--format", "xlsform", "--out", str(out))
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]
    choices = list(book["choices"].iter_rows(values_only=True))
    assert choices[0][:3] == ("list_name", "name", "label::English (en)")
    assert ("vulnerability_category", "unaccompanied_child") in {row[:2] for row in choices}
    survey = {row[1]: row[0] for row in book["survey"].iter_rows(values_only=True)}
    assert survey["forms_of_exploitation"] == "select_multiple form_of_exploitation"


def test_export_older_version_and_unknown_version(tmp_path):
    out = tmp_path / "dict.xlsx"
    call_command("standard", "export", "--format", "xlsx", "--version", "0.9", "--out", str(out))
    ids = [row[1] for row in load_workbook(out, read_only=True)["variables"].iter_rows(values_only=True)]
    assert "has_disability" in ids
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("standard", "export", "--format", "xlsx", "--version", "9.9", "--out", str(out))


def test_export_pdf(tmp_path):
    out = tmp_path / "dict.pdf"
    call_command("standard", "export", "--format", "pdf", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
