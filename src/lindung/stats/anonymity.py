"""k-anonymity for record-level exports: pure functions over a polars frame.

The quasi-identifiers are the standard's variables marked ``quasi_identifier`` that the frame
holds. Direct identifiers are dropped first. To reach k, values are generalised step by step
(global recoding along each variable's hierarchy: a date becomes a month then a year, an age an age
group then a majority status); records still in groups smaller than k then lose quasi-identifier
values one at a time (local suppression), and a record that cannot reach k even with every such
value suppressed is dropped. The report says what was done; the result is checked before return.
"""

from dataclasses import dataclass, field

import polars as pl

from lindung.standard import registry

from .disclosure import DisclosureError, check_k

SUPPRESSED = "*"
# A share of records in too-small groups above which generalising a variable is preferred to
# suppressing values record by record.
MAX_LOCAL_SUPPRESSION = 0.05
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


def hierarchy(variable) -> list:
    """Generalisation steps of a variable, each a function of its (string) column."""
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
    dropped_identifiers: list = field(default_factory=list)
    generalised: dict = field(default_factory=dict)  # variable -> steps applied
    suppressed_values: int = 0
    dropped_records: int = 0
    records: int = 0
    smallest_group: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def quasi_identifiers(columns, version: str | None = None) -> list[str]:
    variables = registry.load(version).variables
    return [c for c in columns if c in variables and variables[c].sensitivity == "quasi_identifier"]


def _small(frame: pl.DataFrame, qis: list[str], k: int) -> pl.Series:
    return frame.select(pl.len().over(qis) < k).to_series()


def k_anonymise(frame: pl.DataFrame, k: int, *, version: str | None = None):
    """(frame, report): ``frame`` generalised and suppressed until every combination of its
    quasi-identifiers is shared by at least ``k`` records."""
    k = check_k(k)
    standard = registry.load(version)
    variables = standard.variables
    direct = [c for c in frame.columns if c in variables and variables[c].sensitivity == "direct_identifier"]
    frame = frame.drop(direct)
    qis = quasi_identifiers(frame.columns, version)
    report = AnonymityReport(k=k, quasi_identifiers=qis, dropped_identifiers=direct)
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
        candidates = [q for q in qis if level[q] < len(steps[q]) - 1]  # keep the last step for local use
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
    if frame.height and report.smallest_group < k:
        raise DisclosureError("k-anonymity could not be reached")  # pragma: no cover - guarded above
    return frame, report
