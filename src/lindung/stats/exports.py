"""Protected tables as files: CSV, XLSX, HXL-tagged CSV and SDMX-CSV.

Every function takes a ``ProtectedTable`` and nothing else, so what leaves here was protected.
Suppressed cells are written empty with a status: ``primary``/``secondary`` in CSV and HXL,
``[c]`` in XLSX, OBS_STATUS ``Q`` (missing value; suppressed) and CONF_STATUS ``C`` (primary) or
``D`` (secondary) in SDMX-CSV. Every format states how many units the table covers (a last
column in CSV, HXL and SDMX-CSV, a line of the rules in XLSX), protected like the cells.
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lindung.core import spreadsheets

from .dimensions import DIMENSIONS
from .tables import ProtectedTable

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "hxl": ("text/csv; charset=utf-8", "hxl.csv"),
    "sdmx-csv": ("application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8", "sdmx.csv"),
}
SDMX_AGENCY = "LINDUNG"
CONF_STATUS = {"": "F", "primary": "C", "secondary": "D"}


def _require(table) -> ProtectedTable:
    if not isinstance(table, ProtectedTable):
        raise TypeError("only protected tables can be exported")
    return table


def file_name(table: ProtectedTable, fmt: str) -> str:
    return f"{table.indicator_id}_by_{'_'.join(table.by)}.{FORMATS[fmt][1]}"


def _status_label(status: str) -> str:
    return {
        "primary": _("suppressed (small count)"),
        "secondary": _("suppressed (protects another cell)"),
    }.get(status, "")


def _covered(table: ProtectedTable) -> str:
    """The units counted, or empty when the number is withheld (too small to publish)."""
    records = table.coverage.get("records")
    return "" if records is None else str(records)


def _long_rows(table: ProtectedTable):
    for cell in table.cells():
        codes = [cell["key"][d] for d in table.by]
        labels = [table.label(d, c) for d, c in zip(table.by, codes, strict=True)]
        yield codes, labels, cell["value"], cell["status"]


def to_csv(table: ProtectedTable) -> bytes:
    table = _require(table)
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out)
    header = []
    for dimension in table.by:
        label = DIMENSIONS[dimension].label
        header += [f"{label} ({_('code')})", label]
    writer.writerow([*header, f"{table.name} ({table.unit})", _("Status"), _("Records covered")])
    covered = _covered(table)
    for codes, labels, value, status in _long_rows(table):
        pairs = [x for pair in zip(codes, labels, strict=True) for x in pair]
        writer.writerow([*pairs, "" if value is None else value, status, covered])
    return out.getvalue().encode("utf-8")


def _name_tag(tag: str) -> str:
    """The hashtag of a label column: the code column's tag with +name instead of +code."""
    parts = [p for p in tag.split("+") if p != "code"]
    return "+".join([*parts, "name"])


def to_hxl(table: ProtectedTable) -> bytes:
    """CSV with an HXL hashtag row under the header (hashtags from the standard's variables)."""
    table = _require(table)
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out)
    header, tags = [], []
    for dimension in table.by:
        dim = DIMENSIONS[dimension]
        tag = dim.hxl or f"#indicator+{dimension}"
        code_tag = tag if "+code" in tag or dim.time else f"{tag}+code"
        header += [f"{dim.label} ({_('code')})", dim.label]
        tags += [code_tag, _name_tag(code_tag)]
    header += [f"{table.name} ({table.unit})", _("Status"), _("Records covered")]
    tags += [table.hxl, "#meta+status", "#meta+coverage+num"]
    writer.writerow(header)
    writer.writerow(tags)
    covered = _covered(table)
    for codes, labels, value, status in _long_rows(table):
        pairs = [x for pair in zip(codes, labels, strict=True) for x in pair]
        writer.writerow([*pairs, "" if value is None else value, status, covered])
    return out.getvalue().encode("utf-8")


def to_sdmx_csv(table: ProtectedTable) -> bytes:
    """SDMX-CSV 2.0 (STRUCTURE, STRUCTURE_ID, ACTION, dimensions, OBS_VALUE, attributes).

    Dimensions are the standard's ids in upper case (year and month: TIME_PERIOD); totals use the
    SDMX convention ``_T``. Suppressed observations have no OBS_VALUE, OBS_STATUS ``Q`` and a
    CONF_STATUS saying why; noisy (differentially private) values have OBS_STATUS ``E``."""
    table = _require(table)
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out, lineterminator="\n")
    structure_id = f"{SDMX_AGENCY}:{table.indicator_id.upper()}({table.indicator_version})"
    dims = [DIMENSIONS[d].sdmx_id for d in table.by]
    writer.writerow(
        [
            "STRUCTURE",
            "STRUCTURE_ID",
            "ACTION",
            *dims,
            "OBS_VALUE",
            "OBS_STATUS",
            "CONF_STATUS",
            "UNIT_MEASURE",
            "COVERAGE",
        ]
    )
    covered = _covered(table)
    estimated = bool(table.dp)
    for codes, _labels, value, status in _long_rows(table):
        obs_status = "Q" if status else "E" if estimated else "A"
        writer.writerow(
            [
                "dataflow",
                structure_id,
                "I",
                *codes,
                "" if value is None else value,
                obs_status,
                CONF_STATUS[status],
                table.unit,
                covered,
            ]
        )
    return out.getvalue().encode("utf-8")


def to_xlsx(table: ProtectedTable) -> bytes:
    """A workbook: the table as shown (suppressed cells as [c]), the data in long form, the rules."""
    table = _require(table)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Table")[:31]
    bold = Font(bold=True)
    sheet.append([f"{table.name} ({table.unit})"])
    sheet["A1"].font = bold
    header = [DIMENSIONS[d].label for d in table.row_dims] or [DIMENSIONS[table.col_dim].label]
    if table.row_dims:
        header += [table.label(table.col_dim, c) for c in table.col_keys]
        sheet.append(header)
        for i, key in enumerate(table.row_keys):
            labels = [table.label(d, c) for d, c in zip(table.row_dims, key, strict=True)]
            sheet.append(
                [*labels, *("[c]" if s else v for v, s in zip(table.values[i], table.status[i], strict=True))]
            )
    else:
        sheet.append([*header, table.unit])
        for j, code in enumerate(table.col_keys):
            status, value = table.status[0][j], table.values[0][j]
            sheet.append([table.label(table.col_dim, code), "[c]" if status else value])
    for cell in sheet[2]:
        cell.font = bold
    sheet.append([])
    sheet.append([_("[c] = suppressed to protect the people counted.")])
    data = book.create_sheet(_("Data")[:31])
    data.append([*[DIMENSIONS[d].label for d in table.by], _("Value"), _("Status")])
    for _codes, labels, value, status in _long_rows(table):
        data.append([*labels, value, status])
    rules = book.create_sheet(_("Rules")[:31])
    for line in [*table.coverage_lines(), *table.rules_summary()]:
        rules.append([line])
    rules.append([_("Indicator"), f"{table.indicator_id} {table.indicator_version}"])
    rules.append([_("Standard version"), table.standard_version])
    rules.append([_("Computed at"), table.computed_at])
    rules.append([_("Source data fingerprint"), table.fingerprint])
    return spreadsheets.workbook_bytes(book)


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "hxl": to_hxl, "sdmx-csv": to_sdmx_csv}


def render(table: ProtectedTable, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a table in one of FORMATS."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(WRITERS)}")
    return WRITERS[fmt](table), FORMATS[fmt][0], file_name(table, fmt)
