"""Imports: all-or-nothing, idempotent, de-identified, with provenance; the CTDC profile both ways."""

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.standard import exports, selectors, services, synthetic
from lindung.standard.models import ImportBatch, StandardRecord, ValidationReport
from lindung.standard.validation import validate_bytes

from .helpers import LINDUNG_HEADER, LINDUNG_ROW, lindung_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org_a, make_user):
    return make_user(org_a, Role.DATA_MANAGER)


def do_import(user, org, data, profile="lindung", name="file.csv"):
    return services.batch_import(
        acting_user=user, organisation=org, file_name=name, data=data, profile=profile
    )


def test_import_records_provenance_and_audit(manager, org_a):
    batch = do_import(manager, org_a, synthetic.ctdc_csv(50, seed=3), profile="ctdc")
    assert (batch.status, batch.rows, batch.imported, batch.skipped) == ("done", 50, 50, 0)
    assert len(batch.file_sha256) == 64 and len(batch.content_fingerprint) == 64
    assert batch.created_by == manager and batch.profile == "ctdc" and batch.standard_version == "1.0"
    assert StandardRecord.objects.filter(organisation=org_a, batch=batch).count() == 50
    entry = AuditEntry.objects.filter(action="standard.imported").get()
    assert entry.detail["imported"] == 50 and entry.organisation_id == org_a.pk


def test_second_import_of_same_content_adds_nothing(manager, org_a):
    data = synthetic.ctdc_csv(40, seed=4)
    do_import(manager, org_a, data, profile="ctdc")
    again = do_import(manager, org_a, data, profile="ctdc")
    assert (again.imported, again.skipped) == (0, 40)
    # The same content re-encoded and with another delimiter is the same content.
    relayout = data.decode().replace(",", ";").encode("utf-16")
    third = do_import(manager, org_a, relayout, profile="ctdc")
    assert (third.imported, third.skipped) == (0, 40)
    assert third.content_fingerprint == again.content_fingerprint
    assert StandardRecord.objects.count() == 40


def test_identical_rows_in_one_file_are_all_kept(manager, org_a):
    batch = do_import(manager, org_a, lindung_csv(LINDUNG_ROW, LINDUNG_ROW, LINDUNG_ROW))
    assert batch.imported == 3 and batch.summary["identical_in_file"] == 2


def test_rows_equal_to_other_files_records_are_imported_and_reported(manager, org_a):
    # Issue 13, finding 7: a new file of distinct rows lost the rows that equalled de-identified
    # rows of other files. Identity comes from the file and the row, not from the values.
    first = do_import(
        manager, org_a, lindung_csv(LINDUNG_ROW, "2023,hotline,M,18-20,adult,THA"), name="a.csv"
    )
    rows = [LINDUNG_ROW, *(f"20{10 + i},hotline,F,18-20,adult,PHL" for i in range(5))]
    second = do_import(manager, org_a, lindung_csv(*rows), name="b.csv")
    assert (first.imported, second.imported, second.skipped) == (2, 6, 0)
    assert second.summary["identical_to_existing"] == 1 and second.summary["already_present"] == 0
    assert StandardRecord.objects.filter(organisation=org_a).count() == 8
    # The same file again is the same records.
    again = do_import(manager, org_a, lindung_csv(*rows), name="b-again.csv")
    assert (again.imported, again.skipped, again.summary["already_present"]) == (0, 6, 6)


def test_a_source_record_id_is_the_identity(manager, org_a):
    header = LINDUNG_HEADER + ",record_id"
    do_import(manager, org_a, lindung_csv(LINDUNG_ROW + ",r1", LINDUNG_ROW + ",r2", header=header))
    # Another file carrying r2 (corrected) and a new r3: r2 is already present, r3 is new.
    later = do_import(
        manager, org_a, lindung_csv("2022,hotline,M,18-20,adult,PHL,r2", LINDUNG_ROW + ",r3", header=header)
    )
    assert (later.imported, later.skipped, later.summary["already_present"]) == (1, 1, 1)


def test_file_with_one_error_imports_nothing(manager, org_a):
    rows = [LINDUNG_ROW] * 20 + ["2022,hotline,F,18-20,adult,XXX"]
    batch = do_import(manager, org_a, lindung_csv(*rows))
    assert batch.status == "rejected" and batch.error_count == 1 and batch.imported == 0
    assert StandardRecord.objects.count() == 0
    assert AuditEntry.objects.filter(action="standard.import_rejected").count() == 1


@pytest.mark.parametrize("data", [b"", b"\x00\x01junk" * 50, lindung_csv()])
def test_unusable_files_import_nothing(manager, org_a, data):
    batch = do_import(manager, org_a, data)
    assert batch.status == "rejected" and StandardRecord.objects.count() == 0


def test_direct_identifiers_are_never_stored(manager, org_a):
    data = lindung_csv(
        LINDUNG_ROW + ",Testperson Fictional,1990-01-01,X1234567",
        header=LINDUNG_HEADER + ",full_name,date_of_birth,document_number",
    )
    batch = do_import(manager, org_a, data)
    assert batch.imported == 1 and batch.dropped_columns == ["date_of_birth", "document_number", "full_name"]
    stored = json.dumps(list(StandardRecord.objects.values()), default=str)
    assert "Testperson" not in stored and "X1234567" not in stored and "1990-01-01" not in stored


def test_import_needs_the_data_manager_role(org_a, org_b, make_user, manager):
    caseworker = make_user(org_a, Role.CASEWORKER)
    with pytest.raises(PermissionDenied):
        do_import(caseworker, org_a, lindung_csv(LINDUNG_ROW))
    with pytest.raises(PermissionDenied):
        do_import(manager, org_b, lindung_csv(LINDUNG_ROW))
    assert not ImportBatch.objects.exists()


def test_records_are_visible_only_to_statistics_readers_of_the_owner(manager, org_a, org_b, make_user):
    do_import(manager, org_a, synthetic.ctdc_csv(10), profile="ctdc")
    assert selectors.records_visible(manager).count() == 10  # data managers hold VIEW_STATS
    assert selectors.records_visible(make_user(org_b, Role.DATA_MANAGER, Role.ANALYST)).count() == 0
    assert selectors.records_visible(make_user(org_a, Role.CASEWORKER)).count() == 0


def test_ctdc_round_trip(manager, org_a, org_b, make_user):
    original = synthetic.ctdc_csv(120, seed=9)
    do_import(manager, org_a, original, profile="ctdc")
    exported = exports.records_ctdc_csv(selectors.records_visible(manager), release="crosswalk")
    check = validate_bytes(exported, profile="ctdc")
    assert check.is_valid and check.rows == 120
    # Importing the export elsewhere gives the same content, hence the same fingerprint.
    other = make_user(org_b, Role.DATA_MANAGER)
    first = ImportBatch.objects.get()
    copy = do_import(other, org_b, exported, profile="ctdc")
    assert copy.imported == 120 and copy.content_fingerprint == first.content_fingerprint
    src = list(csv.DictReader(io.StringIO(original.decode())))
    out = list(csv.DictReader(io.StringIO(exported.decode())))
    assert {r["citizenship"] for r in out} <= set(synthetic.CITIZENSHIPS)
    assert sum(r["isForcedLabour"] == "1" for r in out) == sum(r["isForcedLabour"] == "1" for r in src)


def test_counts_by_year_sex_and_form(manager, org_a):
    header = (
        "yearOfRegistration,Datasource,gender,ageBroad,majorityStatus,citizenship,CountryOfExploitation,"
        "isForcedLabour,isSexualExploit"
    )
    rows = [
        "2019,Hotline,Woman,18--20,Adult,PH,MY,1,1",
        "2019,Hotline,Man,18--20,Adult,PH,MY,1,0",
        "2020,Hotline,Woman,18--20,Adult,PH,MY,0,1",
    ]
    do_import(manager, org_a, ("\n".join([header, *rows]) + "\n").encode(), profile="ctdc")
    counts = selectors.record_counts(manager)
    assert counts["total"] == 3
    assert {(r["year_of_registration"], r["sex"]): r["n"] for r in counts["by_year_sex"]} == {
        (2019, "F"): 1,
        (2019, "M"): 1,
        (2020, "F"): 1,
    }
    by_form = {f["code"]: sum(c["n"] for c in f["counts"]) for f in counts["by_form"]}
    assert by_form == {"forced_labour": 2, "sexual_exploitation": 2}


def _counts(out: str) -> tuple:
    summary = json.loads(out)
    return tuple(summary[k] for k in ("rows", "imported", "skipped", "errors"))


def test_cli_import_json_summary_and_idempotence(manager, org_a, tmp_path, capsys):
    path = tmp_path / "ctdc.csv"
    path.write_bytes(synthetic.ctdc_csv(30, seed=5))
    call_command("standard", "import", str(path), "--profile", "ctdc", "--user", manager.username, "--json")
    assert _counts(capsys.readouterr().out) == (30, 30, 0, 0)
    call_command("standard", "import", str(path), "--profile", "ctdc", "--user", manager.username, "--json")
    summary = json.loads(capsys.readouterr().out)
    assert _counts(json.dumps(summary)) == (30, 0, 30, 0) and summary["already_present"] == 30


def test_cli_import_of_invalid_file_exits_1_and_says_why(manager, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(lindung_csv("2022,hotline,Q,18-20,adult,PHL"))
    with pytest.raises(SystemExit) as exc:
        call_command("standard", "import", str(path), "--user", manager.username, "--json")
    assert exc.value.code == 1
    summary = json.loads(capsys.readouterr().out)
    assert _counts(json.dumps(summary)) == (1, 0, 0, 1) and summary["status"] == "rejected"
    # Issue 14, item 6: the reasons, not only a count.
    first = summary["error_list"][0]
    assert (first["row"], first["column"], first["rule"], first["value"]) == (
        2,
        "sex",
        "value.not_in_list",
        "Q",
    )
    assert StandardRecord.objects.count() == 0
    # The batch keeps where and why, never the value (its summary is not encrypted).
    stored = ImportBatch.objects.get().summary["first_errors"][0]
    assert (stored["row"], stored["column"], stored["rule"]) == (2, "sex", "value.not_in_list")
    assert "value" not in stored


def test_cli_partial_imports_the_valid_rows_and_reports_the_rest(manager, tmp_path, capsys):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        lindung_csv(
            LINDUNG_ROW, "2022,hotline,Q,18-20,adult,PHL", LINDUNG_ROW, "twenty,hotline,F,18-20,adult,PHL"
        )
    )
    call_command("standard", "import", str(path), "--user", manager.username, "--json", "--partial")
    summary = json.loads(capsys.readouterr().out)
    assert _counts(json.dumps(summary)) == (4, 2, 2, 2) and summary["status"] == "done"
    assert summary["invalid_rows"] == 2
    assert [(e["row"], e["rule"]) for e in summary["error_list"]] == [
        (3, "value.not_in_list"),
        (5, "type.year"),
    ]
    assert StandardRecord.objects.count() == 2
    assert ImportBatch.objects.get().partial


def test_partial_still_refuses_a_file_level_error(manager, org_a):
    # A required column missing is the file's error, not a row's: nothing is imported.
    data = lindung_csv("hotline,F", header="data_source,sex")
    batch = services.batch_import(
        acting_user=manager, organisation=org_a, file_name="f.csv", data=data, profile="lindung", partial=True
    )
    assert (batch.status, batch.imported) == ("rejected", 0)
    assert batch.summary["first_errors"][0]["rule"] == "header.missing_required"


def test_demo_is_idempotent_and_in_two_organisations(demo_world):
    from lindung.standard import demo

    before = StandardRecord.objects.count()
    assert StandardRecord.objects.values("organisation").distinct().count() >= 2
    demo.load(demo_world)
    assert StandardRecord.objects.count() == before


def test_a_crash_during_the_insert_leaves_nothing_and_marks_the_batch(manager, org_a, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_insert", explode)
    with pytest.raises(RuntimeError):
        do_import(manager, org_a, lindung_csv(LINDUNG_ROW))
    assert ImportBatch.objects.get().status == "failed"
    assert StandardRecord.objects.count() == 0
    assert AuditEntry.objects.filter(action="standard.import_failed").count() == 1


def test_demo_validation_report_shows_three_errors(demo_world):
    report = ValidationReport.objects.get(file_name="bms-draft-with-errors.csv")
    assert report.organisation == demo_world["orgs"]["stats_kz"]
    assert report.error_count == 3 and report.rows == 30


def test_an_import_reports_steps_between_nothing_and_everything(manager, org_a):
    """The progress bar of a background import moves because the import reports each chunk it
    writes (the browser test shows the bar follows what is stored; this shows what is reported)."""
    reported = []
    rows = services.INSERT_CHUNK * 2 + 10
    batch = services.batch_import(
        acting_user=manager,
        organisation=org_a,
        file_name="big.csv",
        data=synthetic.ctdc_csv(rows, seed=6),
        profile="ctdc",
        progress=lambda phase, done, total: reported.append((phase, done, total)),
    )
    assert batch.imported == rows
    steps = [done for phase, done, total in reported if phase == "importing"]
    assert steps == [services.INSERT_CHUNK, services.INSERT_CHUNK * 2, rows]
    assert reported[-1] == ("done", rows, rows)
