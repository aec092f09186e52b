"""core.spreadsheets: formulas neutralised on the way out, workbook bombs refused on the way in."""

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from lindung.core import spreadsheets
from lindung.screening import instrument
from lindung.standard.reading import UnreadableFile, read_table

# out --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1", "\r=1", "-"]
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert spreadsheets.safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -8.25, 0, "-99", "-8.25", "+3", "1e-5", "plain", "", None, "a=b"])
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert spreadsheets.safe_cell(value) == value


def test_csv_writer_neutralises_every_row():
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out, lineterminator="\n")
    writer.writerow(["=1+1", -3, "-3"])
    writer.writerows([["@x"]])
    assert out.getvalue() == "'=1+1,-3,-3\n'@x\n"


def test_rewrite_csv_neutralises_a_file_written_elsewhere():
    assert spreadsheets.rewrite_csv(b'row,value\n2,"=cmd|x"\n3,-1\n') == b"row,value\r\n2,'=cmd|x\r\n3,-1\r\n"


def test_workbook_cells_stay_text_with_their_value():
    book = Workbook()
    book.active.append(['=HYPERLINK("http://x")', "@SUM(1)", -4, "ok"])
    sheet = load_workbook(io.BytesIO(spreadsheets.workbook_bytes(book))).active
    formula, at_sign, number, plain = sheet[1]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ('=HYPERLINK("http://x")', "s", True)
    assert (at_sign.value, at_sign.quotePrefix) == ("@SUM(1)", True)
    assert (number.value, number.data_type) == (-4, "n")
    assert not plain.quotePrefix


# in: bombs ---------------------------------------------------------------------------------------

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _xlsx_with_sheet(sheet_xml_parts, path="worksheets/sheet1.xml") -> bytes:
    """A real workbook (openpyxl's own parts) whose single sheet's XML is replaced, streamed in,
    and stored at ``xl/<path>`` (the workbook's relations and content types follow it)."""
    book = Workbook()
    book.active.append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(f"xl/{path}", "w") as part:
                    for chunk in sheet_xml_parts:
                        part.write(chunk)
            else:
                content = source.read(info.filename).replace(b"worksheets/sheet1.xml", path.encode())
                target.writestr(info, content)
    return out.getvalue()


def _million_rows(n=2_000_000):
    # Rows without their number, as the tester's bomb had: the same bytes again and again pack tightly.
    chunk = b"<row><c><v>1</v></c></row>" * 10_000
    yield SHEET_HEAD
    for _ in range(n // 10_000):
        yield chunk
    yield SHEET_TAIL


@pytest.fixture(scope="module")
def row_bomb():
    data = _xlsx_with_sheet(_million_rows())
    assert len(data) < 400 * 1024  # small on the wire, two million rows inside
    return data


def _bounded(call):
    """Run ``call``; its exception, the seconds it took and the peak memory it added."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - returned for the test to check
        caught = exc
    else:
        caught = None
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return caught, seconds, peak


def test_standard_reader_refuses_two_million_rows_quickly(row_bomb):
    caught, seconds, peak = _bounded(lambda: read_table(row_bomb))
    assert isinstance(caught, UnreadableFile)
    assert caught.rule == "xlsx.too_many_rows"
    assert seconds < 10
    assert peak < 64 * 1024 * 1024


def test_instrument_reader_refuses_two_million_rows_quickly(row_bomb):
    caught, seconds, peak = _bounded(lambda: instrument.from_xlsx(row_bomb))
    assert isinstance(caught, instrument.DefinitionError)
    assert caught.code == "xlsx.too_many_rows"
    assert seconds < 10
    assert peak < 64 * 1024 * 1024


def test_a_sheet_stored_elsewhere_in_the_zip_is_counted_too():
    data = _xlsx_with_sheet(_million_rows(), path="data/s.xml")
    caught, seconds, _peak = _bounded(lambda: read_table(data))
    assert isinstance(caught, UnreadableFile) and caught.rule == "xlsx.too_many_rows"
    assert seconds < 10


def test_a_declared_dimension_does_not_pad_the_sheet(settings):
    # Three cells, but a dimension claiming the whole grid: nothing may be padded to it.
    data = _xlsx_with_sheet(
        [
            SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>'),
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>sex</t></is></c></row>',
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>F</t></is></c></row>',
            SHEET_TAIL,
        ]
    )
    caught, seconds, _peak = _bounded(lambda: read_table(data))
    assert caught is None and seconds < 5
    assert read_table(data).frame.shape == (1, 1)


def test_a_row_far_to_the_right_is_refused(settings):
    settings.LINDUNG_SPREADSHEET_MAX_COLUMNS = 100
    data = _xlsx_with_sheet([SHEET_HEAD, b'<row r="1"><c r="XFD1"><v>1</v></c></row>', SHEET_TAIL])
    with pytest.raises(UnreadableFile) as info:
        read_table(data)
    assert info.value.rule == "xlsx.too_many_columns"


def test_too_many_cells_are_refused(settings):
    settings.LINDUNG_SPREADSHEET_MAX_CELLS = 50
    rows = [
        b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d"><v>2</v></c></row>' % (r, r, r) for r in range(1, 40)
    ]
    with pytest.raises(UnreadableFile) as info:
        read_table(_xlsx_with_sheet([SHEET_HEAD, *rows, SHEET_TAIL]))
    assert info.value.rule == "xlsx.too_many_cells"


def test_reading_beyond_the_time_limit_is_refused(row_bomb, settings):
    settings.LINDUNG_SPREADSHEET_MAX_SECONDS = 0
    with pytest.raises(UnreadableFile) as info:
        read_table(row_bomb)
    assert info.value.rule == "xlsx.too_slow"


def test_a_zip_declaring_a_huge_member_is_refused_before_unpacking(settings):
    settings.LINDUNG_SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    data = _xlsx_with_sheet([SHEET_HEAD, b"<!--" + b" " * (2 * 1024 * 1024) + b"-->", SHEET_TAIL])
    assert len(data) < 64 * 1024
    caught, seconds, _peak = _bounded(lambda: read_table(data))
    assert isinstance(caught, UnreadableFile) and caught.rule == "xlsx.too_large_uncompressed"
    assert seconds < 2
    with pytest.raises(instrument.DefinitionError) as info:
        instrument.from_xlsx(data)
    assert info.value.code == "xlsx.too_large_uncompressed"


def test_a_workbook_within_the_limits_reads_as_before():
    book = Workbook()
    book.active.append(["sex", "age_group"])
    book.active.append(["F", "18_24"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.header == ["sex", "age_group"]
    assert table.frame.rows() == [("F", "18_24")]
