"""Where indicators get their rows: one adapter per source, each over another module's selector.

An adapter calls the selector with the acting user (so a table never counts what that user's
organisations may not see), keeps only the columns the table needs and renames them to the
dimension names of ``dimensions.py``. Nothing else in this app touches another module's data.

No unit is dropped silently. A missing value is the category "not recorded" (``unknown``) of its
dimension, the year and month included. Only a unit that has no date in an event period (a
referral not yet sent, a case not closed) is outside a table by period, and ``UNDATED`` tells the
table so that it reports how many it left out.

A source whose selector is not there (a module not installed) is *unavailable*: its indicators are
listed but refuse to compute, with a message saying what is missing.
"""

from dataclasses import dataclass, field
from importlib import import_module

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dimensions import DIMENSIONS

SPACE_LIST = "space"  # "  a b  " (the standard's records)
UNDATED = "_undated"  # column: the unit has no date in the period (see period_required)
JSON_LIST = "list"  # a JSON array


class SourceUnavailable(LookupError):
    pass


@dataclass(frozen=True)
class Source:
    id: str
    label: object
    unit: object
    selector: str  # "module:function", called as function(user)
    columns: dict  # dimension or field id -> selector row key
    periods: dict  # period id -> row key of a date, datetime or year column
    default_period: str
    multi: dict = field(default_factory=dict)  # dimension id -> SPACE_LIST | JSON_LIST
    derived: dict = field(default_factory=dict)  # field id -> function(now) -> polars expression

    monthly: bool = True  # False when the period is a year only
    # True when the period is an event that may not have happened yet (sent, closed): a unit
    # without its date is outside the table. False when the date is a recorded attribute (the
    # year of registration): a unit without it counts under "not recorded".
    period_required: bool = True

    def dimensions(self) -> list[str]:
        time = ("year", "month") if self.monthly else ("year",)
        return [*time, *(c for c in self.columns if c in DIMENSIONS)]

    def fields(self) -> set[str]:
        return {f for f in self.columns if f not in DIMENSIONS} | set(self.derived)

    def _function(self):
        module, name = self.selector.split(":")
        try:
            return getattr(import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise SourceUnavailable(
                _("The source %(source)s is not available: %(selector)s is missing.")
                % {"source": self.label, "selector": self.selector.replace(":", ".")}
            ) from exc

    def available(self) -> bool:
        try:
            self._function()
        except SourceUnavailable:
            return False
        return True

    def frame(self, user, *, dimensions, fields=(), period: str | None = None) -> pl.DataFrame:
        """Rows visible to ``user``: one column per wanted dimension and field, one row per unit."""
        period = period or self.default_period
        wanted = [d for d in dimensions if not DIMENSIONS[d].time]
        needed_fields = [f for f in fields if f not in self.derived]
        keys = list(
            dict.fromkeys([self.columns[c] for c in (*wanted, *needed_fields)] + self._derived_keys(fields))
        )
        period_key = self.periods.get(period) if self.periods else None
        if period_key and period_key not in keys:
            keys.append(period_key)
        result = self._function()(user)
        rows = (
            list(result.values_list(*keys))
            if hasattr(result, "values_list")
            else [tuple(row.get(k) for k in keys) for row in result]
        )
        raw = (
            pl.DataFrame(rows, schema=keys, orient="row", infer_schema_length=None)
            if rows
            else pl.DataFrame(schema=dict.fromkeys(keys, pl.String))
        )
        columns = []
        for dimension in wanted:
            columns.append(self._dimension_expr(dimension, raw))
        for name in needed_fields:
            columns.append(pl.col(self.columns[name]).alias(name))
        now = timezone.now()
        for name in fields:
            if name in self.derived:
                columns.append(self.derived[name](now).alias(name))
        if period_key:
            stamp = pl.col(period_key)
            kind = raw.schema[period_key]
            if kind in (pl.Int64, pl.Int32, pl.Int16, pl.UInt16, pl.UInt32):
                year = stamp.cast(pl.Int64)
                month = pl.lit(None, dtype=pl.String)
            else:
                # Text, or an all-empty column (polars type Null), becomes a datetime first.
                stamp = (
                    stamp if kind == pl.Date or isinstance(kind, pl.Datetime) else _as_datetime(period_key)
                )
                year = stamp.dt.year().cast(pl.Int64)
                month = stamp.dt.strftime("%Y-%m")
            unknown = pl.lit(DIMENSIONS["year"].unknown_code)
            columns += [
                year.cast(pl.String).fill_null(unknown).alias("year"),
                month.fill_null(unknown).alias("month"),
            ]
            if self.period_required:
                columns.append(year.is_null().alias(UNDATED))
        return raw.select(columns) if columns else pl.DataFrame({"_": [None] * raw.height})

    def _derived_keys(self, fields) -> list[str]:
        return [
            key for name in fields if name in self.derived for key in DERIVED_KEYS.get((self.id, name), ())
        ]

    def _dimension_expr(self, dimension: str, raw: pl.DataFrame) -> pl.Expr:
        key = self.columns[dimension]
        unknown = DIMENSIONS[dimension].unknown_code
        column = pl.col(key)
        kind = self.multi.get(dimension)
        if kind == SPACE_LIST:
            listed = column.cast(pl.String).fill_null("").str.strip_chars().str.split(" ")
        elif kind == JSON_LIST:
            listed = column if isinstance(raw.schema[key], pl.List) else column.cast(pl.List(pl.String))
            listed = listed.fill_null([])
        else:
            value = column.cast(pl.String).fill_null("")
            return pl.when(value == "").then(pl.lit(unknown)).otherwise(value).alias(dimension)
        listed = listed.list.eval(pl.element().filter(pl.element() != ""))
        return pl.when(listed.list.len() == 0).then(pl.lit([unknown])).otherwise(listed).alias(dimension)


SOURCES: dict[str, Source] = {}
DERIVED_KEYS: dict[tuple[str, str], tuple[str, ...]] = {}


def register(source: Source, derived_keys: dict | None = None) -> Source:
    SOURCES[source.id] = source
    for name, keys in (derived_keys or {}).items():
        DERIVED_KEYS[(source.id, name)] = keys
    return source


def get(source_id: str) -> Source:
    return SOURCES[source_id]


def _as_datetime(key: str) -> pl.Expr:
    return pl.col(key).cast(pl.Datetime("us", "UTC"))


def _days_between(start: str, end: str):
    def expr(now):
        return (_as_datetime(end) - _as_datetime(start)).dt.total_seconds() / 86400

    return expr


register(
    Source(
        id="standard_records",
        label=_("Imported records (data standard)"),
        unit=_("persons"),
        selector="lindung.standard.selectors:records_visible",
        columns={
            "sex": "sex",
            "age_group": "age_group",
            "majority_status": "majority_status",
            "citizenship": "citizenship",
            "country_of_exploitation": "country_of_exploitation",
            "data_source": "data_source",
            "form_of_exploitation": "forms_of_exploitation",
        },
        periods={"registration": "year_of_registration"},
        default_period="registration",
        multi={"form_of_exploitation": SPACE_LIST},
        monthly=False,
        period_required=False,
    )
)

register(
    Source(
        id="incidents",
        label=_("Incidents at sea"),
        unit=_("incidents"),
        selector="lindung.maritime.selectors:incidents_for_statistics",
        columns={
            "incident_type": "incident_type",
            "route": "route",
            "incident_outcome": "outcome",
            "incident_setting": "setting",
            "country": "disembarkation_country",
            "persons_on_board": "persons_on_board",
            "dead": "dead",
            "missing": "missing",
        },
        periods={"occurred": "occurred_at"},
        default_period="occurred",
        # "Not known" counts as none, as in the sums of dead and of missing.
        derived={"dead_and_missing": lambda now: pl.sum_horizontal(pl.col("dead"), pl.col("missing"))},
    ),
    derived_keys={"dead_and_missing": ("dead", "missing")},
)

register(
    Source(
        id="cases",
        label=_("Cases"),
        unit=_("cases"),
        selector="lindung.cases.selectors:cases_for_statistics",
        columns={
            "case_type": "case_type",
            "case_step": "state",
            "sex": "person__sex",
            "age_group": "person__age_group",
            "majority_status": "person__majority_status",
            "citizenship": "person__citizenship",
        },
        periods={"opened": "opened_on", "closed": "closed_on"},
        default_period="opened",
    )
)

register(
    Source(
        id="referrals",
        label=_("Referrals"),
        unit=_("referrals"),
        selector="lindung.referrals.selectors:referrals_for_statistics",
        columns={
            "service_type": "service__service_type",
            "country": "service__country",
            "urgency": "urgency",
            "referral_status": "status",
        },
        periods={"sent": "sent_at", "completed": "completed_at"},
        default_period="sent",
        derived={
            "answered": lambda now: pl.col("answered_at").is_not_null(),
            "overdue": lambda now: (
                pl.col("answered_at").is_null()
                & (_as_datetime("due_at") < pl.lit(now).cast(pl.Datetime("us", "UTC")))
            ),
            "days_to_service": _days_between("sent_at", "completed_at"),
        },
    ),
    derived_keys={
        "answered": ("answered_at",),
        "overdue": ("answered_at", "due_at"),
        "days_to_service": ("sent_at", "completed_at"),
    },
)

register(
    Source(
        id="screening_profiles",
        label=_("Vulnerability screenings"),
        unit=_("persons screened"),
        selector="lindung.screening.selectors:profiles_for_statistics",
        columns={
            "vulnerability_category": "categories",
            "urgency": "urgency",
            "country": "interview__country",
        },
        periods={"screened": "computed_at"},
        default_period="screened",
        multi={"vulnerability_category": JSON_LIST},
    )
)
