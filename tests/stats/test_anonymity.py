"""k-anonymity before record-level exports: generalisation, local suppression, report."""

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.stats.anonymity import SUPPRESSED, k_anonymise, quasi_identifiers
from lindung.stats.disclosure import DisclosureError


def _smallest_group(frame, qis):
    return frame.group_by(qis).len().get_column("len").min()


def test_quasi_identifiers_come_from_the_standard():
    columns = ["sex", "age_group", "citizenship", "year_of_registration", "data_source", "means_of_control"]
    # Year and data source are quasi-identifiers although not sensitive; means of control is
    # sensitive (l-diversity), not a quasi-identifier.
    assert quasi_identifiers(columns) == columns[:5]


def test_direct_identifiers_are_dropped_and_k_is_reached():
    frame = pl.DataFrame(
        {
            "full_name": [f"Person {i}" for i in range(60)],
            "sex": ["F", "M"] * 30,
            "age": [str(18 + i % 40) for i in range(60)],
            "date_of_arrival": [f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(60)],
            "data_source": ["hotline"] * 60,
        }
    )
    result, report = k_anonymise(frame, 5)
    assert "full_name" not in result.columns and report.dropped_identifiers == ["full_name"]
    qis = report.quasi_identifiers
    assert set(qis) == {"sex", "age", "date_of_arrival", "data_source"}
    assert _smallest_group(result, qis) >= 5 and report.smallest_group >= 5
    assert report.generalised, "ages and dates had to be generalised"
    assert result.get_column("data_source").to_list() == ["hotline"] * result.height


def test_outliers_are_suppressed_locally_rather_than_generalising_everyone():
    frame = pl.DataFrame({"sex": ["F"] * 40 + ["M"] * 40 + ["X"], "citizenship": ["THA"] * 81})
    result, report = k_anonymise(frame, 11)
    assert report.generalised == {}
    assert report.suppressed_values >= 1 or report.dropped_records == 1
    assert "X" not in result.get_column("sex").to_list()
    assert result.height >= 80


def test_bad_k_is_refused():
    with pytest.raises(DisclosureError):
        k_anonymise(pl.DataFrame({"sex": ["F"]}), 1)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["F", "M", "X", "U"]),
            st.sampled_from(["0-8", "9-17", "18-20", "30-38", "48+"]),
            st.sampled_from(["THA", "MMR", "KHM", "LAO", "VNM", "IDN"]),
        ),
        min_size=0,
        max_size=200,
    ),
    k=st.sampled_from([2, 5, 11]),
)
def test_property_every_group_has_at_least_k(rows, k):
    frame = pl.DataFrame(rows, schema=["sex", "age_group", "citizenship"], orient="row")
    result, report = k_anonymise(frame, k)
    if result.height:
        assert _smallest_group(result, ["sex", "age_group", "citizenship"]) >= k
    assert result.height + report.dropped_records == frame.height
    assert SUPPRESSED not in frame.get_column("sex").to_list()
