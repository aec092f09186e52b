"""Reading a tabular file into a table of strings, whatever its encoding, delimiter or format.

CSV in any encoding (with or without BOM; UTF-8 and UTF-16 detected from the BOM, others guessed
by charset-normalizer), delimiter sniffed among comma, semicolon, tab and pipe; or XLSX with a
single sheet and no formulas. Everything is read as text: types are the validator's business, so
that a bad value is reported against its row instead of failing the whole read.
"""

import codecs
import csv
import io
from dataclasses import dataclass

import polars as pl
from django.utils.translation import gettext as _

from lindung.core import spreadsheets

DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
# Formats that are plainly not a table: refuse them by their signature rather than by the noise
# a text decoder makes of them.
# Where a CSV is not UTF-8 it is nearly always a spreadsheet export in a Windows or national code
# page; guessing among these only keeps short files from being read as an exotic encoding.
LEGACY_ENCODINGS = [
    "cp1252",
    "cp1251",
    "cp874",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1256",
    "koi8_r",
    "gb18030",
    "big5",
    "shift_jis",
    "euc_kr",
    "cp1258",
]
LATIN_ENCODINGS = {"cp1250", "cp1252", "cp1254", "cp1258"}
BINARY_MAGICS = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"\xd0\xcf\x11\xe0",
    b"\x7fELF",
    b"MZ",
)


# A column without a name gets this name and its position: unique, and impossible in a real header
# (a NUL byte makes a file binary), so that several unnamed columns are not "duplicates".
BLANK_COLUMN = "\x00blank column "


def is_blank_column(name: str) -> bool:
    return name.startswith(BLANK_COLUMN)


def _name_blank_columns(header: list[str]) -> list[str]:
    return [name or f"{BLANK_COLUMN}{position}" for position, name in enumerate(header, start=1)]


class UnreadableFile(Exception):
    """The file cannot be read as a table at all (exit code 2)."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


class StructuralError(Exception):
    """The file reads as a table but its structure is broken at a known row (invalid, exit 1)."""

    def __init__(self, rule: str, message: str, row: int | None = None):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.row = row


@dataclass
class Table:
    frame: pl.DataFrame
    header: list[str]
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    # Whether cells may carry leading or trailing whitespace (XLSX cells arrive trimmed).
    padded: bool = True


def read_table(data: bytes, *, name: str = "") -> Table:
    if not data.strip():
        raise StructuralError("file.empty", _("The file is empty: it has no header row and no data."))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(BINARY_MAGICS):
        raise UnreadableFile(
            "file.binary", _("This is not a CSV or XLSX file (it looks like a binary file).")
        )
    text_bytes, encoding = _to_utf8(data)
    delimiter = _sniff_delimiter(text_bytes[:SNIFF_BYTES])
    return _read_csv(text_bytes, encoding, delimiter)


def _to_utf8(data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes without BOM, and the encoding found. UTF-8 input is passed through untouched
    (no decode/encode round trip) because it is by far the common case and the big files."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")):
        if data.startswith(bom):
            return _reencode(data[len(bom) :], encoding)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        _check_utf8(data, "utf-8-sig")
        return data, "utf-8-sig"
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _reencode(data[len(bom) :], encoding)
    if b"\x00" in data[:SNIFF_BYTES]:
        raise UnreadableFile(
            "file.binary", _("The file contains binary data (NUL bytes): it is not a text CSV file.")
        )
    try:
        _check_utf8(data, "utf-8")
        return data, "utf-8"
    except UnreadableFile:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * SNIFF_BYTES], cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        raise UnreadableFile("file.encoding", _("The file's text encoding could not be recognised."))
    encoding = best.encoding
    # Latin-script code pages differ in a few letters only and the guess among them is close to a
    # coin toss on short files; Windows-1252 (Excel's default in most of the world) wins the tie.
    if encoding in LATIN_ENCODINGS and _decodes(data, "cp1252"):
        encoding = "cp1252"
    return _reencode(data, encoding)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _check_utf8(data: bytes, encoding: str) -> None:
    if data.isascii():
        _refuse_control_characters(data[:SNIFF_BYTES].decode("ascii"))
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "file.encoding", _("The file is not valid %(enc)s text.") % {"enc": encoding}
        ) from exc
    _refuse_control_characters(text)


def _reencode(data: bytes, encoding: str) -> tuple[bytes, str]:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(
            "file.encoding", _("The file could not be decoded as %(enc)s.") % {"enc": encoding}
        ) from exc
    _refuse_control_characters(text)
    return text.encode("utf-8"), encoding


def _refuse_control_characters(text: str) -> None:
    sample = text[:SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > max(2, len(sample) // 100):
        raise UnreadableFile("file.binary", _("The file contains binary data: it is not a text CSV file."))


def _sniff_delimiter(sample: bytes) -> str:
    text = sample.decode("utf-8", errors="ignore")
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        # Sniffer gives up on one-column files and on very regular ones: count in the header.
        header = lines[0]
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(data: bytes, encoding: str, delimiter: str) -> Table:
    try:
        frame = pl.read_csv(
            data,
            separator=delimiter,
            has_header=True,
            infer_schema=False,
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.ComputeError as exc:
        raise _locate_ragged_row(data, delimiter) from exc
    except pl.exceptions.DuplicateError as exc:
        raise StructuralError("header.duplicate_column", _duplicate_message(data, delimiter)) from exc
    # polars renames a repeated column ("a_duplicated_0"): read the header row as it is written.
    # Reading the first row alone can fail where the whole file parsed (a lone quote that the
    # full read balances later): then the renamed columns are the best header there is.
    try:
        first = pl.read_csv(data, separator=delimiter, has_header=False, n_rows=1, infer_schema=False)
    except pl.exceptions.ComputeError:
        first = pl.DataFrame()
    header = ["" if cell is None else cell.strip() for cell in first.row(0)] if first.height else []
    if len(header) != frame.width:
        header = [name.strip() for name in frame.columns]
    header = _name_blank_columns(header)
    if len(set(header)) != len(header):
        raise StructuralError("header.duplicate_column", _duplicates(header))
    frame = frame.rename(dict(zip(frame.columns, header, strict=True)))
    return Table(frame=frame, header=header, file_format="csv", encoding=encoding, delimiter=delimiter)


def _duplicate_message(data: bytes, delimiter: str) -> str:
    first = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
    try:
        header = [cell.strip() for cell in next(csv.reader([first], delimiter=delimiter), [])]
    except csv.Error:
        header = [cell.strip() for cell in first.split(delimiter)]
    return _duplicates(header)


def _duplicates(header: list[str]) -> str:
    dupes = sorted({h for h in header if header.count(h) > 1})
    return _("The header names these columns more than once: %(cols)s.") % {"cols": ", ".join(dupes)}


def _locate_ragged_row(data: bytes, delimiter: str) -> StructuralError:
    """polars says only that a row is ragged; find which one with the csv module, once."""
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""), delimiter=delimiter)
    try:
        width = len(next(reader))
        for line_no, row in enumerate(reader, start=2):
            if row and len(row) != width:
                return StructuralError(
                    "row.field_count",
                    _("Row %(row)s has %(got)s fields; the header has %(want)s.")
                    % {"row": line_no, "got": len(row), "want": width},
                    row=line_no,
                )
    except csv.Error as exc:
        return StructuralError("file.malformed", _("The CSV is malformed: %(err)s.") % {"err": exc})
    return StructuralError("file.malformed", _("The CSV could not be parsed (unbalanced quotes?)."))


def _read_xlsx(data: bytes) -> Table:
    try:
        book = spreadsheets.open_workbook(data)
    except spreadsheets.SpreadsheetRefused as exc:
        rule = "file.xlsx" if exc.code == "xlsx.unreadable" else exc.code
        raise UnreadableFile(rule, exc.message) from exc
    try:
        sheets = book.worksheets
        if len(sheets) != 1:
            raise StructuralError(
                "xlsx.several_sheets",
                _("The workbook has %(n)s sheets (%(names)s); put the data in a single sheet.")
                % {"n": len(sheets), "names": ", ".join(s.title for s in sheets)},
            )
        rows = []
        for row_no, row in enumerate(spreadsheets.sheet_rows(sheets[0]), start=1):
            cells = ["" if v is None else _cell_text(v) for v in row]
            for col_no, value in enumerate(cells, start=1):
                if value.startswith("="):
                    raise StructuralError(
                        "xlsx.formula",
                        _("Cell %(cell)s holds a formula; paste values only (formulas are not data).")
                        % {"cell": f"{_column_letter(col_no)}{row_no}"},
                        row=row_no,
                    )
            rows.append(cells)
    except spreadsheets.SpreadsheetRefused as exc:
        # Beyond a reading limit (rows, columns, cells, time): the whole file is refused.
        raise UnreadableFile(exc.code, exc.message) from exc
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise StructuralError("file.empty", _("The sheet is empty: it has no header row and no data."))
    header = [h.strip() for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    header = _name_blank_columns(header)
    if len(set(header)) != len(header):
        raise StructuralError("header.duplicate_column", _duplicates(header))
    width = len(header)
    for row_no, cells in enumerate(rows[1:], start=2):
        if any(cells[width:]):
            raise StructuralError(
                "row.field_count",
                _("Row %(row)s has values beyond the last named column (%(want)s columns).")
                % {"row": row_no, "want": width},
                row=row_no,
            )
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    frame = pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")
    return Table(frame=frame, header=header, file_format="xlsx", padded=False)


def _cell_text(value) -> str:
    import datetime

    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
