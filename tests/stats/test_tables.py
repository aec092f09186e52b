"""Protected tables from the sources: what they count, what they refuse, the privacy budget."""

import numpy as np
import pytest

from lindung.core.roles import Role
from lindung.standard.models import StandardRecord
from lindung.stats import exports, tables
from lindung.stats.disclosure import DisclosureError
from lindung.stats.indicators import UnknownIndicator
from lindung.stats.models import DisclosureSettings, PrivacyBudgetEntry, Release
from lindung.stats.tables import ProtectedTable, protected_table

pytestmark = pytest.mark.django_db


def test_counts_only_what_the_users_organisation_may_see(manager, records_a, records_b):
    table = protected_table(manager, "presumed_victims", "sex")
    assert table.values[0][-1] == StandardRecord.objects.filter(organisation=records_a).count()
    assert StandardRecord.objects.filter(organisation=records_b).exists()


def test_small_cells_are_withheld_and_carry_no_value(manager):
    table = protected_table(manager, "presumed_victims", "year,form_of_exploitation")
    assert table.suppressed_count > 0
    for cell in table.cells():
        assert (cell["value"] is None) == bool(cell["status"])
        if cell["value"] is not None and cell["key"]["year"] != "_T":
            assert cell["value"] == 0 or cell["value"] >= 5
    assert table.rules["primary_suppression"] == {"threshold": 5}
    assert table.rules["multi_valued"] == ["form_of_exploitation"]


def test_the_organisation_threshold_is_a_floor(manager, records_a):
    DisclosureSettings.objects.create(organisation=records_a, threshold=10)
    assert protected_table(manager, "presumed_victims", "sex").rules["primary_suppression"]["threshold"] == 10
    with pytest.raises(DisclosureError, match="below your organisation's minimum"):
        protected_table(manager, "presumed_victims", "sex", threshold=5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "year,colour"}, "Unknown dimension colour"),
        ({"by": "year,year"}, "named twice"),
        ({"by": "year,sex,age_group,citizenship"}, "At most 3"),
        ({"threshold": 2}, "refused"),
        ({"threshold": "few"}, "whole number"),
        ({"epsilon": 0}, "greater than 0"),
        ({"epsilon": 50}, "refused"),
        ({"rounding": 4}, "rounding base"),
        ({"filters": {"sex": ["Q"]}}, "Unknown code"),
        ({"filters": {"route": ["other"]}}, "Unknown filter"),
    ],
)
def test_bad_requests_get_a_clear_error(manager, kwargs, message):
    with pytest.raises(DisclosureError, match=message):
        protected_table(manager, "presumed_victims", **kwargs)


def test_unknown_indicator(manager):
    with pytest.raises(UnknownIndicator, match="Known indicators"):
        protected_table(manager, "happiness")


def test_no_visible_records_is_an_error_not_an_empty_table(make_user, org_b):
    with pytest.raises(DisclosureError, match="no records"):
        protected_table(make_user(org_b, Role.DATA_MANAGER), "presumed_victims")


def test_users_without_statistics_are_refused(make_user, records_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        protected_table(make_user(records_a, Role.CASEWORKER), "presumed_victims")


def test_every_cell_tiny_warns_and_still_protects(manager):
    table = protected_table(manager, "presumed_victims", "citizenship,age_group,sex")
    assert "most_cells_suppressed" in table.warnings
    assert table.warning_messages()[0].startswith("Most cells")
    assert all(c["value"] is None for c in table.cells() if c["status"])


def test_a_table_cannot_be_made_without_protection():
    with pytest.raises(TypeError):
        ProtectedTable("x", "1", "x", "u", "#x", ("sex",), {}, [()], ["_T"], [[3]], [[""]], {})
    with pytest.raises(TypeError):
        exports.to_csv({"values": [[3]]})


def test_dp_spends_the_budget_once_per_question(manager, records_a):
    first = protected_table(manager, "presumed_victims", "year,sex", epsilon=0.5)
    again = protected_table(manager, "presumed_victims", "year,sex", epsilon=0.5)
    assert first.values == again.values
    assert PrivacyBudgetEntry.objects.filter(organisation=records_a).count() == 1
    entry = PrivacyBudgetEntry.objects.get()
    assert entry.epsilon == pytest.approx(0.5) and entry.query["by"] == ["year", "sex"]
    assert first.rules["differential_privacy"]["epsilon"] == pytest.approx(0.5)
    protected_table(manager, "presumed_victims", "sex", epsilon=1.0)
    assert PrivacyBudgetEntry.objects.count() == 2


def test_dp_refused_beyond_the_annual_budget(manager, records_a):
    DisclosureSettings.objects.create(organisation=records_a, annual_epsilon_budget=1.0)
    protected_table(manager, "presumed_victims", "sex", epsilon=0.8)
    with pytest.raises(DisclosureError, match="privacy budget"):
        protected_table(manager, "presumed_victims", "year", epsilon=0.5)
    assert PrivacyBudgetEntry.objects.count() == 1


def test_dp_needs_the_publishing_capability(make_user, records_a):
    from django.core.exceptions import PermissionDenied

    researcher = make_user(records_a, Role.RESEARCHER)
    protected_table(researcher, "presumed_victims", "sex")
    with pytest.raises(PermissionDenied):
        protected_table(researcher, "presumed_victims", "sex", epsilon=1.0)


def test_dp_with_multi_valued_dimension_bounds_sensitivity(manager):
    table = protected_table(manager, "presumed_victims", "form_of_exploitation", epsilon=1.0)
    assert table.rules["differential_privacy"]["sensitivity"] == tables.DP_MAX_CODES


def test_release_is_immutable_and_reproducible(manager):
    from django.core.exceptions import ValidationError

    from lindung.stats import services

    table = protected_table(manager, "presumed_victims", "year,form_of_exploitation")
    release = services.release_create(acting_user=manager, title="Victims 2016-2023", tables=[table])
    stored = ProtectedTable.from_release(release.tables.get())
    assert stored.values == table.values and stored.status == table.status
    assert release.identifier.endswith("-001") and "sha256:" in release.citation()
    again = protected_table(manager, "presumed_victims", "year,form_of_exploitation")
    assert again.fingerprint == release.tables.get().fingerprint
    release.title = "changed"
    with pytest.raises(ValidationError):
        release.save()
    with pytest.raises(ValidationError):
        release.delete()
    assert Release.objects.get().title == "Victims 2016-2023"


def test_release_needs_a_title_and_tables(manager):
    from django.core.exceptions import ValidationError

    from lindung.stats import services

    table = protected_table(manager, "presumed_victims", "sex")
    with pytest.raises(ValidationError):
        services.release_create(acting_user=manager, title=" ", tables=[table])
    with pytest.raises(ValidationError):
        services.release_create(acting_user=manager, title="t", tables=[])
    assert not Release.objects.exists()


def test_share_and_median_tables_follow_their_counts():
    frame_counts = np.array([[20, 3], [30, 12]])
    import polars as pl

    frame = pl.DataFrame(
        {
            "year": ["2020"] * 23 + ["2021"] * 42,
            "sex": ["F"] * 20 + ["M"] * 3 + ["F"] * 30 + ["M"] * 12,
            "answered": [True] * 10
            + [False] * 10
            + [True] * 3
            + [True] * 29
            + [False]
            + [True] * 6
            + [False] * 6,
        }
    )
    raw = tables.aggregate_frame(frame, ["year", "sex"], {"type": "share", "condition": "answered"})
    assert raw.counts.tolist() == frame_counts.tolist()
    from lindung.stats import indicators

    request = tables.Request(indicators.get("referrals_answered"), ("year", "sex"), {}, 5, None, None)
    table = tables.protect(raw, request)
    shares = {(0, 0): 50.0, (0, 1): 100.0, (1, 0): round(100 * 29 / 30, 1), (1, 1): 50.0}
    for (i, j), share in shares.items():
        assert table.values[i][j] in (None, share)
    assert table.values[0][1] is None  # 3 people
    assert table.values[1][0] is None  # 29 of 30: the one person without an answer stands out
    assert table.rules["share"] == {"complement_protected": True}


def test_chart_marks_suppressed_cells_without_their_value(manager):
    from lindung.stats import charts

    table = protected_table(manager, "presumed_victims", "year,form_of_exploitation")
    svg = str(charts.bar_chart(table))
    assert svg.startswith("<svg") and 'role="img"' in svg and " style=" not in svg
    assert svg.count(">suppressed</text>") == sum(1 for row in table.status[:-1] for s in row[:-1] if s)
    with pytest.raises(TypeError):
        charts.bar_chart({"values": []})


def test_one_way_table_exports(manager):
    import io

    import openpyxl

    table = protected_table(manager, "presumed_victims", "sex")
    assert table.display()["rows"][-1]["total"] is True
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(table)))
    assert book["Table"]["A3"].value == "Female"
    sdmx = exports.to_sdmx_csv(table).decode().splitlines()
    assert sdmx[0].startswith("STRUCTURE,STRUCTURE_ID,ACTION,SEX,OBS_VALUE,OBS_STATUS,CONF_STATUS")
    assert sdmx[-1].split(",")[3] == "_T"
