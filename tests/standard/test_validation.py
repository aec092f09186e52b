"""The validator on good and bad files: every error has a row, a column, a value and a rule."""

import codecs

import pytest

from lindung.standard import synthetic
from lindung.standard.validation import EXIT_INVALID, EXIT_UNREADABLE, EXIT_VALID, validate_bytes

from .helpers import LINDUNG_HEADER, LINDUNG_ROW, lindung_csv, xlsx


def rules(result):
    return set(result.errors.get_column("rule").to_list())


def only_error(result):
    assert result.error_count == 1, result.errors
    return result.error_rows()[0]


def test_valid_lindung_file():
    result = validate_bytes(lindung_csv(LINDUNG_ROW, "2023,case_management,M,9-17,child,IDN"))
    assert result.is_valid and result.exit_code == EXIT_VALID
    assert result.rows == 2 and result.valid_rows == 2


def test_valid_ctdc_file():
    result = validate_bytes(synthetic.ctdc_csv(300), profile="ctdc")
    assert result.is_valid, result.errors.head(5)


def test_empty_file():
    result = validate_bytes(b"")
    assert only_error(result)["rule"] == "file.empty"
    assert result.exit_code == EXIT_INVALID


def test_header_only():
    result = validate_bytes(lindung_csv())
    assert rules(result) == {"file.no_rows"}
    assert not result.is_valid


def test_duplicate_columns():
    error = only_error(validate_bytes(lindung_csv(LINDUNG_ROW + ",F", header=LINDUNG_HEADER + ",sex")))
    assert error["rule"] == "header.duplicate_column" and "sex" in error["message"]


def test_missing_required_column():
    result = validate_bytes(lindung_csv("2022,hotline,F", header="year_of_registration,data_source,sex"))
    missing = {e["column"] for e in result.error_rows() if e["rule"] == "header.missing_required"}
    assert missing == {"age_group", "majority_status", "citizenship"}
    assert all(e["row"] == 1 for e in result.error_rows())


def test_domain_core_columns_are_required_once_the_domain_appears():
    result = validate_bytes(lindung_csv(LINDUNG_ROW + ",hotline", header=LINDUNG_HEADER + ",return_stage"))
    missing = {e["column"] for e in result.error_rows() if e["rule"] == "header.missing_required"}
    assert missing == {"return_type", "country_of_return"}


def test_unknown_column():
    error = only_error(validate_bytes(lindung_csv(LINDUNG_ROW + ",x", header=LINDUNG_HEADER + ",shoe_size")))
    assert (error["row"], error["column"], error["rule"]) == (1, "shoe_size", "header.unknown_column")


def test_wrong_type_names_row_column_value():
    error = only_error(validate_bytes(lindung_csv(LINDUNG_ROW, "twenty,hotline,F,18-20,adult,PHL")))
    assert error == {
        **error,
        "row": 3,
        "column": "year_of_registration",
        "value": "twenty",
        "rule": "type.year",
    }


def test_out_of_list_code():
    error = only_error(validate_bytes(lindung_csv("2022,hotline,Female,18-20,adult,PHL")))
    assert (error["column"], error["value"], error["rule"]) == ("sex", "Female", "value.not_in_list")


def test_out_of_list_in_multi_code_column():
    result = validate_bytes(
        lindung_csv(
            LINDUNG_ROW + ",MYS,forced_labour;sexual_exploitation",
            LINDUNG_ROW + ",MYS,forced_labour bogus",
            header=LINDUNG_HEADER + ",country_of_exploitation,forms_of_exploitation",
        )
    )
    error = only_error(result)
    assert (error["row"], error["value"]) == (3, "forced_labour bogus")


def test_impossible_and_future_dates():
    result = validate_bytes(
        lindung_csv(
            LINDUNG_ROW + ",2023-02-30",
            LINDUNG_ROW + ",2999-01-01",
            LINDUNG_ROW + ",2023-12-31",
            header=LINDUNG_HEADER + ",date_of_registration",
        )
    )
    assert [(e["row"], e["rule"]) for e in result.error_rows()] == [
        (2, "type.date"),
        (3, "value.future_date"),
    ]


def test_date_order():
    result = validate_bytes(
        lindung_csv(
            LINDUNG_ROW + ",PHL,unknown,2023-05-01,2023-04-01",
            header=LINDUNG_HEADER + ",country_of_origin,legal_status,date_of_departure,date_of_arrival",
        )
    )
    assert only_error(result)["rule"] == "consistency.date_order"


def test_age_over_120_and_age_majority_clash():
    result = validate_bytes(
        lindung_csv(LINDUNG_ROW + ",121", "2022,hotline,F,9-17,child,PHL,30", header=LINDUNG_HEADER + ",age")
    )
    assert [(e["row"], e["column"], e["rule"]) for e in result.error_rows()] == [
        (2, "age", "value.maximum"),
        (3, "majority_status", "consistency.age_majority"),
    ]


def test_binary_junk_renamed_csv_is_unreadable():
    junk = bytes(range(256)) * 40
    result = validate_bytes(junk)
    assert result.exit_code == EXIT_UNREADABLE and only_error(result)["rule"] == "file.binary"
    assert validate_bytes(b"%PDF-1.4 rest").exit_code == EXIT_UNREADABLE


def test_damaged_xlsx_is_unreadable():
    assert validate_bytes(b"PK\x03\x04 not really a zip").exit_code == EXIT_UNREADABLE


def test_ragged_row():
    error = only_error(validate_bytes(lindung_csv(LINDUNG_ROW, LINDUNG_ROW + ",extra")))
    assert (error["row"], error["rule"]) == (3, "row.field_count")


@pytest.mark.parametrize(
    "encoding,bom",
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("cp1252", b""),
    ],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_encoding_and_delimiter(encoding, bom, delimiter):
    text = lindung_csv(LINDUNG_ROW, "2021,hotline,M,unknown,unknown,CIV").decode().replace(",", delimiter)
    result = validate_bytes(bom + text.encode(encoding))
    assert result.is_valid, result.errors
    assert result.delimiter == delimiter


def test_latin1_values_are_decoded_not_rejected():
    data = (
        lindung_csv(LINDUNG_ROW + ",Renée Besançon", header=LINDUNG_HEADER + ",full_name")
        .decode()
        .encode("cp1252")
    )
    result = validate_bytes(data)
    assert result.is_valid and result.encoding == "cp1252"
    assert result.frame.get_column("full_name").to_list() == ["Renée Besançon"]
    assert result.dropped_columns == ["full_name"]


def test_xlsx_valid():
    data = xlsx([LINDUNG_HEADER.split(","), [2022, "hotline", "F", "18-20", "adult", "PHL"]])
    result = validate_bytes(data)
    assert result.is_valid and result.file_format == "xlsx"


def test_xlsx_with_formula():
    data = xlsx([LINDUNG_HEADER.split(","), ["=2020+2", "hotline", "F", "18-20", "adult", "PHL"]])
    error = only_error(validate_bytes(data))
    assert error["rule"] == "xlsx.formula" and "A2" in error["message"]


def test_xlsx_with_several_sheets():
    data = xlsx([LINDUNG_HEADER.split(",")], [["notes"]])
    assert only_error(validate_bytes(data))["rule"] == "xlsx.several_sheets"


def test_ctdc_unknown_markers_and_bad_flags():
    header = ",".join(
        [
            "yearOfRegistration",
            "Datasource",
            "gender",
            "ageBroad",
            "majorityStatus",
            "citizenship",
            "CountryOfExploitation",
            "isForcedLabour",
        ]
    )
    rows = ["2019,Hotline,Woman,-99,-99,PH,,1", "2019,Hotline,Woman,18--20,Adult,PHL,MY,yes"]
    result = validate_bytes(("\n".join([header, *rows]) + "\n").encode(), profile="ctdc")
    assert [(e["row"], e["column"], e["value"]) for e in result.error_rows()] == [
        (3, "citizenship", "PHL"),
        (3, "isForcedLabour", "yes"),
    ]


def test_summary_counts_errors_by_rule():
    result = validate_bytes(lindung_csv("x,hotline,F,18-20,adult,PHL", "y,nope,F,18-20,adult,PHL"))
    assert result.summary()["errors_by_rule"] == {"type.year": 2, "value.not_in_list": 1}
    assert result.valid_rows == 0


def test_padded_cells_are_trimmed():
    result = validate_bytes(lindung_csv(' 2022 , hotline,"F ",18-20,adult,PHL\t'))
    assert result.is_valid, result.errors
    assert result.frame.row(0) == ("2022", "hotline", "F", "18-20", "adult", "PHL")


def test_xlsx_values_beyond_the_header():
    data = xlsx([LINDUNG_HEADER.split(","), [2022, "hotline", "F", "18-20", "adult", "PHL", "stray"]])
    error = only_error(validate_bytes(data))
    assert (error["row"], error["rule"]) == (2, "row.field_count")
