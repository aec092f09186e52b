"""Validating a file against a profile of the standard, vectorised with polars.

Every check is a column expression evaluated over the whole file at once; only the rows that
break a rule are ever materialised in Python. Row numbers are spreadsheet rows: the header is
row 1, the first data row is row 2.
"""

import datetime
from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext as _

from . import profiles
from .reading import BLANK_COLUMN, StructuralError, Table, UnreadableFile, is_blank_column, read_table

ERROR_SCHEMA = {
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "message": pl.String,
}
HEADER_ROW = 1
# Errors given with a refusal (command --json, the batch's summary); the report keeps them all.
FIRST_ERRORS = 20
NOTICE_SHOWN = 80
EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


@dataclass
class ValidationResult:
    profile: str
    version: str
    readable: bool = True
    rows: int = 0
    valid_rows: int = 0
    errors: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ERROR_SCHEMA))
    file_format: str = ""
    encoding: str = ""
    delimiter: str = ""
    dropped_columns: list = field(default_factory=list)
    # Columns ignored with a warning (unnamed, or a notice over an empty column): row, column, rule.
    warnings: list = field(default_factory=list)
    # The cleaned table (blanks and unknown markers as nulls), kept for the import, and the cells
    # as written (so that the import can keep "-99" and blank apart).
    frame: pl.DataFrame | None = None
    source: pl.DataFrame | None = None

    @property
    def error_count(self) -> int:
        return self.errors.height

    @property
    def is_valid(self) -> bool:
        return self.readable and self.error_count == 0 and self.rows > 0

    @property
    def exit_code(self) -> int:
        if not self.readable:
            return EXIT_UNREADABLE
        return EXIT_VALID if self.is_valid else EXIT_INVALID

    def errors_by_rule(self) -> dict[str, int]:
        if self.errors.is_empty():
            return {}
        counts = self.errors.group_by("rule").len().sort(["len", "rule"], descending=[True, False])
        return dict(counts.iter_rows())

    def summary(self) -> dict:
        return {
            "valid": self.is_valid,
            "readable": self.readable,
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "errors": self.error_count,
            "errors_by_rule": self.errors_by_rule(),
            "profile": self.profile,
            "standard_version": self.version,
            "format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "dropped_columns": self.dropped_columns,
            "warnings": self.warnings,
        }

    @property
    def header_broken(self) -> bool:
        """A file-level error (no row, or the header's): no row of the file can be imported."""
        return self.errors.filter(pl.col("row").is_null() | (pl.col("row") == HEADER_ROW)).height > 0

    def error_row_numbers(self) -> pl.Series:
        return self.errors.filter(pl.col("row") > HEADER_ROW).get_column("row").unique()

    def error_rows(self, limit: int | None = None) -> list[dict]:
        frame = self.errors if limit is None else self.errors.head(limit)
        return frame.to_dicts()


def validate_bytes(data: bytes, *, profile: str = "lindung", version: str | None = None) -> ValidationResult:
    spec = profiles.get(profile, version)
    result = ValidationResult(profile=spec.name, version=spec.version)
    try:
        table = read_table(data)
    except UnreadableFile as exc:
        result.readable = False
        result.errors = _one_error(None, "", "", exc.rule, exc.message)
        return result
    except StructuralError as exc:
        result.errors = _one_error(exc.row, "", "", exc.rule, exc.message)
        return result
    return validate_table(table, spec, result)


def validate_table(table: Table, spec: profiles.Profile, result: ValidationResult) -> ValidationResult:
    result.file_format, result.encoding, result.delimiter = table.file_format, table.encoding, table.delimiter
    frame = table.frame
    result.rows = frame.height
    header_errors, result.warnings = _header_errors(table, spec)
    errors = [header_errors]
    if frame.height == 0:
        errors.append(_one_error(None, "", "", "file.no_rows", _("The file has a header but no data rows.")))
    known = [c for c in frame.columns if c in spec.columns]
    checks = _checks(known, spec) if frame.height else []
    # One pass: cleaning and every check are evaluated together, in parallel over the columns.
    padded = _padded_columns(frame, known) if table.padded else set()
    lazy = frame.lazy().select(known).with_columns(_clean(known, spec.null_tokens, padded))
    mask_names = [f"_m{i}" for i in range(len(checks))]
    if checks:
        lazy = lazy.with_columns(
            [
                expr.fill_null(False).alias(name)
                for name, (_c, expr, _r, _m) in zip(mask_names, checks, strict=True)
            ]
        )
    combined = lazy.collect()
    result.source = frame.select(known)
    frame = combined.select(known)
    result.frame = frame
    result.dropped_columns = sorted(c for c in known if not spec.columns[c].imported)
    if checks:
        masks = combined.select(mask_names)
        hits = masks.sum().row(0)
        indexed = frame.with_row_index("_row", offset=HEADER_ROW + 1)
        for i, (column, _expr, rule, message) in enumerate(checks):
            if not hits[i]:
                continue
            bad = indexed.filter(masks.get_column(mask_names[i])).select(
                pl.col("_row").cast(pl.Int64).alias("row"),
                pl.lit(column).alias("column"),
                pl.col(column).cast(pl.String).alias("value"),
                pl.lit(rule).alias("rule"),
                pl.lit(message).alias("message"),
            )
            errors.append(bad)
    result.errors = pl.concat(errors, how="vertical").sort("row", nulls_last=False, maintain_order=True)
    result.valid_rows = 0 if result.header_broken else frame.height - result.error_row_numbers().len()
    return result


def _one_error(row, column, value, rule, message) -> pl.DataFrame:
    return pl.DataFrame(
        {"row": [row], "column": [column], "value": [value], "rule": [rule], "message": [message]},
        schema=ERROR_SCHEMA,
    )


def _header_errors(table: Table, spec: profiles.Profile) -> tuple[pl.DataFrame, list[dict]]:
    """Errors of the header, and warnings for the columns ignored: a column without a name (a
    spreadsheet's row numbers, an exported index) and a column no profile knows that is empty in
    every row (CTDC's release heads such a column with its terms of use)."""
    header = table.header
    rows, warnings = [], []
    unknown = [n for n in header if n not in spec.columns and not is_blank_column(n)]
    empty = _empty_columns(table.frame, unknown)
    for name in header:
        if is_blank_column(name):
            position = name.removeprefix(BLANK_COLUMN)
            warnings.append(
                _warning(
                    "",
                    "header.blank_column",
                    _("Column %(n)s has no name in the header row: it is ignored.") % {"n": position},
                )
            )
        elif name in empty:
            shown = name if len(name) <= NOTICE_SHOWN else name[: NOTICE_SHOWN - 1] + "…"
            warnings.append(
                _warning(
                    shown,
                    "header.empty_column",
                    _("Column %(col)s is not part of the profile and is empty in every row: it is ignored.")
                    % {"col": shown},
                )
            )
        elif name not in spec.columns:
            rows.append(
                (
                    HEADER_ROW,
                    name,
                    name,
                    "header.unknown_column",
                    _("Column %(col)s is not part of the %(profile)s profile of standard %(version)s.")
                    % {"col": name, "profile": spec.name, "version": spec.version},
                )
            )
    for name in spec.required_columns(header):
        if name not in header:
            rows.append(
                (
                    HEADER_ROW,
                    name,
                    "",
                    "header.missing_required",
                    _("Required column %(col)s is missing.") % {"col": name},
                )
            )
    return pl.DataFrame(rows, schema=ERROR_SCHEMA, orient="row"), warnings


def _warning(column: str, rule: str, message: str) -> dict:
    return {"row": HEADER_ROW, "column": column, "rule": rule, "message": message}


def _empty_columns(frame: pl.DataFrame, names: list[str]) -> set[str]:
    if not names or frame.height == 0:
        return set()
    tests = [(pl.col(n).str.strip_chars().fill_null("") == "").all().alias(n) for n in names]
    found = frame.select(tests).row(0)
    return {name for name, empty in zip(names, found, strict=True) if empty}


def _padded_columns(frame: pl.DataFrame, columns: list[str]) -> set[str]:
    """Columns with a cell starting or ending in whitespace. Trimming copies every string, so only
    those are trimmed: finding them costs a tenth of trimming everything."""
    if not columns or frame.height == 0:
        return set()
    tests = []
    for name in columns:
        col = pl.col(name)
        edge = (
            col.str.starts_with(" ")
            | col.str.ends_with(" ")
            | col.str.starts_with("\t")
            | col.str.ends_with("\t")
        )
        tests.append(edge.any().alias(name))
    found = frame.select(tests).row(0)
    return {name for name, hit in zip(columns, found, strict=True) if hit}


def _clean(columns: list[str], null_tokens: frozenset, padded: set[str]) -> list[pl.Expr]:
    """Padded cells are trimmed; blanks and unknown markers (``-99`` in CTDC) become nulls."""
    exprs = []
    for name in columns:
        value = pl.col(name).str.strip_chars() if name in padded else pl.col(name)
        is_null_token = None
        for token in null_tokens:
            test = value == token
            is_null_token = test if is_null_token is None else is_null_token | test
        exprs.append(pl.when(is_null_token).then(None).otherwise(value).alias(name))
    return exprs


def _checks(columns: list[str], spec: profiles.Profile) -> list[tuple[str, pl.Expr, str, str]]:
    """(column, expression true on bad rows, rule, message) for every present column."""
    checks = []
    today = datetime.date.today()
    for name in columns:
        col = spec.columns[name]
        value = pl.col(name)
        present = value.is_not_null()
        if col.kind in ("code", "flag"):
            checks.append(
                (name, present & ~value.is_in(sorted(col.allowed)), "value.not_in_list", _code_message(col))
            )
        elif col.kind == "codes":
            tokens = (
                value.str.replace_all(r"[;,]", " ")
                .str.split(" ")
                .list.eval(pl.element().filter(pl.element() != ""))
            )
            bad = tokens.list.eval(~pl.element().is_in(sorted(col.allowed))).list.any()
            checks.append((name, present & bad, "value.not_in_list", _code_message(col)))
        elif col.kind in ("integer", "year", "decimal"):
            target = pl.Float64 if col.kind == "decimal" else pl.Int64
            number = value.cast(target, strict=False)
            kind_label = _("a decimal number") if col.kind == "decimal" else _("a whole number")
            checks.append(
                (
                    name,
                    present & number.is_null(),
                    f"type.{col.kind}",
                    _("%(col)s must be %(kind)s.") % {"col": name, "kind": kind_label},
                )
            )
            if col.minimum is not None:
                checks.append(
                    (
                        name,
                        number < col.minimum,
                        "value.minimum",
                        _("%(col)s must be at least %(min)s.") % {"col": name, "min": _num(col.minimum)},
                    )
                )
            if col.maximum is not None:
                checks.append(
                    (
                        name,
                        number > col.maximum,
                        "value.maximum",
                        _("%(col)s must be at most %(max)s.") % {"col": name, "max": _num(col.maximum)},
                    )
                )
        elif col.kind == "date":
            date = value.str.to_date("%Y-%m-%d", strict=False)
            checks.append(
                (
                    name,
                    present & date.is_null(),
                    "type.date",
                    _("%(col)s must be a real calendar date written YYYY-MM-DD.") % {"col": name},
                )
            )
            checks.append(
                (name, date > today, "value.future_date", _("%(col)s is in the future.") % {"col": name})
            )
            if col.not_before and col.not_before in columns:
                earlier = pl.col(col.not_before).str.to_date("%Y-%m-%d", strict=False)
                checks.append(
                    (
                        name,
                        date < earlier,
                        "consistency.date_order",
                        _("%(col)s is before %(other)s.") % {"col": name, "other": col.not_before},
                    )
                )
        elif col.kind == "boolean":
            checks.append(
                (
                    name,
                    present & ~value.str.to_lowercase().is_in(sorted(profiles.BOOLEAN_VALUES)),
                    "type.boolean",
                    _("%(col)s must be true or false (or 1/0, yes/no).") % {"col": name},
                )
            )
    if spec.name == "lindung" and {"age", "majority_status"} <= set(columns):
        age = pl.col("age").cast(pl.Int64, strict=False)
        status = pl.col("majority_status")
        clash = ((status == "child") & (age >= 18)) | ((status == "adult") & (age < 18))
        checks.append(
            (
                "majority_status",
                clash,
                "consistency.age_majority",
                _("majority_status does not agree with age (a child is under 18)."),
            )
        )
    return checks


def _code_message(col: profiles.ColumnSpec) -> str:
    if col.kind == "flag":
        return _("%(col)s must be 1, 0, -99 or blank.") % {"col": col.name}
    if col.list_id:
        return _("%(col)s holds a code that is not in code list %(list)s.") % {
            "col": col.name,
            "list": col.list_id,
        }
    return _("%(col)s holds a value that is not allowed.") % {"col": col.name}


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
