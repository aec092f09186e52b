"""Tables of indicators, protected before anyone sees them.

``protected_table`` is the only way to get a table out of this app: it reads the source through its
selector (as the acting user), aggregates, applies the disclosure rules and returns a
``ProtectedTable``. A ``ProtectedTable`` cannot be made any other way (its constructor wants a
private token) and never holds the value of a suppressed cell, so no export, page or API can leak
one by mistake. Exports, charts and releases accept nothing else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.roles import Capability
from lindung.standard import registry

from . import budget, disclosure, indicators
from .dimensions import DIMENSIONS, TOTAL
from .disclosure import PRIMARY, PUBLISHED, DisclosureError
from .sources import UNDATED

MAX_DIMENSIONS = 3
MAX_CELLS = 20_000
# Under differential privacy a unit counted under several codes of a multi-valued dimension adds
# to several cells; it is limited to this many codes so that the sensitivity stays bounded.
DP_MAX_CODES = 3
STATUS_NAMES = {PUBLISHED: "", PRIMARY: "primary", disclosure.SECONDARY: "secondary"}
_TOKEN = object()

WARNINGS = {
    "most_cells_suppressed": lambda: _(
        "Most cells count too few people to publish and are suppressed. Choose fewer or broader "
        "dimensions to see more."
    ),
}


@dataclass(frozen=True)
class Request:
    """What was asked for, validated."""

    indicator: indicators.Indicator
    by: tuple
    filters: dict
    threshold: int
    rounding: int | None
    epsilon: float | None

    def key(self) -> dict:
        return {
            "indicator": self.indicator.id,
            "version": self.indicator.version,
            "by": list(self.by),
            "filters": {k: sorted(v) for k, v in sorted(self.filters.items())},
        }


@dataclass
class ProtectedTable:
    indicator_id: str
    indicator_version: str
    name: str
    unit: str
    hxl: str
    by: tuple
    filters: dict
    row_keys: list  # tuples of codes of the row dimensions; the last one is the total row
    col_keys: list  # codes of the column dimension; the last one is TOTAL
    values: list  # rows of numbers, None where withheld
    status: list  # rows of "", "primary", "secondary"
    rules: dict
    warnings: list = field(default_factory=list)
    # How many units the table counts, and how many it leaves out and why (see ``_coverage``).
    coverage: dict = field(default_factory=dict)
    fingerprint: str = ""
    computed_at: str = ""
    standard_version: str = ""
    token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.token is not _TOKEN:
            raise TypeError("a ProtectedTable comes from stats.tables.protected_table or a frozen release")
        for row_values, row_status in zip(self.values, self.status, strict=True):
            for value, status in zip(row_values, row_status, strict=True):
                if status and value is not None:
                    raise DisclosureError("a suppressed cell carries a value")

    # dimensions ----------------------------------------------------------------------------
    @property
    def row_dims(self) -> tuple:
        return self.by[:-1]

    @property
    def col_dim(self) -> str:
        return self.by[-1]

    def label(self, dimension: str, code: str) -> str:
        return DIMENSIONS[dimension].code_label(code)

    def dimension_labels(self) -> list[str]:
        return [DIMENSIONS[d].label for d in self.by]

    # cells ---------------------------------------------------------------------------------
    def cells(self):
        """Long form: one dict per cell, totals included (code TOTAL)."""
        for i, row_key in enumerate(self.row_keys):
            for j, col in enumerate(self.col_keys):
                key = dict(zip(self.row_dims, row_key, strict=True))
                key[self.col_dim] = col
                yield {"key": key, "value": self.values[i][j], "status": self.status[i][j]}

    @property
    def suppressed_count(self) -> int:
        return sum(1 for row in self.status for s in row if s)

    @property
    def dp(self) -> dict | None:
        return self.rules.get("differential_privacy")

    def coverage_lines(self) -> list[str]:
        """The coverage in words; a count withheld as too small says so rather than a number."""
        if not self.coverage:
            return []

        def shown(n):
            if n is None:
                return _("fewer than %(t)s") % {"t": self.coverage["threshold"]}
            return str(n)

        lines = [
            _(
                "This table counts %(n)s %(unit)s: every one that can be counted, those without a value "
                "under “Not recorded”."
            )
            % {"n": shown(self.coverage["records"]), "unit": self.coverage["unit"]}
        ]
        if self.coverage.get("undated") != 0:
            lines.append(
                _("%(n)s more have no date in the period of this indicator and are not counted.")
                % {"n": shown(self.coverage.get("undated"))}
            )
        return lines

    def parameters(self) -> dict:
        """Everything but the data that decides this table: indicator, dimensions, filters and the
        protection applied (threshold, rounding, differential privacy)."""
        dp = self.dp
        return {
            "indicator": self.indicator_id,
            "version": self.indicator_version,
            "by": list(self.by),
            "filters": {k: sorted(v) for k, v in sorted(self.filters.items())},
            "threshold": self.rules["primary_suppression"]["threshold"],
            "rounding": (self.rules.get("rounding") or {}).get("base"),
            "epsilon": dp["epsilon"] if dp else None,
        }

    @property
    def parameters_digest(self) -> str:
        """A short digest of ``parameters()``: a page carries it so that what is frozen later can be
        checked to be the table that was on screen (the organisation's defaults may change between)."""
        return hashlib.sha256(json.dumps(self.parameters(), sort_keys=True).encode()).hexdigest()[:32]

    def warning_messages(self) -> list[str]:
        return [str(WARNINGS[w]()) if w in WARNINGS else w for w in self.warnings]

    def rules_summary(self) -> list[str]:
        rules = self.rules
        lines = [
            _("Cells counting fewer than %(n)s are suppressed (primary suppression).")
            % {"n": rules["primary_suppression"]["threshold"]},
            _(
                "Further cells are suppressed so that no suppressed cell can be worked out from the totals "
                "(secondary suppression)."
            ),
        ]
        if rules.get("rounding"):
            lines.append(
                _("Published counts are rounded to multiples of %(b)s.") % {"b": rules["rounding"]["base"]}
            )
        if rules.get("differential_privacy"):
            lines.append(
                _("Counts carry differentially private noise (epsilon %(e)s, OpenDP).")
                % {"e": f"{rules['differential_privacy']['epsilon']:g}"}
            )
        if rules.get("multi_valued"):
            lines.append(
                _("A person can be counted under several categories of %(dims)s: totals count mentions.")
                % {"dims": ", ".join(DIMENSIONS[d].label for d in rules["multi_valued"])}
            )
        return lines

    def display(self) -> dict:
        """Headers and rows for the table view: a one-way table lists its categories down."""

        def cell(i, j):
            return {"value": self.values[i][j], "status": self.status[i][j]}

        if not self.row_dims:
            return {
                "headers": [DIMENSIONS[self.col_dim].label],
                "value_headers": [self.unit],
                "rows": [
                    {"labels": [self.label(self.col_dim, c)], "cells": [cell(0, j)], "total": c == TOTAL}
                    for j, c in enumerate(self.col_keys)
                ],
            }
        return {
            "headers": [DIMENSIONS[d].label for d in self.row_dims],
            "value_headers": [self.label(self.col_dim, c) for c in self.col_keys],
            "rows": [
                {
                    "labels": [self.label(d, c) for d, c in zip(self.row_dims, key, strict=True)],
                    "cells": [cell(i, j) for j in range(len(self.col_keys))],
                    "total": key[0] == TOTAL,
                }
                for i, key in enumerate(self.row_keys)
            ],
        }

    # serialisation -------------------------------------------------------------------------
    def payload(self) -> dict:
        return {
            "indicator": self.indicator_id,
            "version": self.indicator_version,
            "name": self.name,
            "unit": self.unit,
            "hxl": self.hxl,
            "by": list(self.by),
            "filters": self.filters,
            "row_keys": [list(k) for k in self.row_keys],
            "col_keys": self.col_keys,
            "values": self.values,
            "status": self.status,
            "rules": self.rules,
            "warnings": self.warnings,
            "coverage": self.coverage,
            "fingerprint": self.fingerprint,
            "computed_at": self.computed_at,
            "standard_version": self.standard_version,
        }

    @classmethod
    def from_release(cls, release_table) -> ProtectedTable:
        """A released table, as it was frozen (it was protected when it was computed)."""
        data = release_table.payload
        return cls(
            indicator_id=data["indicator"],
            indicator_version=data["version"],
            name=data["name"],
            unit=data["unit"],
            hxl=data["hxl"],
            by=tuple(data["by"]),
            filters=data["filters"],
            row_keys=[tuple(k) for k in data["row_keys"]],
            col_keys=data["col_keys"],
            values=data["values"],
            status=data["status"],
            rules=data["rules"],
            warnings=data["warnings"],
            coverage=data.get("coverage", {}),
            fingerprint=data["fingerprint"],
            computed_at=data["computed_at"],
            standard_version=data["standard_version"],
            token=_TOKEN,
        )


# validation ----------------------------------------------------------------------------------


def parse_by(value) -> tuple:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    return tuple(v for v in (value or []) if v)


def build_request(
    indicator_id, by=None, *, filters=None, threshold=None, rounding=None, epsilon=None, settings=None
) -> Request:
    """Validate what was asked; every refusal is a DisclosureError or UnknownIndicator with a message."""
    indicator = indicators.get(indicator_id)
    by = parse_by(by) or indicator.default_by
    unknown = [d for d in by if d not in indicator.dimensions]
    if unknown:
        raise DisclosureError(
            _("Unknown dimension %(dims)s for %(indicator)s. Choose from: %(known)s.")
            % {
                "dims": ", ".join(unknown),
                "indicator": indicator.id,
                "known": ", ".join(indicator.dimensions),
            }
        )
    if len(set(by)) != len(by):
        raise DisclosureError(_("A dimension is named twice."))
    if len(by) > MAX_DIMENSIONS:
        raise DisclosureError(_("At most %(n)s dimensions at a time.") % {"n": MAX_DIMENSIONS})
    if "year" in by and "month" in by:
        raise DisclosureError(_("Choose year or month, not both."))
    floor = settings.threshold if settings else disclosure.DEFAULT_THRESHOLD
    chosen = disclosure.check_threshold(threshold if threshold not in (None, "") else floor)
    if chosen < floor:
        raise DisclosureError(
            _("A threshold of %(n)s is below your organisation's minimum of %(floor)s.")
            % {"n": chosen, "floor": floor}
        )
    rounding = disclosure.check_rounding(
        rounding if rounding not in (None, "") else getattr(settings, "rounding", None)
    )
    epsilon = disclosure.check_epsilon(epsilon)
    if epsilon is not None and not indicator.measure_type == "count":
        raise DisclosureError(
            _("Differential privacy is available for counts only, not for %(m)s.")
            % {"m": indicator.measure_type}
        )
    return Request(indicator, by, _check_filters(indicator, filters or {}), chosen, rounding, epsilon)


def _check_filters(indicator, filters: dict) -> dict:
    checked = {}
    for dimension, codes in filters.items():
        codes = [codes] if isinstance(codes, str) else list(codes)
        codes = [str(c) for c in codes if str(c)]
        if not codes:
            continue
        if dimension not in indicator.dimensions:
            raise DisclosureError(
                _("Unknown filter %(dim)s for %(indicator)s.") % {"dim": dimension, "indicator": indicator.id}
            )
        code_list = DIMENSIONS[dimension].code_list
        for code in codes:
            if len(code) > 40 or (code_list and not registry.is_valid(code_list, code) and code != "unknown"):
                raise DisclosureError(
                    _("Unknown code %(code)s for %(dim)s.") % {"code": code[:40], "dim": dimension}
                )
        checked[dimension] = codes
    return checked


# aggregation (private: its output is never returned unprotected) -----------------------------


@dataclass
class _Raw:
    row_keys: list
    col_keys: list
    counts: np.ndarray  # interior counts (or sums)
    numerator: np.ndarray | None = None  # shares
    medians: np.ndarray | None = None  # augmented medians
    multi: tuple = ()
    units: int = 0  # units counted (before a multi-valued dimension counts one several times)
    undated: int = 0  # units left out: no date in the indicator's period

    def fingerprint(self, request: Request) -> str:
        content = {
            **request.key(),
            "rows": [list(k) for k in self.row_keys],
            "cols": self.col_keys,
            "counts": self.counts.tolist(),
            "numerator": None if self.numerator is None else self.numerator.tolist(),
            "medians": None
            if self.medians is None
            else np.nan_to_num(self.medians, nan=-1).round(6).tolist(),
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _sort_key(dimension: str):
    order = DIMENSIONS[dimension].order()
    return lambda code: (order.get(code, len(order)), code)


def _frame(user, request: Request) -> pl.DataFrame:
    indicator = request.indicator
    source = indicator.source_adapter
    dims = list(
        dict.fromkeys([*request.by, *request.filters, *(k for k in indicator.where if k in DIMENSIONS)])
    )
    frame = source.frame(
        user, dimensions=dims, fields=indicator.needed_fields(), period=indicator.period or None
    )
    for name, allowed in [*indicator.where.items(), *request.filters.items()]:
        if name in source.multi:
            frame = frame.filter(pl.col(name).list.eval(pl.element().is_in(allowed)).list.any())
        elif frame.schema.get(name) == pl.Boolean:
            frame = frame.filter(pl.col(name).is_in([bool(a) for a in allowed]))
        else:
            frame = frame.filter(pl.col(name).is_in([str(a) for a in allowed]))
    return frame


def aggregate_frame(frame: pl.DataFrame, by, measure: dict, *, multi=(), dp_cap: int | None = None) -> _Raw:
    """Group ``frame`` by ``by`` into an interior table (rows: all but the last dimension)."""
    by = list(by)
    for dimension in by:
        if dimension in multi:
            column = pl.col(dimension).list.head(dp_cap) if dp_cap else pl.col(dimension)
            frame = frame.with_columns(column).explode(dimension)
    kind = measure["type"]
    aggs = [pl.len().alias("n")]
    if kind == "sum":
        aggs.append(pl.col(measure["field"]).fill_null(0).sum().alias("v"))
    elif kind == "share":
        aggs.append(pl.col(measure["condition"]).fill_null(False).cast(pl.Int64).sum().alias("v"))
    grouped = frame.group_by(by).agg(aggs)
    row_dims, col_dim = by[:-1], by[-1]
    col_keys = sorted(grouped.get_column(col_dim).unique().to_list(), key=_sort_key(col_dim))
    if row_dims:
        combos = grouped.select(row_dims).unique().rows()
        keys = [_sort_key(d) for d in row_dims]
        row_keys = sorted(combos, key=lambda combo: [k(c) for k, c in zip(keys, combo, strict=True)])
    else:
        row_keys = [()]
    if len(row_keys) * len(col_keys) > MAX_CELLS:
        raise DisclosureError(
            _("That table would have %(n)s cells; choose fewer dimensions or filter.")
            % {"n": len(row_keys) * len(col_keys)}
        )
    row_index = {k: i for i, k in enumerate(row_keys)}
    col_index = {k: j for j, k in enumerate(col_keys)}
    ri = (
        np.array([row_index[tuple(r)] for r in grouped.select(row_dims).rows()], dtype=np.int64)
        if row_dims
        else (np.zeros(grouped.height, dtype=np.int64))
    )
    ci = np.array([col_index[c] for c in grouped.get_column(col_dim).to_list()], dtype=np.int64)
    shape = (len(row_keys), len(col_keys))
    counts = np.zeros(shape, dtype=np.int64)
    counts[ri, ci] = grouped.get_column("n").to_numpy()
    raw = _Raw(row_keys, col_keys, counts, multi=tuple(d for d in by if d in multi))
    if kind == "sum":
        sums = np.zeros(shape, dtype=np.int64)
        sums[ri, ci] = grouped.get_column("v").to_numpy()
        raw.counts = sums
    elif kind == "share":
        raw.numerator = np.zeros(shape, dtype=np.int64)
        raw.numerator[ri, ci] = grouped.get_column("v").to_numpy()
    elif kind == "median_days":
        raw.medians = _medians(frame, row_dims, col_dim, measure["field"], row_index, col_index, shape)
    return raw


def _medians(frame, row_dims, col_dim, value, row_index, col_index, shape) -> np.ndarray:
    """Augmented medians: per cell, per row and column total, and overall."""
    augmented = np.full((shape[0] + 1, shape[1] + 1) if row_dims else (1, shape[1] + 1), np.nan)
    total_row = shape[0] if row_dims else 0

    def fill(group_by, place):
        if group_by:
            for row in frame.group_by(group_by).agg(pl.col(value).median().alias("m")).iter_rows(named=True):
                augmented[place(row)] = row["m"] if row["m"] is not None else np.nan
        else:
            median = frame.get_column(value).median()
            augmented[place({})] = median if median is not None else np.nan

    def row_of(row):
        return row_index[tuple(row[d] for d in row_dims)] if row_dims else 0

    fill([*row_dims, col_dim], lambda r: (row_of(r), col_index[r[col_dim]]))
    fill(list(row_dims), lambda r: (row_of(r), shape[1]))
    if row_dims:
        fill([col_dim], lambda r: (total_row, col_index[r[col_dim]]))
        fill([], lambda r: (total_row, shape[1]))
    return augmented


# protection -----------------------------------------------------------------------------------


def _row_keys_with_total(raw: _Raw, by) -> list:
    if len(by) == 1:
        return [()]
    return [*raw.row_keys, tuple(TOTAL for _ in by[:-1])]


def protect(raw: _Raw, request: Request, *, noisy=None, sensitivity: int = 1) -> ProtectedTable:
    """Apply the rules to an aggregated table; the one place a ProtectedTable is made from data."""
    measure = request.indicator.measure_type
    one_way = len(request.by) == 1
    protection = disclosure.protect_counts(
        raw.counts,
        threshold=request.threshold,
        rounding=request.rounding,
        noisy=noisy,
        sensitivity=sensitivity,
        one_way=one_way,
    )
    status = protection.status
    grid = protection.grid.astype(float)
    rules = dict(protection.rules)
    if measure == "share":
        # The complement (units without the condition) is protected too: "all but two" identifies.
        complement = disclosure.protect_counts(
            raw.counts - raw.numerator, threshold=request.threshold, one_way=one_way
        )
        numerator = disclosure.augment(raw.numerator, one_way=one_way)
        status = disclosure.derived_status(status, complement.status)
        denominators = protection.grid.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            grid = np.where(denominators > 0, np.round(100.0 * numerator / denominators, 1), np.nan)
        rules["share"] = {"complement_protected": True}
    elif measure == "median_days":
        grid = np.round(raw.medians, 1)
        rules["median"] = {"withheld_where_count_withheld": True}
    if raw.multi:
        rules["multi_valued"] = list(raw.multi)
    values = []
    for i in range(grid.shape[0]):
        row = []
        for j in range(grid.shape[1]):
            value = grid[i, j]
            if status[i, j] != PUBLISHED or np.isnan(value):
                row.append(None)
            else:
                row.append(int(value) if measure in indicators.ADDITIVE else float(value))
        values.append(row)
    rules["standard_version"] = registry.current_version()
    indicator = request.indicator
    return ProtectedTable(
        indicator_id=indicator.id,
        indicator_version=indicator.version,
        name=indicator.name,
        unit=indicator.unit,
        hxl=indicator.hxl,
        by=request.by,
        filters=request.filters,
        row_keys=_row_keys_with_total(raw, request.by),
        col_keys=[*raw.col_keys, TOTAL],
        values=values,
        status=[[STATUS_NAMES[int(s)] for s in row] for row in status],
        rules=rules,
        warnings=protection.warnings,
        coverage=_coverage(raw, request),
        fingerprint=raw.fingerprint(request),
        computed_at=timezone.now().isoformat(timespec="seconds"),
        standard_version=registry.current_version(),
        token=_TOKEN,
    )


def _aggregate_for(user, request: Request):
    source = request.indicator.source_adapter
    multi = tuple(d for d in request.by if d in source.multi)
    dp_cap = DP_MAX_CODES if request.epsilon is not None and multi else None
    frame = _frame(user, request)
    undated = 0
    if UNDATED in frame.columns:
        undated = int(frame.get_column(UNDATED).sum())
        frame = frame.filter(~pl.col(UNDATED)).drop(UNDATED)
    if frame.height == 0:
        raise disclosure.NoData(_("There are no records to count for this table (or none you may see)."))
    raw = aggregate_frame(frame, request.by, request.indicator.measure, multi=source.multi, dp_cap=dp_cap)
    raw.units, raw.undated = frame.height, undated
    return raw, multi


def _coverage(raw: _Raw, request: Request) -> dict:
    """The numbers of units counted and left out, under the table's own rules: a count below the
    threshold is withheld, and counts are rounded to the table's base (to 10 under differential
    privacy, whose noisy cells an exact count would otherwise undo in part)."""
    base = 10 if request.epsilon is not None else request.rounding

    def protected(n: int):
        if 0 < n < request.threshold:
            return None
        return int(base * round(n / base)) if base else n

    return {
        "records": protected(raw.units),
        "undated": protected(raw.undated),
        "threshold": request.threshold,
        "rounding": base,
        "unit": str(request.indicator.source_adapter.unit),
    }


def current_fingerprint(user, table: ProtectedTable) -> str | None:
    """The fingerprint of the data ``table`` was computed from, as that data is now: equal to the
    table's own when the source has not changed. None when it cannot be computed any more."""
    policy.require_capability(user, Capability.VIEW_STATS)
    dp = table.dp
    try:
        indicator = indicators.get(table.indicator_id, table.indicator_version)
        request = Request(indicator, tuple(table.by), table.filters, 5, None, dp["epsilon"] if dp else None)
        raw, _multi = _aggregate_for(user, request)
    except (DisclosureError, LookupError):
        return None
    return raw.fingerprint(request)


def protected_table(
    user, indicator_id, by=None, *, filters=None, threshold=None, rounding=None, epsilon=None, spend=True
):
    """The table of an indicator as ``user`` may publish it: computed over what the user's
    organisations may see, with every disclosure rule applied. Raises DisclosureError,
    UnknownIndicator, SourceUnavailable or PermissionDenied with a message. With ``spend=False`` a
    differentially private table is given only if its noise was already paid for (pages confirm
    first); otherwise ``budget.SpendNotConfirmed`` is raised."""
    from . import selectors

    policy.require_capability(user, Capability.VIEW_STATS)
    settings = selectors.effective_settings(user)
    request = build_request(
        indicator_id,
        by,
        filters=filters,
        threshold=threshold,
        rounding=rounding,
        epsilon=epsilon,
        settings=settings,
    )
    raw, multi = _aggregate_for(user, request)
    noisy, sensitivity = None, 1
    if request.epsilon is not None:
        sensitivity = DP_MAX_CODES ** len(multi) if multi else 1
        noisy = budget.dp_noisy_counts(
            acting_user=user,
            request=request,
            raw_counts=raw.counts,
            fingerprint=raw.fingerprint(request),
            sensitivity=sensitivity,
            spend=spend,
        )
    return protect(raw, request, noisy=noisy, sensitivity=sensitivity)
