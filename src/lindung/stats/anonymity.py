"""k-anonymity and l-diversity for record-level exports: pure functions over a polars frame.

The quasi-identifiers are the standard's variables whose ``quasi_identifier`` property is true (as
CTDC classifies them: year, data source, country of exploitation, majority status and forms of
exploitation too) that the frame holds. Direct identifiers are dropped first. To reach k, values
are generalised step by step (global recoding along each variable's hierarchy: a date becomes a
month then a year, a year a five-year band, an age an age group then a majority status, and a
column is suppressed whole rather than record by record in too many records); records still in
groups smaller than k then lose quasi-identifier values one at a time (local suppression), and a
record that cannot reach k even with every such value suppressed is dropped. Then each sensitive
variable that is not a quasi-identifier is made l-diverse: in a group of records sharing their
quasi-identifiers with fewer than l distinct values of it, its values are suppressed (membership of
the group would otherwise disclose them). The report says what was done; ``check`` verifies the
claim on what is finally written.
"""

from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext as _

from lindung.standard import registry

from .disclosure import DisclosureError, check_k

SUPPRESSED = "*"
# A share of records in too-small groups above which generalising a variable is preferred to
# suppressing values record by record.
MAX_LOCAL_SUPPRESSION = 0.05
DEFAULT_L = 2
YEAR_BAND = 5
CHILD_GROUPS = {"0-8", "9-17"}


def _age_group(age: pl.Expr) -> pl.Expr:
    bounds = []
    for code in registry.code_list("age_group").values():
        if "-" in code:
            low, high = code.split("-")
            bounds.append((int(low), int(high), code))
        elif code.endswith("+"):
            bounds.append((int(code[:-1]), 200, code))
    expr = pl.lit("unknown")
    for low, high, code in reversed(bounds):
        expr = (
            pl.when(age.cast(pl.Int64, strict=False).is_between(low, high)).then(pl.lit(code)).otherwise(expr)
        )
    return expr


def _majority(group: pl.Expr) -> pl.Expr:
    return (
        pl.when(group.is_in(list(CHILD_GROUPS)))
        .then(pl.lit("child"))
        .when(group.is_in(["unknown", SUPPRESSED]) | group.is_null())
        .then(pl.lit("unknown"))
        .otherwise(pl.lit("adult"))
    )


def _year_band(year: pl.Expr) -> pl.Expr:
    number = year.cast(pl.Int64, strict=False)
    low = number - number % YEAR_BAND
    band = low.cast(pl.String) + pl.lit("-") + (low + YEAR_BAND - 1).cast(pl.String)
    return pl.when(number.is_null()).then(year).otherwise(band)


def hierarchy(variable) -> list:
    """Generalisation steps of a variable, each a function of its (string) column."""
    if variable.type == "year":
        return [_year_band, lambda c: pl.lit(SUPPRESSED)]
    if variable.type == "date":
        return [lambda c: c.str.slice(0, 7), lambda c: c.str.slice(0, 4), lambda c: pl.lit(SUPPRESSED)]
    if variable.id == "age":
        return [_age_group, lambda c: _majority(_age_group(c)), lambda c: pl.lit(SUPPRESSED)]
    if variable.code_list == "age_group":
        return [_majority, lambda c: pl.lit(SUPPRESSED)]
    return [lambda c: pl.lit(SUPPRESSED)]


@dataclass
class AnonymityReport:
    k: int
    quasi_identifiers: list
    l_diversity: int = DEFAULT_L
    sensitive: list = field(default_factory=list)
    dropped_identifiers: list = field(default_factory=list)
    generalised: dict = field(default_factory=dict)  # variable -> steps applied
    suppressed_values: int = 0
    dropped_records: int = 0
    records: int = 0
    smallest_group: int = 0
    # Sensitive values suppressed for l-diversity.
    diversity_suppressed: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def quasi_identifiers(columns, version: str | None = None) -> list[str]:
    variables = registry.load(version).variables
    return [c for c in columns if c in variables and variables[c].quasi_identifier]


def sensitive_attributes(columns, version: str | None = None) -> list[str]:
    variables = registry.load(version).variables
    return [
        c
        for c in columns
        if c in variables and variables[c].sensitivity == "sensitive" and not variables[c].quasi_identifier
    ]


def _small(frame: pl.DataFrame, qis: list[str], k: int) -> pl.Series:
    return frame.select(pl.len().over(qis) < k).to_series()


def k_anonymise(frame: pl.DataFrame, k: int, *, l_diversity: int = DEFAULT_L, version: str | None = None):
    """(frame, report): ``frame`` generalised and suppressed until every combination of its
    quasi-identifiers is shared by at least ``k`` records and holds at least ``l_diversity`` distinct values
    of each sensitive variable (or has them suppressed)."""
    k = check_k(k)
    standard = registry.load(version)
    variables = standard.variables
    direct = [c for c in frame.columns if c in variables and variables[c].sensitivity == "direct_identifier"]
    frame = frame.drop(direct)
    qis = quasi_identifiers(frame.columns, version)
    report = AnonymityReport(
        k=k,
        quasi_identifiers=qis,
        l_diversity=l_diversity,
        sensitive=sensitive_attributes(frame.columns, version),
        dropped_identifiers=direct,
    )
    if not qis or frame.height == 0:
        report.records = frame.height
        report.smallest_group = frame.height
        return frame, report
    frame = frame.with_columns([pl.col(q).cast(pl.String).fill_null("unknown") for q in qis])
    steps = {q: hierarchy(variables[q]) for q in qis}
    level = dict.fromkeys(qis, 0)
    # Each step works on the original value, kept aside under a hidden name until the end.
    hidden = {q: f"__original_{q}" for q in qis}
    frame = frame.with_columns([pl.col(q).alias(hidden[q]) for q in qis])
    # Global recoding while too many records would need local suppression.
    while True:
        share = _small(frame, qis, k).mean() or 0.0
        if share <= MAX_LOCAL_SUPPRESSION:
            break
        # Generalise before suppressing a whole column; suppress a whole column rather than
        # suppress values record by record in more than MAX_LOCAL_SUPPRESSION of the records.
        candidates = [q for q in qis if level[q] < len(steps[q]) - 1] or [
            q for q in qis if level[q] < len(steps[q])
        ]
        if not candidates:
            break
        widest = max(candidates, key=lambda q: frame.get_column(q).n_unique())
        level[widest] += 1
        frame = frame.with_columns(steps[widest][level[widest] - 1](pl.col(hidden[widest])).alias(widest))
        report.generalised[widest] = level[widest]
    frame = frame.drop(list(hidden.values()))
    # Local suppression: records in small groups lose values, the most varied variable first.
    for q in sorted(qis, key=lambda q: -frame.get_column(q).n_unique()):
        small = _small(frame, qis, k)
        if not small.any():
            break
        report.suppressed_values += int(small.sum())
        frame = frame.with_columns(pl.when(small).then(pl.lit(SUPPRESSED)).otherwise(pl.col(q)).alias(q))
    small = _small(frame, qis, k)
    report.dropped_records = int(small.sum())
    frame = frame.filter(~small)
    report.records = frame.height
    report.smallest_group = int(frame.group_by(qis).len().get_column("len").min() or 0) if frame.height else 0
    frame = _diversify(frame, qis, report)
    check(frame, k, l_diversity=l_diversity, version=version)
    return frame, report


def _diversify(frame: pl.DataFrame, qis: list[str], report: AnonymityReport) -> pl.DataFrame:
    for name in report.sensitive:
        value = pl.col(name).cast(pl.String)
        poor = frame.select(value.drop_nulls().n_unique().over(qis) < report.l_diversity).to_series()
        report.diversity_suppressed += int(frame.filter(poor).get_column(name).is_not_null().sum())
        frame = frame.with_columns(
            pl.when(poor & value.is_not_null()).then(pl.lit(SUPPRESSED)).otherwise(value).alias(name)
        )
    return frame


def check(frame: pl.DataFrame, k: int, *, l_diversity: int = DEFAULT_L, version: str | None = None) -> None:
    """Refuse (``anonymity.k_not_met``, ``anonymity.l_not_met``) a frame in which a combination of
    the quasi-identifiers it holds is shared by fewer than ``k`` records, or in which such a group
    shows fewer than ``l_diversity`` distinct values of a sensitive variable."""
    if frame.height == 0:
        return
    qis = quasi_identifiers(frame.columns, version)
    keys = [pl.col(q).cast(pl.String).fill_null("") for q in qis] or [pl.lit(0)]
    smallest = frame.group_by(keys).len().get_column("len").min()
    if smallest < k:
        raise DisclosureError(
            _("%(n)s records share a combination of quasi-identifiers; k = %(k)s is not met.")
            % {"n": smallest, "k": k},
            code="anonymity.k_not_met",
        )
    for name in sensitive_attributes(frame.columns, version):
        value = pl.col(name).cast(pl.String)
        shown = value.filter(value.is_not_null() & (value != SUPPRESSED))
        poorest = frame.group_by(keys).agg(shown.n_unique().alias("l")).filter(pl.col("l") > 0)
        if poorest.height and poorest.get_column("l").min() < l_diversity:
            raise DisclosureError(
                _("A group of records shows fewer than %(l)s values of %(col)s.")
                % {"l": l_diversity, "col": name},
                code="anonymity.l_not_met",
            )
