"""The disclosure-control engine: suppressed cells cannot be recovered, parameters are checked,
rounding and differential privacy behave."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lindung.stats import disclosure as d

from .recovery import feasible_range, recoverable_cells


def _published(protection):
    return protection.grid, protection.suppressed


def test_primary_suppression_hides_small_non_zero_cells_and_margins():
    p = d.protect_counts(np.array([[10, 3, 20], [15, 0, 30], [40, 25, 8]]), threshold=5)
    assert p.status[0, 1] == d.PRIMARY
    assert p.status[1, 1] == d.PUBLISHED  # zero is not a person
    assert p.status[0, 0] != d.PRIMARY


def test_a_lone_small_cell_gets_complements_in_its_row_and_column():
    interior = np.array([[10, 3, 20], [15, 12, 30], [40, 25, 8]])
    p = d.protect_counts(interior, threshold=5)
    assert p.suppressed[0].sum() >= 2 and p.suppressed[:, 1].sum() >= 2
    assert (p.status == d.SECONDARY).any()


def test_the_attacker_cannot_recover_the_suppressed_cell_from_margins():
    interior = np.array([[10, 3, 20], [15, 12, 30], [40, 25, 8]])
    grid, mask = _published(d.protect_counts(interior, threshold=5))
    assert recoverable_cells(grid, mask, cap=int(grid[-1, -1])) == []
    low, high = feasible_range(grid, mask, (0, 1), cap=int(grid[-1, -1]))
    assert low <= 3 <= high and high > low


def test_without_secondary_suppression_the_cell_would_be_recovered():
    # The proof has teeth: primary suppression alone leaks the cell through its row total.
    interior = np.array([[10, 3, 20], [15, 12, 30], [40, 25, 8]])
    grid = d.augment(interior)
    assert recoverable_cells(grid, d.primary_mask(grid, 5)) == [(0, 1)]
    assert d.determined_cells(grid, d.primary_mask(grid, 5))[0, 1]


def test_one_way_table_needs_a_second_suppressed_cell():
    p = d.protect_counts(np.array([[10, 3, 20, 7]]), threshold=5)
    assert p.suppressed.sum() == 2 and p.status[0, 3] == d.SECONDARY  # the smallest complement
    assert feasible_range(p.grid, p.suppressed, (0, 1)) == (0, 10)
    assert recoverable_cells(p.grid, p.suppressed) == []


def test_small_margins_are_suppressed_too():
    p = d.protect_counts(np.array([[1, 1], [20, 30]]), threshold=5)
    assert p.status[0, 2] == d.PRIMARY  # the row total 2
    grid, mask = _published(p)
    assert recoverable_cells(grid, mask) == []


tables = arrays(
    np.int64,
    st.tuples(st.integers(1, 4), st.integers(2, 5)),
    elements=st.one_of(st.integers(0, 4), st.integers(5, 15)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(interior=tables, threshold=st.sampled_from([3, 5, 10]))
def test_property_no_suppressed_cell_is_recoverable(interior, threshold):
    p = d.protect_counts(interior, threshold=threshold)
    grid, mask = _published(p)
    primary = d.primary_mask(grid, threshold)
    assert not (primary & ~mask).any(), "every small cell is suppressed"
    assert not d.determined_cells(grid, mask).any()
    assert recoverable_cells(grid, mask) == [], "suppressed cells recoverable from the margins"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    interior=arrays(np.int64, st.tuples(st.integers(2, 12), st.integers(2, 9)), elements=st.integers(0, 30)),
    threshold=st.sampled_from([5, 10]),
)
def test_property_bigger_tables_have_no_determined_cell(interior, threshold):
    """Algebraic check on bigger tables: no suppressed cell is in the row space of the published
    relations (rank test, independent of the graph argument)."""
    p = d.protect_counts(interior, threshold=threshold)
    grid, mask = _published(p)
    assert not (d.primary_mask(grid, threshold) & ~mask).any()
    cells = [tuple(c) for c in np.argwhere(mask)]
    if not cells:
        return
    index = {c: k for k, c in enumerate(cells)}
    rows = []
    n_rows, n_cols = grid.shape
    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if n_rows > 1:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    for line in lines:
        row = np.zeros(len(cells))
        for cell in line:
            if cell in index:
                row[index[cell]] = -1 if cell == line[-1] else 1
        if row.any():
            rows.append(row)
    matrix = np.array(rows) if rows else np.zeros((0, len(cells)))
    rank = np.linalg.matrix_rank(matrix) if len(rows) else 0
    for k in range(len(cells)):
        unit = np.zeros(len(cells))
        unit[k] = 1
        assert np.linalg.matrix_rank(np.vstack([matrix, unit])) > rank, f"{cells[k]} is determined"
    assert (grid[mask] > 0).all(), "only positive cells are suppressed, so each can move"


@pytest.mark.parametrize("bad", [0, 1, 2, -5, "x", None])
def test_threshold_below_three_or_not_a_number_is_refused(bad):
    with pytest.raises(d.DisclosureError):
        d.check_threshold(bad)


@pytest.mark.parametrize("bad", [0, -1, 10.5, 1e9, float("nan"), float("inf"), "many"])
def test_bad_epsilon_is_refused(bad):
    with pytest.raises(d.DisclosureError):
        d.check_epsilon(bad)


@pytest.mark.parametrize("bad", [2, 4, 10, "three"])
def test_bad_rounding_base_is_refused(bad):
    with pytest.raises(d.DisclosureError):
        d.check_rounding(bad)


def test_rounding_to_base_five():
    assert d.rounded(np.array([0, 2, 3, 7, 8, 12]), 5).tolist() == [0, 0, 5, 5, 10, 10]
    p = d.protect_counts(np.array([[12, 33], [17, 21]]), rounding=3)
    assert (p.grid % 3 == 0).all() and p.rules["rounding"] == {"base": 3}


def test_dp_counts_are_noisy_non_negative_and_record_the_budget():
    interior = np.full((4, 5), 50)
    outputs = [d.protect_counts(interior, epsilon=0.5) for _ in range(5)]
    assert any(not np.array_equal(o.grid[:-1, :-1], interior) for o in outputs)
    for o in outputs:
        assert (o.grid >= 0).all()
        assert o.rules["differential_privacy"]["epsilon"] == pytest.approx(0.5)
        assert o.rules["differential_privacy"]["scale"] == pytest.approx(2.0)
        # margins are sums of the noisy cells, so the published table stays additive
        assert (o.grid[:-1, -1] == o.grid[:-1, :-1].sum(axis=1)).all()


def test_dp_noise_scale_follows_sensitivity():
    noisy = d.dp_counts(np.array([[100, 100]]), 1.0, sensitivity=3)
    assert noisy.scale == pytest.approx(3.0) and noisy.epsilon == pytest.approx(1.0)


def test_mostly_tiny_tables_are_flagged_and_still_protected():
    p = d.protect_counts(np.array([[1, 2, 1], [2, 1, 1]]), threshold=5)
    assert "most_cells_suppressed" in p.warnings
    assert p.suppressed[:-1, :-1].all()
