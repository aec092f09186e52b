"""Record-level exports, k-anonymised: the only way records leave this app.

Every exported column is a variable of the standard; those it marks ``quasi_identifier`` are all
k-anonymised (year, sex, age group, majority status, citizenship, country of exploitation, data
source, forms of exploitation). ``export_csv`` reads back the file it is about to hand over and
refuses it (``anonymity.k_not_met``) unless the claimed k holds on that file itself.
"""

import io

import polars as pl
from django.utils.translation import gettext as _

from lindung.core import policy, spreadsheets
from lindung.core.roles import Capability
from lindung.standard import registry

from . import anonymity, selectors, services, sources
from .disclosure import DisclosureError, check_k

# The de-identified columns of the standard's imported records that a microdata file carries.
COLUMNS = (
    "year_of_registration",
    "sex",
    "age_group",
    "majority_status",
    "citizenship",
    "country_of_exploitation",
    "data_source",
    "forms_of_exploitation",
)


def anonymised_records(user, *, k=None):
    """(frame, report) of the imported records ``user`` may see, k-anonymised with the strictest
    k of the user's organisations (a larger k may be asked, never a smaller one)."""
    policy.require_capability(user, Capability.PUBLISH_STATS)
    floor = selectors.effective_settings(user).k
    k = check_k(k if k is not None else floor)
    if k < floor:
        raise DisclosureError(
            _("k = %(k)s is below your organisation's minimum of %(floor)s.") % {"k": k, "floor": floor}
        )
    source = sources.get("standard_records")
    rows = list(source._function()(user).values_list(*COLUMNS))
    frame = pl.DataFrame(rows, schema=list(COLUMNS), orient="row", infer_schema_length=None)
    frame = frame.with_columns(pl.col("forms_of_exploitation").cast(pl.String).str.strip_chars())
    result, report = anonymity.k_anonymise(frame, k)
    services.microdata_exported(
        acting_user=user, source=source.id, rows=result.height, k=k, report=report.as_dict()
    )
    return result, report


def export_csv(user, *, k=None, hxl: bool = False) -> tuple[bytes, anonymity.AnonymityReport]:
    """The anonymised records as CSV, checked on the written bytes before they are returned."""
    frame, report = anonymised_records(user, k=k)
    content = to_csv(frame, hxl=hxl)
    written = (
        pl.read_csv(io.BytesIO(content), infer_schema=False, skip_rows_after_header=1 if hxl else 0)
        if frame.height
        else frame
    )
    anonymity.check(written, report.k, l_diversity=report.l_diversity)
    return content, report


def to_csv(frame: pl.DataFrame, *, hxl: bool = False) -> bytes:
    variables = registry.load().variables
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out)
    writer.writerow(frame.columns)
    if hxl:
        writer.writerow([variables[c].hxl if c in variables else "" for c in frame.columns])
    for row in frame.iter_rows():
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")
