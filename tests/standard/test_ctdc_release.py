"""The CTDC global dataset as published (issue 14, items 6 and 8): a terms-of-use notice over an
empty first column, unnamed columns, ';'-separated multi-value columns, Female/Male, and 0 / 1 /
-99 / blank kept apart from import to export. The sample is synthetic; it reproduces the layout."""

import csv
import io
import random

import pytest

from lindung.core.roles import Role
from lindung.standard import exports, profiles, selectors, services
from lindung.standard.validation import validate_bytes

pytestmark = pytest.mark.django_db

MULTI = {
    "typeOfExploitConcatenated": ["Forced labour; Sexual exploitation", "Forced labour", "Other"],
    "meansOfControlConcatenated": ["Debt bondage; Threats; Withholds documents", "False promises"],
    "typeOfLabourConcatenated": ["Agriculture; Domestic work", "Construction"],
    "typeOfSexConcatenated": ["Prostitution"],
    "RecruiterRelationship": ["Friend; Family", "Intimate partner"],
}
POOLS = {
    "yearOfRegistration": ["2019", "2020", "2021", "-99", ""],
    "Datasource": ["Case Management", "Hotline", "-99", ""],
    "gender": ["Female", "Male", "-99", ""],
    "ageBroad": ["18--20", "30--38", "48+", "-99", ""],
    "majorityStatus": ["Adult", "-99", ""],
    "majorityStatusAtExploit": ["Adult", "Minor", "-99", ""],
    "majorityEntry": ["Adult", "-99", ""],
    "citizenship": ["PH", "UA", "NG", "-99", ""],
    "CountryOfExploitation": ["LY", "CM", "MY", "-99", ""],
    "isAbduction": ["1", "0", "-99", ""],
}


# The release's first header cell: a sentence over a column left empty in every row.
NOTICE = (
    "By using this data you agree to the Terms of Use of the Counter Trafficking Data Collaborative (CTDC)."
)


def release_sample(rows: int = 40, seed: int = 7) -> bytes:
    # Every column the profile reads (flags, codes, and the columns the standard does not map).
    columns = list(profiles.get("ctdc").columns)
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([NOTICE, *columns])
    for _ in range(rows):
        row = [""]
        for name in columns:
            if name in MULTI:
                pool = [*MULTI[name], "-99", ""]
            elif name in POOLS:
                pool = POOLS[name]
            else:  # a 0/1 flag
                pool = ["1", "0", "0", "-99", ""]
            row.append(rng.choice(pool))
        writer.writerow(row)
    return out.getvalue().encode()


def test_the_notice_column_is_a_warning_not_a_refusal():
    result = validate_bytes(release_sample(), profile="ctdc")
    assert result.is_valid, result.error_rows(5)
    assert [w["rule"] for w in result.warnings] == ["header.empty_column"]
    assert result.summary()["warnings"][0]["row"] == 1


def test_an_unnamed_column_is_a_warning_and_ignored():
    # Files saved by pandas carry an unnamed index column, sometimes two.
    lines = release_sample(5).decode().splitlines()
    rows = [",," + lines[0], *(f"{i},," + line for i, line in enumerate(lines[1:]))]
    data = "\n".join(rows) + "\n"
    result = validate_bytes(data.encode(), profile="ctdc")
    assert result.is_valid, result.error_rows(5)
    assert sorted(w["rule"] for w in result.warnings) == [
        "header.blank_column",
        "header.blank_column",
        "header.empty_column",
    ]


def test_a_named_unknown_column_with_values_is_still_an_error():
    data = b"yearOfRegistration,gender,shoeSize\n2020,Female,42\n"
    result = validate_bytes(data, profile="ctdc")
    assert "header.unknown_column" in result.errors_by_rule()


def test_round_trip_of_the_release_gives_back_the_same_values(org_a, make_user):
    manager = make_user(org_a, Role.DATA_MANAGER)
    sample = release_sample()
    batch = services.batch_import(
        acting_user=manager, organisation=org_a, file_name="release.csv", data=sample, profile="ctdc"
    )
    assert (batch.status, batch.imported) == ("done", 40)
    exported = exports.records_ctdc_csv(selectors.records_visible(manager))
    original = list(csv.DictReader(io.StringIO(sample.decode())))
    written = list(csv.DictReader(io.StringIO(exported.decode())))
    # The release's layout: the notice over an empty column first, then its columns in its order.
    header = next(csv.reader(io.StringIO(exported.decode())))
    assert header == [NOTICE, *profiles.ctdc_release().header(profiles.get("ctdc"))]
    assert set(header) == set(original[0])
    assert len(written) == len(original) == 40
    for line_no, (want, got) in enumerate(zip(original, written, strict=True), start=2):
        differences = {name: (want[name], got[name]) for name in want if want[name] != got[name]}
        assert not differences, f"row {line_no}: {differences}"


def test_female_and_male_are_the_release_spelling():
    layout = profiles.ctdc_release()
    assert layout.codes["sex"] == {"F": "Female", "M": "Male"}
    assert profiles.ctdc_release("crosswalk").notice == ""
    with pytest.raises(LookupError):
        profiles.ctdc_release("2099")
