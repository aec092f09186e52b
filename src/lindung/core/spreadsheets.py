"""Spreadsheets in and out, made safe: every CSV/TSV/HXL/XLSX export and every workbook upload.

Out: text one organisation typed may be opened by another organisation in a spreadsheet. A cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a formula there
(``=HYPERLINK(...)`` sends data away, ``+cmd|...`` starts programs). CSV has no types, so such text
gets a leading apostrophe, which spreadsheets read as "this is text" (OWASP's advice). A workbook
has types: its text cells are written as text with Excel's quote prefix, so they keep their value
exactly and still never become formulas. Numbers stay numbers: only text is touched, and text that
is a plain number (``-99``, ``-8.25``) is a number to a spreadsheet, not a formula.

In: an XLSX is a zip; 300 KB of it can unpack to millions of rows. ``workbook_rows`` opens a
workbook only after checking the sizes the zip declares (CPython's zipfile never unpacks a member
beyond its declared size, so the declaration bounds what is read), streams it in openpyxl's
read-only mode, and stops with a ``SpreadsheetRefused`` (a code and a message) beyond the row,
column, cell or time limits in the settings.
"""

import csv
import io
import re
import time
import zipfile
import zlib

from django.conf import settings
from django.utils.translation import gettext as _

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


# out ------------------------------------------------------------------------------------------


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.fullmatch(value)


def safe_cell(value):
    """The value for a CSV/TSV/HXL cell: text a spreadsheet would run gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def safe_row(row) -> list:
    return [safe_cell(v) for v in row]


class SafeWriter:
    """``csv.writer`` whose rows are neutralised; the only CSV writer exports use."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs) -> SafeWriter:
    return SafeWriter(out, **kwargs)


def rewrite_csv(data: bytes, **kwargs) -> bytes:
    """A CSV written elsewhere (polars, stored files), neutralised cell by cell."""
    text = data.decode("utf-8")
    out = io.StringIO()
    csv_writer(out, **kwargs).writerows(csv.reader(io.StringIO(text, newline="")))
    return out.getvalue().encode("utf-8")


def workbook_bytes(book) -> bytes:
    """Save an openpyxl workbook with no formula in it: openpyxl turns any text starting with ``=``
    into one, so every such cell (and every text cell a spreadsheet would run) becomes text with
    the quote prefix, its value unchanged."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# in -------------------------------------------------------------------------------------------


class SpreadsheetRefused(Exception):
    """The workbook is beyond a reading limit (or not a workbook); ``code`` says which."""

    def __init__(self, code: str, message: str, row: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.row = row


def limit(name: str) -> int:
    """A reading limit: the LINDUNG_SPREADSHEET_<name> setting (settings.py has the defaults)."""
    return int(getattr(settings, f"LINDUNG_SPREADSHEET_{name}"))


def check_zip(data: bytes) -> None:
    """Refuse a workbook beyond the limits before openpyxl sees it: the sizes the zip declares,
    then each sheet's rows, counted in its XML as it unpacks (openpyxl's read-only mode would
    otherwise parse a whole sheet without a <dimension> just to open it)."""
    started = time.monotonic()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
            _check_unpacked(declared)
            unpacked = 0
            for info in archive.infolist():
                # Every part, not only xl/worksheets/: the workbook's relations may put a sheet anywhere.
                unpacked = _count_rows(archive, info, unpacked, started)
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError) as exc:
        raise SpreadsheetRefused("xlsx.unreadable", _("The XLSX file is damaged or not a workbook.")) from exc


def _check_unpacked(size: int) -> None:
    maximum = limit("MAX_UNCOMPRESSED_BYTES")
    if size > maximum:
        raise SpreadsheetRefused(
            "xlsx.too_large_uncompressed",
            _("The workbook unpacks to more than %(limit)s MB.") % {"limit": maximum // (1024 * 1024)},
        )


# A row element, with or without a namespace prefix (<row ...>, <x:row ...>). Counted with
# bytes.count, which is C-fast: a regular expression over a large sheet took seconds.
_ROW_TAGS = (b"<row", b":row ", b":row>")


def _count_rows(archive, info, unpacked: int, started: float) -> int:
    """Count the sheet's row elements chunk by chunk; the bytes unpacked so far in the workbook."""
    max_rows, deadline = limit("MAX_ROWS"), started + limit("MAX_SECONDS")
    rows, tail = 0, b""
    with archive.open(info) as part:
        while chunk := part.read(1024 * 1024):
            unpacked += len(chunk)
            _check_unpacked(unpacked)
            text = tail + chunk
            rows += sum(text.count(tag) for tag in _ROW_TAGS)
            # The last bytes go again with the next chunk, so a tag cut in two is still counted
            # (one cut exactly at its end may be counted twice: a limit may over-count, not under).
            tail = text[-4:]
            if rows > max_rows:
                raise SpreadsheetRefused(
                    "xlsx.too_many_rows",
                    _("A sheet of the workbook has more than %(limit)s rows.") % {"limit": max_rows},
                )
            if time.monotonic() > deadline:
                raise _too_slow()
    return unpacked


def _too_slow() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "xlsx.too_slow",
        _("Reading the workbook took longer than %(limit)s seconds; split it or use CSV.")
        % {"limit": limit("MAX_SECONDS")},
    )


def open_workbook(data: bytes, *, data_only: bool = False):
    """An openpyxl workbook in streaming (read-only) mode, after the zip's sizes are checked."""
    from openpyxl import load_workbook

    check_zip(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a file that is not a workbook
        raise SpreadsheetRefused("xlsx.unreadable", _("The XLSX file is damaged or not a workbook.")) from exc


def sheet_rows(sheet, *, started: float | None = None):
    """The sheet's rows as tuples of values, streamed, refused beyond the limits.

    The sheet's declared dimensions are ignored: a sheet claiming A1:XFD1048576 would otherwise be
    padded to that size. Rows and cells are counted as they come, gaps included."""
    max_rows, max_columns, max_cells = limit("MAX_ROWS"), limit("MAX_COLUMNS"), limit("MAX_CELLS")
    deadline = (started if started is not None else time.monotonic()) + limit("MAX_SECONDS")
    sheet.reset_dimensions()
    cells = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > max_rows:
            raise SpreadsheetRefused(
                "xlsx.too_many_rows",
                _("The sheet %(sheet)s has more than %(limit)s rows.")
                % {"sheet": sheet.title, "limit": max_rows},
                row=number,
            )
        width = len(row)
        while width and row[width - 1] is None:
            width -= 1
        row = row[:width]
        if width > max_columns:
            raise SpreadsheetRefused(
                "xlsx.too_many_columns",
                _("Row %(row)s of sheet %(sheet)s has more than %(limit)s columns.")
                % {"row": number, "sheet": sheet.title, "limit": max_columns},
                row=number,
            )
        cells += width
        if cells > max_cells:
            raise SpreadsheetRefused(
                "xlsx.too_many_cells",
                _("The workbook has more than %(limit)s cells.") % {"limit": max_cells},
                row=number,
            )
        if time.monotonic() > deadline:
            raise _too_slow()
        yield row
